package ice

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/properties"
	"floe/ice/protocol"
)

// loopbackServer is an object adapter on 127.0.0.1:0 serving echoServant as "test".
type loopbackServer struct {
	comm    *Communicator
	adapter *ObjectAdapter
	addr    string // host:port of the adapter
	proxy   string // stringified proxy of "test"
}

// echoServant answers echo(string) with its argument; other operations besides the built-in
// ones do not exist.
var echoServant = ObjectFunc(func(_ context.Context, cur *Current, in *encoding.Decoder, out *encoding.Encoder) error {
	if cur.Operation != "echo" {
		return ErrOperationNotExist
	}
	out.WriteString(in.ReadString())
	return nil
})

// startLoopbackServer starts a loopbackServer, destroyed when tb ends.
func startLoopbackServer(tb testing.TB) *loopbackServer {
	tb.Helper()
	comm, err := New(properties.New(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(comm.Destroy)
	a, err := comm.CreateObjectAdapterWithEndpoints("Loopback", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		tb.Fatal(err)
	}
	p, err := a.Add(echoServant, Identity{Name: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Activate(ctx); err != nil {
		tb.Fatal(err)
	}
	addr := a.listeners[0].Addr().String()
	return &loopbackServer{comm: comm, adapter: a, addr: addr, proxy: p.String()}
}

// connCount returns the number of connections the adapter has open.
func (s *loopbackServer) connCount() int {
	s.adapter.mu.RLock()
	defer s.adapter.mu.RUnlock()
	return len(s.adapter.conns)
}

// waitNoConns waits until the adapter has no connection left, or fails tb after d.
func (s *loopbackServer) waitNoConns(tb testing.TB, d time.Duration) {
	tb.Helper()
	for deadline := time.Now().Add(d); s.connCount() != 0; {
		if time.Now().After(deadline) {
			tb.Fatalf("the adapter still has %d connections after %v", s.connCount(), d)
		}
		time.Sleep(time.Millisecond)
	}
}

// pingFresh checks that a new connection to s answers ice_ping, then closes it.
func (s *loopbackServer) pingFresh(tb testing.TB, client *Communicator, connID string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := client.StringToProxy(s.proxy)
	if err != nil {
		tb.Fatal(err)
	}
	p = p.WithConnectionID(connID)
	if err := p.Ping(ctx); err != nil {
		tb.Fatalf("ice_ping on a fresh connection: %v", err)
	}
	c, err := p.Connection(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	c.Close(ctx, false)
}

// newClient returns a communicator destroyed when tb ends.
func newClient(tb testing.TB) *Communicator {
	tb.Helper()
	c, err := New(properties.New(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Destroy)
	return c
}

// dialRaw connects to addr without the Ice runtime and reads the server's ValidateConnection.
func dialRaw(tb testing.TB, addr string) *net.TCPConn {
	tb.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	nc, err := d.DialContext(tb.Context(), "tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var hdr [protocol.HeaderSize]byte
	if _, err := io.ReadFull(nc, hdr[:]); err != nil {
		tb.Fatalf("reading ValidateConnection: %v", err)
	}
	if !bytes.Equal(hdr[:], protocol.ValidateConnectionMessage) {
		tb.Fatalf("first message = % x, want ValidateConnection % x", hdr, protocol.ValidateConnectionMessage)
	}
	_ = nc.SetReadDeadline(time.Time{})
	return nc.(*net.TCPConn)
}

// readMessage reads one whole message from r.
func readMessage(r io.Reader) ([]byte, error) {
	msg := make([]byte, protocol.HeaderSize)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	h, err := protocol.ParseHeader(msg, 0)
	if err != nil {
		return nil, err
	}
	msg = append(msg, make([]byte, h.Size-protocol.HeaderSize)...)
	_, err = io.ReadFull(r, msg[protocol.HeaderSize:])
	return msg, err
}

// checkServerOutput checks what a server connection wrote after its ValidateConnection: whole,
// valid messages (a torn last one only if the stream ended with an error), only replies and
// heartbeats, and no reply to a oneway (request id 0).
func checkServerOutput(tb testing.TB, out []byte, readErr error) {
	tb.Helper()
	for len(out) > 0 {
		h, err := protocol.ParseHeader(out, 0)
		if err != nil && len(out) < protocol.HeaderSize && readErr != nil {
			return
		}
		if err != nil {
			tb.Fatalf("server wrote a bad header % x: %v", out[:min(len(out), protocol.HeaderSize)], err)
		}
		if h.Size > len(out) {
			if readErr != nil {
				return
			}
			tb.Fatalf("server wrote %d bytes of a %d-byte %v", len(out), h.Size, h.Type)
		}
		switch h.Type {
		case protocol.Reply:
			if h.Size < protocol.HeaderSize+5 {
				tb.Fatalf("server wrote a %d-byte reply", h.Size)
			}
			if id := int32(binary.LittleEndian.Uint32(out[protocol.HeaderSize:])); id == 0 {
				tb.Fatalf("server answered a oneway request: % x", out[:h.Size])
			}
		case protocol.ValidateConnection, protocol.CloseConnection:
		default:
			tb.Fatalf("server wrote a %v", h.Type)
		}
		out = out[h.Size:]
	}
}

// capturedCompressedRequest is echo("hello " * 50) to "test", compressed by Python Ice 3.7.8
// (ice/protocol/testdata/capture_compressed.py).
func capturedCompressedRequest(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("protocol/testdata/compressed_request.hex")
	if err != nil {
		tb.Fatal(err)
	}
	return icetest.Wire(tb, string(b))
}

// Messages to the loopback server, in the notation of ice-protocol.md.
const (
	pingTestWire = `49 63 65 50 01 00 01 00 00 00 2a 00 00 00 | 01 00 00 00 | 04 "test" 00 | 00 |
		08 "ice_ping" | 01 | 00 | 06 00 00 00 01 01`
	echoTestWire = `49 63 65 50 01 00 01 00 00 00 2a 00 00 00 | 02 00 00 00 | 04 "test" 00 | 00 |
		04 "echo" | 00 | 00 | 0a 00 00 00 01 01 03 "abc"`
	onewayEchoTestWire = `49 63 65 50 01 00 01 00 00 00 2a 00 00 00 | 00 00 00 00 | 04 "test" 00 | 00 |
		04 "echo" | 00 | 00 | 0a 00 00 00 01 01 03 "abc"`
	batchPingTestWire = `49 63 65 50 01 00 01 00 01 00 42 00 00 00 | 02 00 00 00 |
		04 "test" 00 | 00 | 08 "ice_ping" | 01 | 00 | 06 00 00 00 01 01 |
		04 "test" 00 | 00 | 04 "echo" | 00 | 00 | 0a 00 00 00 01 01 03 "abc"`
	// The §7.1 request: the loopback server has no Loc/Locator and answers ObjectNotExist.
	findAdapterByIDWire = `49 63 65 50 01 00 01 00 00 00 41 00 00 00 | 01 00 00 00 |
		07 "Locator" 03 "Loc" | 00 | 0f "findAdapterById" | 01 | 00 | 10 00 00 00 01 01 09 "MyAdapter"`
	validateConnectionWire = `49 63 65 50 01 00 01 00 03 00 0e 00 00 00`
	closeConnectionWire    = `49 63 65 50 01 00 01 00 04 01 0e 00 00 00`
)

// replyWire builds the reply the loopback server must send: request id, status OK and a 1.1
// encapsulation written by results.
func replyWire(id int32, results func(e *encoding.Encoder)) []byte {
	e := protocol.NewMessage(nil, protocol.Reply)
	e.WriteInt(id)
	_ = e.WriteByte(byte(protocol.ReplyOK))
	e.StartEncapsulation(encoding.Encoding11)
	if results != nil {
		results(e)
	}
	e.EndEncapsulation()
	return protocol.FinishMessage(e)
}

// TestServerAnswersRequests sends requests over a raw connection and checks the exact replies:
// twoway requests are answered (uncompressed, status 0, even for the compressed request Python
// Ice sent, §1.3), oneway and batch requests are not.
func TestServerAnswersRequests(t *testing.T) {
	srv := startLoopbackServer(t)
	echo := func(s string) func(*encoding.Encoder) { return func(e *encoding.Encoder) { e.WriteString(s) } }
	objectNotExist := icetest.Wire(t, `49 63 65 50 01 00 01 00 02 00 30 00 00 00 | 01 00 00 00 | 02 |
		07 "Locator" 03 "Loc" | 00 | 0f "findAdapterById"`)
	tests := []struct {
		name string
		send [][]byte
		want [][]byte
	}{
		{"ice_ping", [][]byte{icetest.Wire(t, pingTestWire)}, [][]byte{replyWire(1, nil)}},
		{"echo", [][]byte{icetest.Wire(t, echoTestWire)}, [][]byte{replyWire(2, echo("abc"))}},
		{"compressed echo from Python", [][]byte{capturedCompressedRequest(t)},
			[][]byte{replyWire(1, echo(string(bytes.Repeat([]byte("hello "), 50))))}},
		{"unknown object", [][]byte{icetest.Wire(t, findAdapterByIDWire)}, [][]byte{objectNotExist}},
		{"oneway, batch and heartbeat, then a twoway", [][]byte{icetest.Wire(t, onewayEchoTestWire),
			icetest.Wire(t, batchPingTestWire), icetest.Wire(t, validateConnectionWire), icetest.Wire(t, pingTestWire)},
			[][]byte{replyWire(1, nil)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc := dialRaw(t, srv.addr)
			_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := nc.Write(bytes.Join(tc.send, nil)); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				got, err := readMessage(nc)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("reply = % x, %v, want % x", got, err, want)
				}
			}
			// Nothing else: the next message the server sends is its CloseConnection.
			if _, err := nc.Write(icetest.Wire(t, closeConnectionWire)); err != nil {
				t.Fatal(err)
			}
			if rest, err := io.ReadAll(nc); err != nil || len(rest) != 0 {
				t.Errorf("after the replies the server sent % x, %v, want nothing and EOF", rest, err)
			}
		})
	}
}

// TestServerDropsBadConnections sends malformed input after ValidateConnection: the server must
// close that connection without sending anything (§1.1, §2.1), without waiting for the client
// to close, and keep serving other connections.
func TestServerDropsBadConnections(t *testing.T) {
	srv := startLoopbackServer(t)
	client := newClient(t)
	compressed := capturedCompressedRequest(t)
	tests := []struct {
		name string
		send []byte
	}{
		{"bad magic", icetest.Wire(t, `49 63 65 51 01 00 01 00 03 00 0e 00 00 00`)},
		{"HTTP", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"protocol 2.0", icetest.Wire(t, `49 63 65 50 02 00 01 00 03 00 0e 00 00 00`)},
		{"encoding 1.1 header", icetest.Wire(t, `49 63 65 50 01 00 01 01 03 00 0e 00 00 00`)},
		{"size 13", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 0d 00 00 00`)},
		{"size over the limit", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 01 00 10 00`)},
		{"unknown message type", icetest.Wire(t, `49 63 65 50 01 00 01 00 05 00 0e 00 00 00`)},
		{"ValidateConnection with a body", icetest.Wire(t, `49 63 65 50 01 00 01 00 03 00 0f 00 00 00 00`)},
		{"request header cut short", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 18 00 00 00 | 01 00 00 00 | 04 "test" 00`)},
		{"facet path of two elements", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 2c 00 00 00 | 01 00 00 00 |
			04 "test" 00 | 02 00 00 | 08 "ice_ping" | 01 | 00 | 06 00 00 00 01 01`)},
		{"operation mode 3", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 2a 00 00 00 | 01 00 00 00 | 04 "test" 00 | 00 |
			08 "ice_ping" | 03 | 00 | 06 00 00 00 01 01`)},
		{"params encapsulation larger than the message", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 2a 00 00 00 |
			01 00 00 00 | 04 "test" 00 | 00 | 08 "ice_ping" | 01 | 00 | 07 00 00 00 01 01`)},
		{"negative batch count", icetest.Wire(t, `49 63 65 50 01 00 01 00 01 00 12 00 00 00 | ff ff ff ff`)},
		{"batch count larger than the message", icetest.Wire(t, `49 63 65 50 01 00 01 00 01 00 12 00 00 00 | 00 00 00 10`)},
		{"short reply", icetest.Wire(t, `49 63 65 50 01 00 01 00 02 00 11 00 00 00 | 01 00 00`)},
		{"compressed, announced size too large", patchAt(compressed, protocol.HeaderSize, 344)},
		{"compressed, announced size too small", patchAt(compressed, protocol.HeaderSize, 342)},
		{"compressed, announced size over the limit", patchAt(compressed, protocol.HeaderSize, 2<<20)},
		{"compressed, block CRC flipped", patchAt(compressed, protocol.HeaderSize+4+10, 0xf6)},
		{"compressed, not bzip2", icetest.Wire(t, `49 63 65 50 01 00 01 00 00 02 1a 00 00 00 | 20 00 00 00 | "not bzip2!"`)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc := dialRaw(t, srv.addr)
			_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := nc.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(nc)
			if len(got) != 0 || errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("after % x the server sent % x, %v, want nothing and a close", tc.send, got, err)
			}
			srv.pingFresh(t, client, fmt.Sprint("drop", i))
		})
	}
	srv.waitNoConns(t, 5*time.Second)
}

