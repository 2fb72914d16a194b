package ha_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
)

// writer keeps writing through the given replicas until stopped: updates of one application
// (forwarded to the master by slaves) and new well-known objects (written by any replica),
// every outcome recorded in the ledger.
type writer struct {
	stop   chan struct{}
	wg     sync.WaitGroup
	acked  atomic.Int64
	failed atomic.Int64
}

func startWriter(c *cluster, app string, via ...*replica) *writer {
	w := &writer{stop: make(chan struct{})}
	w.wg.Go(func() {
		for i := 1; ; i++ {
			r := via[i%len(via)]
			for _, err := range []error{
				c.deployApp(r, http.MethodPut, app, fmt.Sprintf("write %d through %s", i, r.name)),
				c.addObject(r, fmt.Sprintf("%s-obj-%d", app, i), "::HA::Object"),
			} {
				if err != nil {
					w.failed.Add(1)
				} else {
					w.acked.Add(1)
				}
			}
			select {
			case <-w.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	return w
}

func (w *writer) halt() {
	close(w.stop)
	w.wg.Wait()
}

// TestKillMaster kills the master with -9 while writes flow through the slaves: a new master
// is elected within about the session timeout, and every write acknowledged before, during
// and after the failover is on every replica.
func TestKillMaster(t *testing.T) {
	c := newCluster(t)
	rs := c.startReplicas(t, "r1", "r2", "r3")
	r1, r2, r3 := rs[0], rs[1], rs[2]
	c.registerAdapter(t, r2, "KillAdapter")
	mustDeploy(t, c, r2, http.MethodPost, "Churn", "first")

	w := startWriter(c, "Churn", r2, r3)
	floetest.WaitUntil(t, 10*time.Second, "writes before the kill", func() bool { return w.acked.Load() >= 10 })
	before := w.acked.Load()
	killed := time.Now()
	r1.kill9(t)
	master, epoch := waitMaster(t, failoverBound, r2, r3)
	failover := time.Since(killed)
	t.Logf("failover after kill -9 of the master: %s is master with epoch %d after %v", master.name, epoch, failover.Round(time.Millisecond))
	if epoch != 2 {
		t.Errorf("new master's epoch = %d, want 2", epoch)
	}
	during := w.acked.Load()
	floetest.WaitUntil(t, 10*time.Second, "writes after the failover", func() bool { return w.acked.Load() >= during+10 })
	w.halt()
	t.Logf("writes: %d acknowledged before the kill, %d in all, %d failed", before, w.acked.Load(), w.failed.Load())

	c.verify(t, 10*time.Second, r2, r3)
	c.checkLookups(t, floetest.NewCommunicator(t), r2, r3)
	r1.start(t)
	floetest.WaitUntil(t, 10*time.Second, "r1 rejoins as a slave", func() bool { return r1.role() == "slave" })
	c.verify(t, 10*time.Second, rs...)
}

// TestPauseMaster freezes the master (SIGSTOP) past its session timeout. Another replica
// becomes master and writes; right after SIGCONT the old master is sent an update. It must not
// land under the old epoch: the old master refuses it or forwards it to the new master, and
// ZooKeeper holds the new master's version. The old master then reports itself a slave.
func TestPauseMaster(t *testing.T) {
	c := newCluster(t)
	rs := c.startReplicas(t, "r1", "r2", "r3")
	r1, r2, r3 := rs[0], rs[1], rs[2]
	c.registerAdapter(t, r3, "PauseAdapter")
	mustDeploy(t, c, r2, http.MethodPost, "Fence", "v1 by r1")
	mustAddObject(t, c, r3, "pause-obj-1", "::HA::Before")

	stopped := time.Now()
	r1.signal(t, syscall.SIGSTOP)
	master, epoch := waitMaster(t, failoverBound, r2, r3)
	t.Logf("failover while the master is frozen: %s is master with epoch %d after %v", master.name, epoch, time.Since(stopped).Round(time.Millisecond))
	if epoch != 2 {
		t.Errorf("new master's epoch = %d, want 2", epoch)
	}
	mustDeploy(t, c, master, http.MethodPut, "Fence", "v2 by the new master")
	mustAddObject(t, c, r3, "pause-obj-2", "::HA::During")
	_, v2version := c.zkApp(t, "Fence")
	if d := 2*sessionTimeout - time.Since(stopped); d > 0 {
		time.Sleep(d) // frozen for twice the session timeout
	}

	r1.signal(t, syscall.SIGCONT)
	resumed := time.Now()
	status, body, err := r1.do(http.MethodPut, "/api/v1/applications/Fence", appXML("Fence", "v3 sent to the old master"))
	t.Logf("old master answered a PUT %v after SIGCONT: %d %s %v", time.Since(resumed).Round(time.Millisecond), status, body, err)
	_ = c.ledger.record("application/Fence", appXML("Fence", "v3 sent to the old master"), status, body, err) // the outcome is checked below
	got, version := c.zkApp(t, "Fence")
	switch {
	case err == nil && status/100 == 2:
		// Forwarded: the new master wrote it on top of v2, so it is revision v2+1.
		var a struct{ Revision int32 }
		_ = json.Unmarshal(body, &a)
		if got != appXML("Fence", "v3 sent to the old master") || version != v2version+1 || a.Revision != version+1 {
			t.Errorf("after an acknowledged PUT to the old master, ZooKeeper holds %q version %d (answer: revision %d), want v3 written on top of version %d by the new master",
				got, version, a.Revision, v2version)
		}
	case got != appXML("Fence", "v2 by the new master") || version != v2version:
		t.Errorf("after a refused PUT (%d, %v) to the old master, ZooKeeper holds %q version %d, want the new master's v2 (version %d)", status, err, got, version, v2version)
	}
	if name, e := c.zkMaster(t); name != master.name || e != epoch || c.zkEpoch(t) != fmt.Sprint(epoch) {
		t.Errorf("/Master = %s epoch %d, /Epoch %s after SIGCONT, want %s epoch %d", name, e, c.zkEpoch(t), master.name, epoch)
	}
	floetest.WaitUntil(t, 10*time.Second, "the old master steps down", func() bool { return r1.role() == "slave" })
	t.Logf("old master is a slave %v after SIGCONT", time.Since(resumed).Round(time.Millisecond))
	floetest.WaitUntil(t, 10*time.Second, "r1 re-registers", func() bool {
		m, err := master.registries()
		return err == nil && m["r1"] == "slave"
	})
	c.verify(t, 10*time.Second, rs...)
	c.checkLookups(t, floetest.NewCommunicator(t), rs...)
}
