package ha_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/internal/zktest"
)

// TestReplicaCutFromZooKeeper reaches ZooKeeper through TCP proxies, one set per replica, and
// cuts the master from the ensemble, first by resetting its connections (Drop), then, with the
// next master, by swallowing every byte (Blackhole). The cut master steps down before another
// replica takes over, keeps answering lookups and refuses writes quickly; once the proxies
// pass again it rejoins as a slave and catches up on what changed meanwhile.
func TestReplicaCutFromZooKeeper(t *testing.T) {
	c := newCluster(t)
	proxies := map[*replica]zktest.Proxies{}
	var rs []*replica
	for i, name := range []string{"r1", "r2", "r3"} {
		ps := c.ens.Proxies(t)
		r := c.replica(t, name, ps.Servers())
		proxies[r] = ps
		r.start(t)
		if i == 0 {
			floetest.WaitUntil(t, 30*time.Second, "r1 master", func() bool { return r.role() == "master" })
		}
		rs = append(rs, r)
	}
	comm := floetest.NewCommunicator(t)
	c.registerAdapter(t, rs[1], "CutAdapter")
	mustDeploy(t, c, rs[2], http.MethodPost, "Cut", "v0")
	mustAddObject(t, c, rs[2], "cut-obj-0", "::HA::Before")
	c.verify(t, 10*time.Second, rs...)

	for phase, mode := range []zktest.Mode{zktest.ModeDrop, zktest.ModeBlackhole} {
		cut, epoch := waitMaster(t, 10*time.Second, rs...)
		var others []*replica
		for _, r := range rs {
			if r != cut {
				others = append(others, r)
			}
		}
		start := time.Now()
		proxies[cut].SetMode(mode)
		stepDown, master, newEpoch := waitHandover(t, cut, others)
		t.Logf("%v: master %s cut from ZooKeeper; it stepped down after %v, %s became master (epoch %d) after %v",
			mode, cut.name, stepDown.Round(time.Millisecond), master.name, newEpoch, time.Since(start).Round(time.Millisecond))
		if newEpoch != epoch+1 {
			t.Errorf("%v: new master's epoch = %d, want %d", mode, newEpoch, epoch+1)
		}

		c.checkLookups(t, comm, cut) // served from memory without ZooKeeper
		begin := time.Now()
		err := c.deployApp(cut, http.MethodPut, "Cut", fmt.Sprintf("v%d sent to the cut replica", phase+1))
		t.Logf("%v: a write sent to the cut replica: %v after %v", mode, err, time.Since(begin).Round(time.Millisecond))
		if err == nil || time.Since(begin) > 5*time.Second {
			t.Errorf("%v: PUT to the replica cut from ZooKeeper = %v after %v, want a refusal within a few seconds", mode, err, time.Since(begin))
		}

		// Changes the cut replica must catch up on.
		mustDeploy(t, c, master, http.MethodPut, "Cut", fmt.Sprintf("v%d by %s", phase+1, master.name))
		mustAddObject(t, c, others[0], fmt.Sprintf("cut-obj-%d", phase+1), "::HA::During")
		c.registerAdapter(t, others[1], fmt.Sprintf("CutAdapter%d", phase+1))

		healed := time.Now()
		proxies[cut].SetMode(zktest.ModePass)
		floetest.WaitUntil(t, 15*time.Second, cut.name+" rejoins as a slave", func() bool {
			m, err := master.registries()
			return err == nil && m[cut.name] == "slave" && cut.role() == "slave"
		})
		t.Logf("%v: %s rejoined as a slave %v after the proxies passed again", mode, cut.name, time.Since(healed).Round(time.Millisecond))
		c.verify(t, 15*time.Second, rs...)
		c.checkLookups(t, comm, rs...)
	}
}

// waitHandover polls the cut master and the others until the cut one no longer says master
// and one of the others does. It returns when the cut one stepped down, the new master and its
// epoch, and reports an error if the new master came first: for a while there would be two.
func waitHandover(t *testing.T, cut *replica, others []*replica) (time.Duration, *replica, int64) {
	t.Helper()
	start := time.Now()
	var stepDown, elected time.Duration
	var master *replica
	var epoch int64
	floetest.WaitUntil(t, failoverBound, "handover from "+cut.name, func() bool {
		if stepDown == 0 && cut.role() != "master" {
			stepDown = time.Since(start)
		}
		for _, r := range others {
			if i, err := r.info(); master == nil && err == nil && i.Role == "master" {
				master, epoch, elected = r, i.Epoch, time.Since(start)
			}
		}
		return stepDown != 0 && master != nil
	})
	if elected < stepDown {
		t.Errorf("%s became master %v after the cut, before %s stepped down (%v)", master.name, elected, cut.name, stepDown)
	}
	return stepDown, master, epoch
}
