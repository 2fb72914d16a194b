package zktest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Mode is what a Proxy does with bytes and connections.
type Mode int32

const (
	// ModePass forwards bytes both ways; each accepted connection dials the target.
	ModePass Mode = iota
	// ModeDrop resets every current connection and every new one as soon as it is accepted,
	// like a server that is down (the client sees ECONNRESET, not a timeout).
	ModeDrop
	// ModeBlackhole keeps connections open but discards every byte both ways, and accepts new
	// connections without ever dialling the target: a partition without RST or FIN. A
	// connection that saw Blackhole stays dead after switching back to Pass; new ones work.
	ModeBlackhole
)

func (m Mode) String() string {
	switch m {
	case ModePass:
		return "pass"
	case ModeDrop:
		return "drop"
	case ModeBlackhole:
		return "blackhole"
	}
	return fmt.Sprintf("Mode(%d)", int32(m))
}

const proxyDialTimeout = time.Second

// Proxy is a TCP proxy on 127.0.0.1 in front of one target address, for partitioning a
// client from a server. It is closed by the t.Cleanup that NewProxy registers.
type Proxy struct {
	target string
	ln     net.Listener
	ctx    context.Context // cancelled by close; bounds dials to the target
	cancel context.CancelFunc
	wg     sync.WaitGroup // accept loop, dials and copy loops

	mu     sync.Mutex         // guards the fields below; SetMode holds it while applying
	mode   Mode               // current mode
	links  map[*link]struct{} // open connections
	closed bool
}

// link is one proxied connection. upstream is nil when the client arrived in Blackhole.
type link struct {
	client, upstream net.Conn
	dead             atomic.Bool // blackholed: discard everything, forever
}

// NewProxy starts a proxy in ModePass that forwards connections to target.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("zktest: NewProxy(%s): %v", target, err)
	}
	p := &Proxy{target: target, ln: ln, links: map[*link]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Go(p.acceptLoop)
	tb.Cleanup(p.close)
	return p
}

// Addr returns the proxy's listening address ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target returns the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// Mode returns the current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// SetMode switches the mode for current and future connections. It is safe for concurrent
// use.
func (p *Proxy) SetMode(m Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	for l := range p.links {
		switch m {
		case ModeDrop:
			p.dropLocked(l, true)
		case ModeBlackhole:
			l.dead.Store(true)
		case ModePass: // live links keep passing, dead ones stay dead
		}
	}
}

func (p *Proxy) acceptLoop() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				time.Sleep(10 * time.Millisecond) // e.g. EMFILE; the listener is still open
				continue
			}
			return
		}
		switch p.Mode() {
		case ModeDrop:
			reset(c)
		case ModeBlackhole:
			l := &link{client: c}
			l.dead.Store(true)
			if p.track(l) {
				p.wg.Go(func() { p.pipe(l, l.client, nil) })
			}
		default:
			p.wg.Go(func() { p.dial(c) })
		}
	}
}

// dial connects an accepted client to the target and starts copying.
func (p *Proxy) dial(c net.Conn) {
	d := net.Dialer{Timeout: proxyDialTimeout}
	up, err := d.DialContext(p.ctx, "tcp", p.target)
	if err != nil {
		reset(c)
		return
	}
	l := &link{client: c, upstream: up}
	if !p.track(l) {
		return
	}
	p.wg.Go(func() { p.pipe(l, l.client, l.upstream) })
	p.wg.Go(func() { p.pipe(l, l.upstream, l.client) })
}

// track registers l under the current mode; it reports false (and closes l) when the proxy
// is closed or dropping.
func (p *Proxy) track(l *link) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == ModeDrop {
		p.dropLocked(l, true)
		return false
	}
	if p.mode == ModeBlackhole {
		l.dead.Store(true)
	}
	p.links[l] = struct{}{}
	return true
}

// pipe copies src to dst until src fails, then closes both sides (FIN, so bytes already
// written still arrive). On a dead link nothing is written, and the end of one side is not
// passed on to the other: only src is closed. dst is nil for a client that arrived in
// Blackhole.
func (p *Proxy) pipe(l *link, src, dst net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && dst != nil && !l.dead.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil && !l.dead.Load() {
				p.drop(l, false)
				return
			}
		}
		if err != nil {
			if l.dead.Load() {
				src.Close()
			} else {
				p.drop(l, false)
			}
			return
		}
	}
}

func (p *Proxy) drop(l *link, rst bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropLocked(l, rst)
}

// dropLocked closes both sides of l and forgets it; with rst the client gets RST instead of
// FIN, and whatever it has not read yet is lost. p.mu is held.
func (p *Proxy) dropLocked(l *link, rst bool) {
	delete(p.links, l)
	if rst {
		reset(l.client)
	} else {
		l.client.Close()
	}
	if l.upstream != nil {
		l.upstream.Close()
	}
}

// close stops accepting, drops every connection and waits for the proxy's goroutines.
func (p *Proxy) close() {
	p.cancel()
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for l := range p.links {
		p.dropLocked(l, true)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// reset closes c with SO_LINGER 0, so the peer gets RST instead of FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// Proxies is one Proxy per server of an Ensemble, in server order.
type Proxies []*Proxy

// Proxies starts one ModePass proxy per server, so a client given only ps.Addrs() can be
// partitioned from the ensemble (or from single servers) while others keep direct access.
func (e *Ensemble) Proxies(tb testing.TB) Proxies {
	tb.Helper()
	ps := make(Proxies, len(e.servers))
	for i, s := range e.servers {
		ps[i] = NewProxy(tb, s.addr())
	}
	return ps
}

// Addrs returns the proxies' addresses in order. The caller owns the slice.
func (ps Proxies) Addrs() []string {
	addrs := make([]string, len(ps))
	for i, p := range ps {
		addrs[i] = p.Addr()
	}
	return addrs
}

// Servers returns Addrs comma-joined, the form of Floe.ZooKeeper.Hosts.
func (ps Proxies) Servers() string { return strings.Join(ps.Addrs(), ",") }

// SetMode sets m on every proxy.
func (ps Proxies) SetMode(m Mode) {
	for _, p := range ps {
		p.SetMode(m)
	}
}
