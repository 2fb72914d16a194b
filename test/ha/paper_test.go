package ha_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

// TestPaperExperiment replays the published design's experiment: three replicas, r2 master;
// r2 is killed with -9; while its session still holds /Master (so nobody can be elected yet)
// the operator updates the deployment through ZooKeeper directly; r1 and r3 apply it; one of
// them becomes master with epoch 2 and accepts a write; r2, restarted on the same data
// directory, re-registers as a slave and serves the updated deployment and the new
// application.
func TestPaperExperiment(t *testing.T) {
	c := newCluster(t)
	rs := c.startReplicas(t, "r2", "r1", "r3")
	r2, r1, r3 := rs[0], rs[1], rs[2]
	if m, epoch := waitMaster(t, 5*time.Second, rs...); m != r2 || epoch != 1 {
		t.Fatalf("master = %s epoch %d, want r2 epoch 1", m.name, epoch)
	}
	mustDeploy(t, c, r1, http.MethodPost, "Paper", "v1") // through a slave: forwarded to r2
	c.registerAdapter(t, r3, "PaperAdapter")
	c.verify(t, 10*time.Second, rs...)
	// The registration went through r3's change log, which the others read: /metrics says so.
	if n := metric(t, r3, "floe_zk_log_entries_written_total"); n < 1 {
		t.Errorf("r3 floe_zk_log_entries_written_total = %v, want ≥ 1", n)
	}
	for _, r := range []*replica{r1, r2} {
		floetest.WaitUntil(t, 5*time.Second, r.name+" counts the entry it read", func() bool {
			return metric(t, r, "floe_zk_log_entries_read_total") >= 1
		})
	}

	killed := time.Now()
	r2.kill9(t)
	v2 := appXML("Paper", "v2 written with zkCli while there is no master")
	c.zkSetApp(t, "Paper", v2)
	c.ledger.ack("application/Paper", v2)
	written := time.Since(killed)
	if name, _ := c.zkMaster(t); name != "r2" {
		t.Fatalf("/Master names %q %v after the kill, want the dead r2 (its session must not have expired yet)", name, written)
	}
	for _, r := range []*replica{r1, r3} {
		if role := r.role(); role != "slave" {
			t.Fatalf("%s is %q %v after the kill, want slave: the update must land while there is no master", r.name, role, written)
		}
	}
	t.Logf("deployment updated through ZooKeeper %v after kill -9 of the master, before its session expired", written.Round(time.Millisecond))

	for _, r := range []*replica{r1, r3} {
		floetest.WaitUntil(t, 5*time.Second, r.name+" applies the ZooKeeper update", func() bool {
			got, err := current(r, "application/Paper")
			return err == nil && got == v2
		})
		t.Logf("%s serves the update %v after the kill (role %s)", r.name, time.Since(killed).Round(time.Millisecond), r.role())
	}

	master, epoch := waitMaster(t, failoverBound, r1, r3)
	t.Logf("failover: %s is master with epoch %d %v after kill -9", master.name, epoch, time.Since(killed).Round(time.Millisecond))
	if epoch != 2 {
		t.Errorf("new master's epoch = %d, want 2", epoch)
	}
	slave := r1
	if master == r1 {
		slave = r3
	}
	floetest.WaitUntil(t, 5*time.Second, slave.name+" sees the new master", func() bool {
		m, err := slave.registries()
		return err == nil && m[master.name] == "master"
	})
	mustDeploy(t, c, slave, http.MethodPost, "PaperNew", "v1") // forwarded to the new master
	c.verify(t, 10*time.Second, r1, r3)

	r2.start(t)
	floetest.WaitUntil(t, 10*time.Second, "r2 re-registers as a slave", func() bool {
		m, err := master.registries()
		return err == nil && m["r2"] == "slave" && r2.role() == "slave"
	})
	c.verify(t, 10*time.Second, r1, r2, r3)
	c.checkLookups(t, floetest.NewCommunicator(t), r1, r2, r3)
	if got := c.zkEpoch(t); got != "2" {
		t.Errorf("/Epoch = %s after r2's restart, want 2 (a restarted replica must not win an election)", got)
	}

	// A descriptor that does not parse is not applied: the last good version keeps serving and
	// every replica reports why.
	c.zkSetApp(t, "Paper", `<icegrid><application name="Paper">`)
	for _, r := range rs {
		floetest.WaitUntil(t, 5*time.Second, r.name+" reports the invalid descriptor", func() bool {
			i, err := r.info()
			return err == nil && i.Invalid["application/Paper"] != ""
		})
	}
	for _, r := range rs {
		if got, err := current(r, "application/Paper"); err != nil || got != v2 {
			t.Errorf("%s serves %q, %v after an invalid update, want the last good version", r.name, got, err)
		}
	}
}

// metric returns the value of an unlabelled metric in the replica's /metrics, -1 if it is not
// there.
func metric(t *testing.T, r *replica, name string) float64 {
	t.Helper()
	code, body, err := r.do(http.MethodGet, "/metrics", "")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET %s /metrics: %d %v", r.name, code, err)
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", name, line, err)
			}
			return f
		}
	}
	return -1
}
