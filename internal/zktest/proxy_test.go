package zktest

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoServer echoes every connection; closeAll closes the server side of each one.
type echoServer struct {
	ln       net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &echoServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Go(func() { _, _ = io.Copy(c, c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		s.closeAll()
		s.wg.Wait()
	})
	return s
}

func (s *echoServer) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(t.Context(), "tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes msg and reads it back within d.
func roundTrip(c net.Conn, msg string, d time.Duration) error {
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return errors.New("echo mismatch: " + string(buf))
	}
	return nil
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func TestProxyPass(t *testing.T) {
	echo := newEchoServer(t)
	p := NewProxy(t, echo.ln.Addr().String())
	if got := p.Mode(); got != ModePass {
		t.Fatalf("NewProxy().Mode() = %v, want %v", got, ModePass)
	}
	c := dial(t, p.Addr())
	for _, msg := range []string{"ruok", "hello, ensemble"} {
		if err := roundTrip(c, msg, 2*time.Second); err != nil {
			t.Fatalf("roundTrip(%q) through pass proxy = %v, want nil", msg, err)
		}
	}
}

// TestProxyPassCloseKeepsData: a server that answers and closes at once (like a four-letter
// word) must have its answer delivered, then EOF, not a reset that discards it.
func TestProxyPassCloseKeepsData(t *testing.T) {
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, "imok")
			c.Close()
		}
	})
	p := NewProxy(t, ln.Addr().String())
	for range 20 {
		c := dial(t, p.Addr())
		if err := c.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(c)
		if string(b) != "imok" || err != nil {
			t.Fatalf("ReadAll through proxy = %q, %v, want imok, nil", b, err)
		}
	}
}

func TestProxyDrop(t *testing.T) {
	echo := newEchoServer(t)
	p := NewProxy(t, echo.ln.Addr().String())
	old := dial(t, p.Addr())
	if err := roundTrip(old, "a", 2*time.Second); err != nil {
		t.Fatalf("roundTrip before drop = %v", err)
	}

	p.SetMode(ModeDrop)
	start := time.Now()
	if err := roundTrip(old, "b", 2*time.Second); err == nil || isTimeout(err) {
		t.Errorf("roundTrip on existing connection after drop = %v, want reset/EOF", err)
	}
	// The reset may even beat the dialer's check of the connect result.
	d := net.Dialer{Timeout: time.Second}
	if fresh, err := d.DialContext(t.Context(), "tcp", p.Addr()); err == nil {
		err = roundTrip(fresh, "c", 2*time.Second)
		fresh.Close()
		if err == nil || isTimeout(err) {
			t.Errorf("roundTrip on new connection while dropping = %v, want reset/EOF", err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("drop took %v to show, want immediate", d)
	}

	p.SetMode(ModePass)
	if err := roundTrip(dial(t, p.Addr()), "d", 2*time.Second); err != nil {
		t.Errorf("roundTrip after back to pass = %v, want nil", err)
	}
}

func TestProxyBlackhole(t *testing.T) {
	echo := newEchoServer(t)
	p := NewProxy(t, echo.ln.Addr().String())
	old := dial(t, p.Addr())
	if err := roundTrip(old, "a", 2*time.Second); err != nil {
		t.Fatalf("roundTrip before blackhole = %v", err)
	}

	p.SetMode(ModeBlackhole)
	if err := roundTrip(old, "b", 300*time.Millisecond); !isTimeout(err) {
		t.Errorf("roundTrip on existing connection in blackhole = %v, want timeout", err)
	}
	// The server closing its side must not reach the client either: no FIN through a partition.
	echo.closeAll()
	if err := roundTrip(old, "c", 300*time.Millisecond); !isTimeout(err) {
		t.Errorf("roundTrip after server closed, in blackhole = %v, want timeout", err)
	}
	accepted := echo.accepted.Load()
	fresh := dial(t, p.Addr())
	if err := roundTrip(fresh, "d", 300*time.Millisecond); !isTimeout(err) {
		t.Errorf("roundTrip on new connection in blackhole = %v, want timeout", err)
	}
	if got := echo.accepted.Load(); got != accepted {
		t.Errorf("server accepted %d connections during blackhole, want 0", got-accepted)
	}

	p.SetMode(ModePass)
	if err := roundTrip(dial(t, p.Addr()), "e", 2*time.Second); err != nil {
		t.Errorf("roundTrip on new connection after back to pass = %v, want nil", err)
	}
	if err := roundTrip(fresh, "f", 300*time.Millisecond); err == nil {
		t.Errorf("roundTrip on a blackholed connection after back to pass = nil, want it to stay dead")
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{ModePass: "pass", ModeDrop: "drop", ModeBlackhole: "blackhole", 7: "Mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int32(m), got, want)
		}
	}
}
