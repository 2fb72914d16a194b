package ice

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// Connection is one Ice connection, incoming (accepted by an object adapter) or outgoing (dialled
// for a proxy). Requests may be pipelined in both directions; twoway requests are dispatched
// concurrently, oneway and batch requests in order before the next message is read.
type Connection struct {
	comm     *Communicator
	nc       net.Conn
	rd       *bufio.Reader
	incoming bool
	maxSize  int
	log      *slog.Logger
	adapter  atomic.Pointer[ObjectAdapter] // dispatches incoming requests; nil answers ObjectNotExist
	activity atomic.Int64                  // monotonic nanoseconds of the last read or write
	dispSem  chan struct{}                 // bounds concurrent twoway dispatches
	// acmChanged wakes the monitor when SetACM changes the setting.
	acmChanged chan struct{}

	wmu       sync.Mutex // serialises writes to nc
	wdeadline time.Time  // nc's write deadline (guarded by wmu)

	mu          sync.Mutex // guards the fields below
	state       connState
	closeErr    error // why the connection closed; set once
	pending     map[int32]chan reply
	nextID      int32
	dispatching int
	acm         ACM
	onClose     []func(*Connection)
	onHeartbeat []func(*Connection)
	batch       []byte // queued batch requests, without header and request id
	batchCount  int
	idle        *sync.Cond // signalled when dispatching or pending drops

	done    chan struct{} // closed when the socket is closed and the read loop has ended
	poolKey string        // key in the communicator's pool; "" for incoming connections
}

type connState uint8

const (
	stateActive  connState = iota
	stateClosing           // no new requests; CloseConnection sent or about to be
	stateClosed
)

// reply is a Reply message after its request id.
type reply struct {
	status protocol.ReplyStatus
	body   []byte // the rest of the message after the status byte
	err    error  // the connection failed instead
}

// writeTimeout bounds one write, as the default endpoint timeout (-t 60000) does in Ice.
const writeTimeout = 60 * time.Second

// maxConcurrentDispatch bounds twoway dispatches per connection; the reader waits past it.
const maxConcurrentDispatch = 1024

func newConnection(comm *Communicator, nc net.Conn, incoming bool, acm ACM, maxSize int) *Connection {
	c := &Connection{
		comm:       comm,
		nc:         nc,
		rd:         bufio.NewReaderSize(nc, 32<<10),
		incoming:   incoming,
		maxSize:    maxSize,
		pending:    map[int32]chan reply{},
		nextID:     1,
		acm:        acm,
		dispSem:    make(chan struct{}, maxConcurrentDispatch),
		acmChanged: make(chan struct{}, 1),
		done:       make(chan struct{}),
	}
	c.idle = sync.NewCond(&c.mu)
	c.log = comm.log.With("component", "ice.conn", "remote", nc.RemoteAddr().String())
	c.touch()
	return c
}

// RemoteAddr returns the peer's address.
func (c *Connection) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// LocalAddr returns this side's address.
func (c *Connection) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// Done is closed once the connection is closed.
func (c *Connection) Done() <-chan struct{} { return c.done }

// Err returns why the connection closed, or nil while it is open.
func (c *Connection) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// SetAdapter makes incoming requests on this connection dispatch to a (bidirectional use).
func (c *Connection) SetAdapter(a *ObjectAdapter) { c.adapter.Store(a) }

// OnClose registers f to run once after the connection closed. If it is already closed, f runs
// at once.
func (c *Connection) OnClose(f func(*Connection)) {
	c.mu.Lock()
	if c.state != stateClosed {
		c.onClose = append(c.onClose, f)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	f(c)
}

// OnHeartbeat registers f to run each time the peer sends a heartbeat (a ValidateConnection
// message), as Connection::setHeartbeatCallback. f runs on the reading goroutine: it must not
// block.
func (c *Connection) OnHeartbeat(f func(*Connection)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onHeartbeat = append(c.onHeartbeat, f)
}

func (c *Connection) heartbeatReceived() {
	c.mu.Lock()
	callbacks := c.onHeartbeat
	c.mu.Unlock()
	for _, f := range callbacks {
		f(c)
	}
}

func (c *Connection) touch() { c.activity.Store(monotonicNow()) }

var clockBase = time.Now()

func monotonicNow() int64 { return int64(time.Since(clockBase)) }

// validateClient reads the server's ValidateConnection (§1.2) before the connection is used.
func (c *Connection) validateClient(deadline time.Time) error {
	_ = c.nc.SetReadDeadline(deadline)
	defer func() { _ = c.nc.SetReadDeadline(time.Time{}) }()
	var hdr [protocol.HeaderSize]byte
	if _, err := io.ReadFull(c.rd, hdr[:]); err != nil {
		return fmt.Errorf("ice: connection validation: %w", err)
	}
	h, err := protocol.ParseHeader(hdr[:], c.maxSize)
	if err != nil {
		return fmt.Errorf("ice: connection validation: %w", err)
	}
	if h.Type != protocol.ValidateConnection {
		return fmt.Errorf("ice: connection validation: got %v", h.Type)
	}
	return nil
}

// start runs the read loop and the ACM monitor. An incoming connection first sends
// ValidateConnection.
func (c *Connection) start() {
	if c.incoming {
		if err := c.write(protocol.ValidateConnectionMessage); err != nil {
			c.fail(err)
			close(c.done)
			return
		}
	}
	go c.readLoop()
	go c.monitor()
}

// write sends one complete message.
func (c *Connection) write(msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// A peer that stops reading must not block writers forever: like Ice, a write that does not
	// complete within the endpoint timeout fails the connection.
	// Moving the deadline costs a runtime timer update: do it only when half of it is used up.
	if now := time.Now(); c.wdeadline.Sub(now) < writeTimeout/2 {
		c.wdeadline = now.Add(writeTimeout)
		_ = c.nc.SetWriteDeadline(c.wdeadline)
	}
	if _, err := c.nc.Write(msg); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%w: write blocked for %v", ErrConnectionTimeout, writeTimeout)
		}
		return fmt.Errorf("%w: %w", ErrConnectionLost, err)
	}
	c.touch()
	return nil
}

