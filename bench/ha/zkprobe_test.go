package ha

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/zktest"
)

// Raw ZooKeeper probes measured beside Floe in the same run, so that a Floe figure can be
// compared with what the ensemble itself allows on this machine at this moment.

// quickHosts is a zk.HostProvider that never makes go-zookeeper sleep its fixed second after a
// pass over the servers (reference: MORE-ANCHORS.md §D); it pauses 5 ms per pass instead. It
// stands for the best a client can do: the ensemble's own recovery time.
type quickHosts struct {
	mu      sync.Mutex
	servers []string
	next    int
}

func (h *quickHosts) Init(servers []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.servers = append([]string(nil), servers...)
	return nil
}

func (h *quickHosts) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.servers)
}

func (h *quickHosts) Next() (string, bool) {
	h.mu.Lock()
	s := h.servers[h.next]
	h.next = (h.next + 1) % len(h.servers)
	wrapped := h.next == 0
	h.mu.Unlock()
	if wrapped {
		time.Sleep(5 * time.Millisecond)
	}
	return s, false
}

func (h *quickHosts) Connected() {}

// zkClient connects to servers and waits (bounded) for the session.
func zkClient(servers []string, timeout time.Duration, quick bool) (*zk.Conn, error) {
	var hosts zk.HostProvider = zk.NewDNSHostProvider()
	if quick {
		hosts = &quickHosts{}
	}
	c, events, err := zk.Connect(servers, timeout, zk.WithLogger(nopLogger{}), zk.WithHostProvider(hosts))
	if err != nil {
		return nil, err
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e := <-events:
			if e.State == zk.StateHasSession {
				go func() { // keep draining; go-zookeeper drops events when nobody reads
					for range events {
					}
				}()
				return c, nil
			}
		case <-deadline:
			c.Close()
			return nil, fmt.Errorf("zk: no session with %v within 20 s", servers)
		}
	}
}

// watchProbe is the raw ZooKeeper figure behind propagation: client a (on one follower) sets a
// znode on which client b (on the other follower) has a data watch.
type watchProbe struct {
	a, b *zk.Conn
	n    int
}

const watchPath = "/ha-watch-probe"

func newWatchProbe(ens *zktest.Ensemble) (*watchProbe, error) {
	leader := ens.Leader()
	var followers []string
	for i, a := range ens.Addrs() {
		if i != leader {
			followers = append(followers, a)
		}
	}
	a, err := zkClient(followers[:1], 4*time.Second, false)
	if err != nil {
		return nil, err
	}
	b, err := zkClient(followers[1:2], 4*time.Second, false)
	if err != nil {
		a.Close()
		return nil, err
	}
	p := &watchProbe{a: a, b: b}
	if _, err := a.Create(watchPath, []byte("0"), 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
		p.close()
		return nil, err
	}
	if _, err := b.Sync(watchPath); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *watchProbe) close() {
	p.a.Close()
	p.b.Close()
}

// sample returns the time from a's acknowledgement to b's event, and from a's call to b's
// event.
func (p *watchProbe) sample() (fromAck, fromCall time.Duration, err error) {
	_, _, ch, err := p.b.GetW(watchPath)
	if err != nil {
		return 0, 0, err
	}
	p.n++
	call := time.Now()
	if _, err := p.a.Set(watchPath, []byte(strconv.Itoa(p.n)), -1); err != nil {
		return 0, 0, err
	}
	acked := time.Now()
	select {
	case <-ch:
		now := time.Now()
		return now.Sub(acked), now.Sub(call), nil
	case <-time.After(3 * time.Second):
		return 0, 0, fmt.Errorf("zk: watch on %s did not fire within 3 s", watchPath)
	}
}

// ensembleServing polls srvr on addrs every 5 ms and sends the time when every one of them
// reports leader or follower (bounded by ctx).
func ensembleServing(ctx context.Context, addrs []string) <-chan time.Time {
	out := make(chan time.Time, 1)
	go func() {
		for ctx.Err() == nil {
			all := true
			for _, a := range addrs {
				s, err := zktest.FourLetterWord(ctx, a, "srvr")
				if err != nil || !strings.Contains(s, "Mode: leader") && !strings.Contains(s, "Mode: follower") {
					all = false
					break
				}
			}
			if all {
				out <- time.Now()
				return
			}
			sleep(ctx, 5*time.Millisecond)
		}
	}()
	return out
}

// firstWrite sets path through c every 5 ms until one succeeds (bounded by ctx) and sends the
// time of that acknowledgement.
func firstWrite(ctx context.Context, c *zk.Conn, path string) <-chan time.Time {
	out := make(chan time.Time, 1)
	go func() {
		for n := 0; ctx.Err() == nil && n < 100000; n++ {
			if _, err := c.Set(path, []byte(fmt.Sprint(n)), -1); err == nil {
				out <- time.Now()
				return
			}
			sleep(ctx, 5*time.Millisecond)
		}
	}()
	return out
}

// zkDirs returns the data directory of every ZooKeeper server zktest created (s1, s2, …), found
// through the working directory of any live server.
func zkDirs() []string {
	for _, pid := range childPIDs("QuorumPeerMain") {
		if dir, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil {
			all, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "s*"))
			return all
		}
	}
	return nil
}

// recoverEnsemble restarts any ZooKeeper server that exited on its own (not killed by this
// benchmark: those are restarted where they are killed) and waits until all serve. It saves the
// crashed servers' logs first. It must run on the benchmark's goroutine (zktest's rule).
func recoverEnsemble(ctx context.Context, rep *report, ens *zktest.Ensemble, logDir string) error {
	alive := map[string]bool{}
	for _, pid := range childPIDs("QuorumPeerMain") {
		if dir, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil {
			alive[filepath.Base(dir)] = true
		}
	}
	dirs := zkDirs()
	for i := range ens.N() {
		name := fmt.Sprintf("s%d", i+1)
		if alive[name] {
			continue
		}
		for _, d := range dirs {
			if filepath.Base(d) == name {
				copyFile(rep, filepath.Join(d, "server.log"), filepath.Join(logDir, fmt.Sprintf("zookeeper-%s-crashed-%s.log", name, time.Now().Format("150405"))))
			}
		}
		rep.note("ZooKeeper server %d (%s) had exited on its own; restarted it (its log is saved under logs/)", i, name)
		ens.Start(i)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return ens.WaitServing(wctx)
}
