package zktest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

const sessionTimeout = 4 * time.Second

func TestStartThreeServers(t *testing.T) {
	start := time.Now()
	e := Start(t, 3)
	t.Logf("start-up: 3 servers serving after %v", time.Since(start).Round(time.Millisecond))

	if got := len(e.Addrs()); got != 3 {
		t.Fatalf("len(Addrs()) = %d, want 3", got)
	}
	if got, want := e.Servers(), strings.Join(e.Addrs(), ","); got != want {
		t.Errorf("Servers() = %q, want %q", got, want)
	}
	for i, addr := range e.Addrs() {
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("Addrs()[%d] = %q, want a 127.0.0.1 address", i, addr)
		}
		out, err := FourLetterWord(context.Background(), addr, "ruok")
		if err != nil || out != "imok" {
			t.Errorf("ruok to server %d = %q, %v, want imok", i, out, err)
		}
	}
	leader := e.Leader()
	t.Logf("leader: server %d", leader)

	c := connect(t, e.Addrs(), sessionTimeout)
	connected := time.Now()
	if _, err := c.Create("/zktest", []byte("hello"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("Create(/zktest) = %v", err)
	}
	t.Logf("first write %v after Connect", time.Since(connected).Round(time.Millisecond))
	data, _, err := c.Get("/zktest")
	if err != nil || string(data) != "hello" {
		t.Fatalf("Get(/zktest) = %q, %v, want hello", data, err)
	}

	// A second client on another server reads the same znode.
	other := connect(t, []string{e.Addrs()[(leader+1)%3]}, sessionTimeout)
	if _, err := other.Sync("/zktest"); err != nil {
		t.Fatalf("Sync(/zktest) = %v", err)
	}
	if data, _, err := other.Get("/zktest"); err != nil || string(data) != "hello" {
		t.Fatalf("Get(/zktest) on follower = %q, %v, want hello", data, err)
	}

	// Stop a follower: the other two keep serving writes; restarted, it catches up.
	follower := (leader + 2) % 3
	stopping := time.Now()
	e.Stop(follower)
	t.Logf("Stop(%d) took %v", follower, time.Since(stopping).Round(time.Millisecond))
	// c may have been connected to the stopped server: it fails over to another one.
	retryUntil(t, 10*time.Second, "Set(/zktest) with a follower stopped", func() error {
		_, err := c.Set("/zktest", []byte("again"), -1)
		return err
	})
	e.Start(follower)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.WaitServing(ctx); err != nil {
		t.Fatalf("WaitServing after restarting server %d: %v\n%s", follower, err, e.Logs())
	}
	restarted := connect(t, []string{e.Addrs()[follower]}, sessionTimeout)
	if _, err := restarted.Sync("/zktest"); err != nil {
		t.Fatalf("Sync(/zktest) on restarted server = %v", err)
	}
	if data, _, err := restarted.Get("/zktest"); err != nil || string(data) != "again" {
		t.Fatalf("Get(/zktest) on restarted server = %q, %v, want again", data, err)
	}
}

func TestStartOneServer(t *testing.T) {
	e := Start(t, 1)
	if got := e.Leader(); got != 0 {
		t.Errorf("Leader() = %d, want 0 (standalone)", got)
	}
	c := connect(t, e.Addrs(), sessionTimeout)
	if _, err := c.Create("/one", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("Create(/one) = %v", err)
	}
}

