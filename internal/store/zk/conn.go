package zk

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clampConn bounds every deadline go-zookeeper sets to now+max, so a frozen server (SIGSTOP,
// half-dead VM) cannot stall the connect handshake for ~6.7 session timeouts
// (reference/zookeeper.md §1.5). It also records when the ensemble last answered: the
// master's lease runs from that instant.
type clampConn struct {
	net.Conn
	max      time.Duration
	lastRead *atomic.Int64 // unix nanoseconds
}

func (c clampConn) clamp(t time.Time) time.Time {
	if !t.IsZero() {
		if lim := time.Now().Add(c.max); t.After(lim) {
			return lim
		}
	}
	return t
}

func (c clampConn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c clampConn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c clampConn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }

func (c clampConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lastRead.Store(time.Now().UnixNano())
	}
	return n, err
}

func clampDialer(limit time.Duration, lastRead *atomic.Int64) func(string, string, time.Duration) (net.Conn, error) {
	return func(network, addr string, timeout time.Duration) (net.Conn, error) {
		if timeout > limit {
			timeout = limit
		}
		c, err := net.DialTimeout(network, addr, timeout) //nolint:noctx // go-zookeeper's dialer has no context; timeout bounds the dial
		if err != nil {
			return nil, err
		}
		return clampConn{Conn: c, max: limit, lastRead: lastRead}, nil
	}
}

// fastHosts is a zk.HostProvider that does not make go-zookeeper sleep a whole second after
// each pass over the servers (it sleeps when Next reports retryStart): it pauses 10 ms itself
// after a pass and reports a full pass only every hundredth time (about a second of fast
// passes, which covers a leader election), so a client finds the re-formed ensemble within
// about 10 ms of it serving again (reference/zookeeper.md §0). During a longer outage it tries
// each server about 80 times a second for a second, then once a second.
// passPause is the pause after a pass over the servers; passesPerRetry passes make one of
// go-zookeeper's retry rounds.
const (
	passPause      = 10 * time.Millisecond
	passesPerRetry = 100
)

type fastHosts struct {
	mu      sync.Mutex
	servers []string
	next    int
	passes  int
	tried   int // servers tried since the last successful connection
}

func (h *fastHosts) Init(servers []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.servers = append([]string(nil), servers...)
	for i, s := range h.servers {
		if !strings.Contains(s, ":") {
			h.servers[i] = net.JoinHostPort(s, "2181")
		}
	}
	return nil
}

func (h *fastHosts) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.servers)
}

func (h *fastHosts) Next() (string, bool) {
	h.mu.Lock()
	s := h.servers[h.next]
	h.next = (h.next + 1) % len(h.servers)
	h.tried++
	fullPass := h.tried > len(h.servers) && h.tried%len(h.servers) == 1
	if fullPass {
		h.passes++
	}
	pause := fullPass
	retryStart := fullPass && h.passes%passesPerRetry == 0 // go-zookeeper then fails queued requests and sleeps 1 s
	h.mu.Unlock()
	if pause && !retryStart {
		time.Sleep(passPause)
	}
	return s, retryStart
}

func (h *fastHosts) Connected() {
	h.mu.Lock()
	h.tried, h.passes = 0, 0
	h.mu.Unlock()
}
