package ha_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"floe/internal/floetest"
)

// restartServers restarts ZooKeeper servers and waits until the ensemble serves again.
func (c *cluster) restartServers(t *testing.T, servers ...int) {
	t.Helper()
	for _, i := range servers {
		c.ens.Start(i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.ens.WaitServing(ctx); err != nil {
		t.Fatalf("ZooKeeper after restarting servers %v: %v\n%s", servers, err, c.ens.Logs())
	}
}

// retryWrite repeats an application update through via until one is acknowledged and returns
// how long that took; it fails the test after d.
func (c *cluster) retryWrite(t *testing.T, d time.Duration, via *replica, app, what string) time.Duration {
	t.Helper()
	start := time.Now()
	for i := 1; ; i++ {
		err := c.deployApp(via, http.MethodPut, app, fmt.Sprintf("%s, attempt %d", what, i))
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Fatalf("%s: no write acknowledged within %v; last: %v", what, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestZooKeeperLeaderLoss kills the ZooKeeper leader: the ensemble elects another one, writes
// resume within a few seconds, the master is unchanged or re-elected, and nothing is lost.
func TestZooKeeperLeaderLoss(t *testing.T) {
	c := newCluster(t)
	rs := c.startReplicas(t, "r1", "r2", "r3")
	c.registerAdapter(t, rs[1], "LeaderAdapter")
	mustDeploy(t, c, rs[1], http.MethodPost, "Leader", "before")
	mustAddObject(t, c, rs[2], "leader-obj-1", "::HA::Before")
	master, epoch := waitMaster(t, 5*time.Second, rs...)

	leader := c.ens.Leader()
	killed := time.Now()
	c.ens.Kill(leader)
	resumed := c.retryWrite(t, 20*time.Second, rs[1], "Leader", "after the ZooKeeper leader's death")
	t.Logf("ZooKeeper leader (server %d) killed: deployment writes resumed after %v", leader, resumed.Round(time.Millisecond))
	start := time.Now()
	for i := 0; ; i++ {
		if err := c.addObject(rs[2], fmt.Sprintf("leader-obj-after-%d", i), "::HA::After"); err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("no object write acknowledged within 10s after the deployment writes resumed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("object writes resumed %v after the kill", time.Since(killed).Round(time.Millisecond))

	now, nowEpoch := waitMaster(t, 10*time.Second, rs...)
	if now == master && nowEpoch == epoch {
		t.Logf("master unchanged: %s, epoch %d", master.name, epoch)
	} else {
		t.Logf("master re-elected: %s epoch %d, was %s epoch %d", now.name, nowEpoch, master.name, epoch)
	}
	c.verify(t, 10*time.Second, rs...)
	c.checkLookups(t, floetest.NewCommunicator(t), rs...)
}

// TestZooKeeperQuorumLoss kills two of the three ZooKeeper servers for longer than two session
// timeouts: lookups are answered by every replica throughout, writes fail quickly, and once
// the servers are back everything recovers by itself, with no replica missing.
func TestZooKeeperQuorumLoss(t *testing.T) {
	c := newCluster(t)
	rs := c.startReplicas(t, "r1", "r2", "r3")
	comm := floetest.NewCommunicator(t)
	c.registerAdapter(t, rs[1], "QuorumAdapter")
	mustDeploy(t, c, rs[1], http.MethodPost, "Quorum", "before")
	mustAddObject(t, c, rs[2], "quorum-obj-1", "::HA::Before")
	master, epoch := waitMaster(t, 5*time.Second, rs...)

	leader := c.ens.Leader()
	down := []int{leader, (leader + 1) % 3}
	lost := time.Now()
	for _, i := range down {
		c.ens.Kill(i)
	}
	lookups := 0
	for time.Since(lost) < 2*sessionTimeout+time.Second {
		lookups += c.checkLookups(t, comm, rs...)
		for _, r := range rs {
			begin := time.Now()
			errApp := c.deployApp(r, http.MethodPut, "Quorum", "during the outage through "+r.name)
			errObj := c.addObject(r, "quorum-obj-outage-"+r.name, "::HA::During")
			if took := time.Since(begin); errApp == nil || errObj == nil || took > 5*time.Second {
				t.Errorf("writes through %s without quorum: %v, %v after %v, want two refusals within a few seconds", r.name, errApp, errObj, took)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Logf("%d lookups answered without quorum, every write refused", lookups)
	for _, r := range rs {
		i, _ := r.info()
		t.Logf("%s without quorum: role %s, zookeeper %s", r.name, i.Role, i.ZooKeeper)
	}
	err := c.deployApp(rs[0], http.MethodPut, "Quorum", "refused")
	t.Logf("a write without quorum: %v", err)

	c.restartServers(t, down...)
	t.Logf("quorum back %v after the loss", time.Since(lost).Round(time.Millisecond))
	back := time.Now()
	took := c.retryWrite(t, 30*time.Second, rs[2], "Quorum", "after the quorum came back")
	t.Logf("writes resumed %v after the quorum came back", took.Round(time.Millisecond))
	mustAddObject(t, c, rs[0], "quorum-obj-2", "::HA::After")
	for _, r := range rs {
		floetest.WaitUntil(t, 15*time.Second, r.name+" sees every replica", func() bool {
			m, err := r.registries()
			return err == nil && len(m) == len(rs)
		})
	}
	now, nowEpoch := waitMaster(t, 10*time.Second, rs...)
	t.Logf("after recovery (%v): master %s epoch %d, was %s epoch %d", time.Since(back).Round(time.Millisecond), now.name, nowEpoch, master.name, epoch)
	c.verify(t, 15*time.Second, rs...)
	c.checkLookups(t, comm, rs...)
}