func (c *Connection) readLoop() {
	defer close(c.done)
	for {
		msg, h, err := c.readMessage()
		if err != nil {
			c.fail(err)
			return
		}
		c.touch()
		switch h.Type {
		case protocol.Request:
			c.handleRequest(msg)
		case protocol.BatchRequest:
			c.handleBatch(msg)
		case protocol.Reply:
			c.handleReply(msg)
		case protocol.ValidateConnection:
			// A heartbeat: activity (§1.5), and news for who asked (OnHeartbeat).
			c.heartbeatReceived()
		case protocol.CloseConnection:
			c.fail(ErrConnectionClosed)
			return
		}
	}
}

// readMessage reads one whole message and decompresses it if needed.
func (c *Connection) readMessage() ([]byte, protocol.Header, error) {
	var hdr [protocol.HeaderSize]byte
	if _, err := io.ReadFull(c.rd, hdr[:]); err != nil {
		return nil, protocol.Header{}, c.readErr(err)
	}
	h, err := protocol.ParseHeader(hdr[:], c.maxSize)
	if err != nil {
		return nil, h, err
	}
	msg := make([]byte, h.Size)
	copy(msg, hdr[:])
	if _, err := io.ReadFull(c.rd, msg[protocol.HeaderSize:]); err != nil {
		return nil, h, c.readErr(err)
	}
	if h.Compression == protocol.Compressed {
		if msg, err = protocol.Decompress(msg, c.maxSize); err != nil {
			return nil, h, err
		}
	}
	return msg, h, nil
}

func (c *Connection) readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrConnectionLost
	}
	return fmt.Errorf("%w: %w", ErrConnectionLost, err)
}

// fail closes the socket at once and fails every pending request with err. It is idempotent.
func (c *Connection) fail(err error) {
	c.mu.Lock()
	if c.state == stateClosed {
		c.mu.Unlock()
		return
	}
	wasClosing := c.state == stateClosing
	c.state = stateClosed
	c.closeErr = err
	pending := c.pending
	c.pending = map[int32]chan reply{}
	callbacks := c.onClose
	c.onClose, c.onHeartbeat = nil, nil
	c.idle.Broadcast()
	c.mu.Unlock()

	var perr *protocol.ProtocolError
	switch {
	case errors.As(err, &perr):
		c.log.Warn("closing connection after protocol error", "err", err)
	case !wasClosing && !errors.Is(err, ErrConnectionClosed) && !errors.Is(err, ErrConnectionLost):
		c.log.Debug("connection closed", "err", err)
	}
	_ = c.nc.Close()
	for _, ch := range pending {
		ch <- reply{err: err}
	}
	c.comm.conns.remove(c)
	for _, f := range callbacks {
		f(c)
	}
}

// Close closes the connection gracefully (§1.6): no new requests, wait for this side's
// dispatches and outstanding requests, send CloseConnection, wait for the peer to close the
// socket (bounded by ctx), then close. With force, the socket is closed at once.
func (c *Connection) Close(ctx context.Context, force bool) {
	if force {
		c.fail(ErrConnectionLost)
		<-c.done
		return
	}
	c.mu.Lock()
	if c.state != stateActive {
		c.mu.Unlock()
		c.waitDone(ctx)
		return
	}
	c.state = stateClosing
	// A peer that stopped reading must not block Close past ctx: when ctx ends, every write in
	// progress (a reply holding wmu, then CloseConnection) fails and the connection is dropped.
	stopWrites := context.AfterFunc(ctx, func() { _ = c.nc.SetWriteDeadline(time.Now()) })
	defer stopWrites()
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.idle.Broadcast()
		c.mu.Unlock()
	})
	for (c.dispatching > 0 || len(c.pending) > 0) && ctx.Err() == nil && c.closeErr == nil {
		c.idle.Wait()
	}
	stop()
	c.mu.Unlock()
	if err := c.write(protocol.CloseConnectionMessage); err != nil {
		c.fail(err)
	}
	c.waitDone(ctx)
}

func (c *Connection) waitDone(ctx context.Context) {
	select {
	case <-c.done:
	case <-ctx.Done():
		c.fail(ErrConnectionLost)
		<-c.done
	}
}

// closing reports whether new requests must be refused.
func (c *Connection) closing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state != stateActive
}

// Heartbeat sends a ValidateConnection message, which the peer counts as activity.
func (c *Connection) Heartbeat() error { return c.write(protocol.ValidateConnectionMessage) }

// newDecoder returns a decoder over a message body starting after the header.
func newBodyDecoder(msg []byte) *encoding.Decoder {
	return encoding.NewDecoder(msg[protocol.HeaderSize:], encoding.Encoding10)
}

// closeWithin closes gracefully, forcing the close after d.
func (c *Connection) closeWithin(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	c.Close(ctx, false)
}
