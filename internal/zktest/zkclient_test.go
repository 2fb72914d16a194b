package zktest

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// client is a go-zookeeper connection whose session events are buffered for the test
// (go-zk's own event channel holds 6 and drops the rest, reference/zookeeper.md §1.3).
type client struct {
	*zk.Conn
	events chan zk.Event
}

// connect opens a session to addrs and closes it at cleanup. The dialer clamps every
// deadline to timeout/3 (reference/zookeeper.md §1.5), so a blackholed handshake does not
// stall the client for ~6.7 session timeouts.
func connect(t *testing.T, addrs []string, timeout time.Duration) *client {
	t.Helper()
	c := &client{events: make(chan zk.Event, 1024)}
	var mu sync.Mutex // guards alive; go-zk logs from its own goroutines
	alive := true
	t.Cleanup(func() { mu.Lock(); alive = false; mu.Unlock() })
	logger := loggerFunc(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if alive {
			t.Logf("go-zk: "+format, args...)
		}
	})
	conn, _, err := zk.Connect(addrs, timeout,
		zk.WithLogger(logger),
		zk.WithDialer(clampDialer(timeout/3)),
		zk.WithEventCallback(func(ev zk.Event) {
			if ev.Type == zk.EventSession {
				select {
				case c.events <- ev:
				default: // a test that floods this many events has failed anyway
				}
			}
		}))
	if err != nil {
		t.Fatalf("zk.Connect(%v) = %v", addrs, err)
	}
	c.Conn = conn
	t.Cleanup(conn.Close)
	return c
}

type loggerFunc func(format string, args ...any)

func (f loggerFunc) Printf(format string, args ...any) { f(format, args...) }

// waitState waits up to d for a session event with state want and returns when it came.
func (c *client) waitState(t *testing.T, want zk.State, d time.Duration) time.Time {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case ev := <-c.events:
			t.Logf("session event: %v", ev.State)
			if ev.State == want {
				return time.Now()
			}
		case <-timer.C:
			t.Fatalf("no session event %v within %v", want, d)
		}
	}
}

// drain logs and discards the session events received so far.
func (c *client) drain(t *testing.T) {
	t.Helper()
	for {
		select {
		case ev := <-c.events:
			t.Logf("session event (earlier): %v", ev.State)
		default:
			return
		}
	}
}

func clampDialer(limit time.Duration) zk.Dialer {
	return func(network, addr string, timeout time.Duration) (net.Conn, error) {
		d := net.Dialer{Timeout: timeout}
		c, err := d.DialContext(context.Background(), network, addr)
		if err != nil {
			return nil, err
		}
		return clampConn{Conn: c, limit: limit}, nil
	}
}

// clampConn bounds every non-zero deadline to now+limit.
type clampConn struct {
	net.Conn
	limit time.Duration
}

func (c clampConn) clamp(t time.Time) time.Time {
	if lim := time.Now().Add(c.limit); !t.IsZero() && t.After(lim) {
		return lim
	}
	return t
}

func (c clampConn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c clampConn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c clampConn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }

// retryUntil calls op every 50 ms until it returns nil or d passes, and returns how long
// that took.
func retryUntil(t *testing.T, d time.Duration, what string, op func() error) time.Duration {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < d {
		if err = op(); err == nil {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: still failing after %v: %v", what, d, err)
	return 0
}