// patchAt returns a copy of msg with a little-endian uint32 v at off (one byte if v < 256 and
// off is past the header's size field).
func patchAt(msg []byte, off int, v uint32) []byte {
	b := bytes.Clone(msg)
	if v < 256 && off > protocol.HeaderSize {
		b[off] = byte(v)
		return b
	}
	binary.LittleEndian.PutUint32(b[off:], v)
	return b
}

// stallServer fills a connection to srv with echo requests whose replies the client never
// reads, until the server's replies block in Write. It returns the server side of the
// connection.
func stallServer(t *testing.T, srv *loopbackServer) *Connection {
	t.Helper()
	nc := dialRaw(t, srv.addr)
	_ = nc.SetReadBuffer(4 << 10)
	big := string(bytes.Repeat([]byte("x"), 60<<10))
	var all []byte
	for i := int32(1); i <= 100; i++ {
		e := protocol.NewMessage(nil, protocol.Request)
		e.WriteInt(i)
		protocol.AppendRequestHeader(e, &protocol.RequestHeader{Identity: Identity{Name: "test"}, Operation: "echo"})
		e.StartEncapsulation(encoding.Encoding11)
		e.WriteString(big)
		e.EndEncapsulation()
		all = append(all, protocol.FinishMessage(e)...)
	}
	go func() { _, _ = nc.Write(all) }()
	var c *Connection
	for deadline := time.Now().Add(10 * time.Second); ; {
		srv.adapter.mu.RLock()
		for sc := range srv.adapter.conns {
			c = sc
		}
		srv.adapter.mu.RUnlock()
		if c != nil {
			c.mu.Lock()
			dispatching := c.dispatching
			c.mu.Unlock()
			if dispatching > 10 { // replies are queued behind a blocked write
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never blocked writing replies")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCloseWithStalledReader is the regression test for a graceful Close that never returned
// when the peer stopped reading: replies blocked in Write held the write lock, and Close waited
// for it forever to send CloseConnection, whatever its context said (so ObjectAdapter.Deactivate
// and Communicator.Destroy hung too).
func TestCloseWithStalledReader(t *testing.T) {
	srv := startLoopbackServer(t)
	c := stallServer(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	closed := make(chan struct{})
	go func() {
		c.Close(ctx, false)
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close(200ms) still blocked after 10s")
	}
	if err := c.Err(); err == nil {
		t.Errorf("Close(200ms) of a stalled connection: Err() = nil, want the close reason")
	}
	srv.pingFresh(t, newClient(t), "after-stall")
}

// TestSetACMTakesEffectAtOnce: a new ACM setting reschedules the monitor. It used to sleep out
// the old period first (30 s with the default 60 s timeout), so a peer with a short idle
// timeout closed the connection before the first heartbeat.
func TestSetACMTakesEffectAtOnce(t *testing.T) {
	srv := startLoopbackServer(t)
	nc := dialRaw(t, srv.addr)
	c := srv.accepted(t)
	if got := c.ACM(); got.Timeout < 10*time.Second {
		t.Fatalf("server ACM timeout = %v; this test needs a long default", got.Timeout)
	}
	c.SetACM(ACM{Timeout: 2 * time.Second, Heartbeat: HeartbeatAlways})
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	msg, err := readMessage(nc)
	if err != nil {
		t.Fatalf("no heartbeat within 10 s of SetACM(2 s, always): %v", err)
	}
	if !bytes.Equal(msg, protocol.ValidateConnectionMessage) {
		t.Errorf("first message after SetACM = % x, want a heartbeat", msg)
	}
}

// accepted waits for the adapter to accept a connection and returns it.
func (s *loopbackServer) accepted(tb testing.TB) *Connection {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		s.adapter.mu.RLock()
		for c := range s.adapter.conns {
			s.adapter.mu.RUnlock()
			return c
		}
		s.adapter.mu.RUnlock()
		if time.Now().After(deadline) {
			tb.Fatal("the server never accepted the connection")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOnHeartbeat: a heartbeat from the peer runs the connection's heartbeat callbacks; a
// request does not.
func TestOnHeartbeat(t *testing.T) {
	srv := startLoopbackServer(t)
	beats := make(chan struct{}, 4)
	nc := dialRaw(t, srv.addr)
	c := srv.accepted(t)
	c.OnHeartbeat(func(*Connection) { beats <- struct{}{} })
	if _, err := nc.Write(protocol.ValidateConnectionMessage); err != nil {
		t.Fatal(err)
	}
	select {
	case <-beats:
	case <-time.After(10 * time.Second):
		t.Fatal("no heartbeat callback within 10 s of a heartbeat")
	}
	_ = nc.Close()
	<-c.Done()
	select {
	case <-beats:
		t.Error("a second callback without a second heartbeat")
	default:
	}
}
