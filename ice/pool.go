package ice

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"floe/ice/reference"
)

// connPool holds the outgoing connections of a communicator, keyed by endpoint address and
// connection id, so that proxies to the same server share one connection.
type connPool struct {
	comm *Communicator
	mu   sync.Mutex
	m    map[string]*Connection
	dial map[string]*dialCall // dials in progress, so concurrent callers share one
}

type dialCall struct {
	done chan struct{}
	conn *Connection
	err  error
}

func newConnPool(c *Communicator) *connPool {
	return &connPool{comm: c, m: map[string]*Connection{}, dial: map[string]*dialCall{}}
}

func poolKey(ep reference.TCPEndpoint, connID string) string {
	return net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port))) + "|" + connID
}

// get returns an open connection to ep, dialling one if needed.
func (p *connPool) get(ctx context.Context, ep reference.TCPEndpoint, connID string) (*Connection, error) {
	key := poolKey(ep, connID)
	p.mu.Lock()
	if c := p.m[key]; c != nil && !c.closing() {
		p.mu.Unlock()
		return c, nil
	}
	if call := p.dial[key]; call != nil {
		p.mu.Unlock()
		select {
		case <-call.done:
			return call.conn, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if p.comm.isDestroyed() {
		p.mu.Unlock()
		return nil, ErrCommunicatorDestroyed
	}
	call := &dialCall{done: make(chan struct{})}
	p.dial[key] = call
	p.mu.Unlock()

	call.conn, call.err = p.connect(ctx, ep)
	p.mu.Lock()
	delete(p.dial, key)
	if call.err == nil {
		call.conn.poolKey = key
		p.m[key] = call.conn
	}
	p.mu.Unlock()
	close(call.done)
	if call.err == nil {
		call.conn.start()
	}
	return call.conn, call.err
}

// connect dials ep and waits for the server's ValidateConnection within the endpoint timeout.
func (p *connPool) connect(ctx context.Context, ep reference.TCPEndpoint) (*Connection, error) {
	timeout := time.Duration(ep.Timeout) * time.Millisecond
	if ep.Timeout < 0 {
		timeout = 0
	}
	d := net.Dialer{Timeout: timeout}
	host := ep.Host
	if host == "" || host == "*" {
		host = "127.0.0.1"
	}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(int(ep.Port))))
	if err != nil {
		return nil, &connectError{err: err}
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c := newConnection(p.comm, nc, false, p.comm.acmClient, p.comm.maxSize)
	deadline := time.Time{}
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if dl, ok := ctx.Deadline(); ok && (deadline.IsZero() || dl.Before(deadline)) {
		deadline = dl
	}
	if err := c.validateClient(deadline); err != nil {
		_ = nc.Close()
		return nil, &connectError{err: err}
	}
	return c, nil
}

// connectError marks failures that happened before any request was sent, so retrying is safe.
type connectError struct{ err error }

func (e *connectError) Error() string { return fmt.Sprintf("ice: connect: %v", e.err) }
func (e *connectError) Unwrap() error { return e.err }

func (p *connPool) remove(c *Connection) {
	if c.poolKey == "" {
		return
	}
	p.mu.Lock()
	if p.m[c.poolKey] == c {
		delete(p.m, c.poolKey)
	}
	p.mu.Unlock()
}

// closeAll closes every outgoing connection gracefully, in parallel, within a bound.
func (p *connPool) closeAll() {
	p.mu.Lock()
	conns := make([]*Connection, 0, len(p.m))
	for _, c := range p.m {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.closeWithin(3 * time.Second) })
	}
	wg.Wait()
}