func TestKillLeader(t *testing.T) {
	e := Start(t, 3)
	c := connect(t, e.Addrs(), sessionTimeout)
	if _, err := c.Create("/failover", []byte("0"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("Create(/failover) = %v", err)
	}
	sid := c.SessionID()

	old := e.Leader()
	e.Kill(old)
	n := 0
	took := retryUntil(t, 90*time.Second, "write after killing the leader", func() error {
		n++
		_, err := c.Set("/failover", []byte(fmt.Sprint(n)), -1)
		return err
	})
	t.Logf("leader failover: server %d killed, write accepted again after %v", old, took.Round(time.Millisecond))
	newLeader := e.Leader()
	if newLeader == old {
		t.Fatalf("Leader() = %d after killing it", newLeader)
	}
	if got := c.SessionID(); got != sid {
		t.Errorf("SessionID() = %#x after failover, want %#x (session kept)", got, sid)
	}

	// The killed server comes back with its data and rejoins as a follower.
	e.Start(old)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.WaitServing(ctx); err != nil {
		t.Fatalf("WaitServing after restart: %v\n%s", err, e.Logs())
	}
	if got := e.Leader(); got != newLeader {
		t.Errorf("Leader() = %d after restarting server %d, want %d", got, old, newLeader)
	}
	direct := connect(t, []string{e.Addrs()[old]}, sessionTimeout)
	if _, err := direct.Sync("/failover"); err != nil {
		t.Fatalf("Sync on restarted server = %v", err)
	}
	if data, _, err := direct.Get("/failover"); err != nil || string(data) != fmt.Sprint(n) {
		t.Errorf("Get(/failover) on restarted server = %q, %v, want %d", data, err, n)
	}
}

func TestPauseLeader(t *testing.T) {
	e := Start(t, 3)
	old := e.Leader()
	e.Pause(old)
	paused := time.Now()

	if _, err := FourLetterWord(context.Background(), e.Addrs()[old], "ruok"); err == nil {
		t.Errorf("ruok to a paused server answered")
	}
	newLeader := e.Leader()
	t.Logf("server %d paused: server %d leads after %v", old, newLeader, time.Since(paused).Round(time.Millisecond))
	if newLeader == old {
		t.Fatalf("Leader() = %d, the paused server", newLeader)
	}

	var others []string
	for i, a := range e.Addrs() {
		if i != old {
			others = append(others, a)
		}
	}
	c := connect(t, others, sessionTimeout)
	retryUntil(t, 10*time.Second, "write with the leader paused", func() error {
		_, err := c.Create("/paused", nil, 0, zk.WorldACL(zk.PermAll))
		if errors.Is(err, zk.ErrNodeExists) {
			return nil
		}
		return err
	})

	e.Resume(old)
	resumed := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.WaitServing(ctx); err != nil {
		t.Fatalf("WaitServing after resume: %v\n%s", err, e.Logs())
	}
	t.Logf("server %d resumed: all serving after %v", old, time.Since(resumed).Round(time.Millisecond))
	if got := e.Leader(); got == old {
		t.Errorf("Leader() = %d after resume, want the old leader to follow", got)
	}
}

// TestProxyPartition partitions one client from a single server: while blackholed the
// session expires on the server (its ephemeral vanishes for an unproxied observer), and
// back in pass mode the client reconnects, learns of the expiry and gets a new session.
func TestProxyPartition(t *testing.T) {
	const timeout = 2 * time.Second
	e := Start(t, 1)
	ps := e.Proxies(t)
	if out, err := FourLetterWord(t.Context(), ps[0].Addr(), "ruok"); out != "imok" || err != nil {
		t.Fatalf("ruok through proxy = %q, %v, want imok", out, err)
	}
	c := connect(t, ps.Addrs(), timeout)
	c.waitState(t, zk.StateHasSession, 10*time.Second)
	sid := c.SessionID()
	if _, err := c.Create("/member", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("Create(/member) through pass proxy = %v", err)
	}
	observer := connect(t, e.Addrs(), timeout)
	ok, _, watch, err := observer.ExistsW("/member")
	if err != nil || !ok {
		t.Fatalf("ExistsW(/member) = %v, %v, want true", ok, err)
	}

	c.drain(t)
	ps.SetMode(ModeBlackhole)
	cut := time.Now()
	disc := c.waitState(t, zk.StateDisconnected, 3*timeout)
	t.Logf("blackhole: client disconnected after %v", disc.Sub(cut).Round(time.Millisecond))
	select {
	case ev := <-watch:
		if ev.Type != zk.EventNodeDeleted {
			t.Fatalf("observer watch = %v, want EventNodeDeleted", ev.Type)
		}
		t.Logf("blackhole: session expired on the server after %v", time.Since(cut).Round(time.Millisecond))
	case <-time.After(5 * timeout):
		t.Fatalf("ephemeral of a blackholed client not deleted within %v", 5*timeout)
	}

	ps.SetMode(ModePass)
	healed := time.Now()
	c.waitState(t, zk.StateExpired, 5*timeout)
	c.waitState(t, zk.StateHasSession, 5*timeout)
	t.Logf("pass: new session after %v", time.Since(healed).Round(time.Millisecond))
	if got := c.SessionID(); got == sid {
		t.Errorf("SessionID() = %#x after expiry, want a new session", got)
	}
	if _, err := c.Create("/member", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Errorf("Create(/member) after reconnect = %v", err)
	}
}
