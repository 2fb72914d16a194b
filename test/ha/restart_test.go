package ha_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

// TestRestartWithZooKeeperDown restarts a replica while the whole ensemble is down: it serves
// the state of its local cache (adapters registered before, the deployment it knew), and
// catches up on what changed while it was away once ZooKeeper returns.
func TestRestartWithZooKeeperDown(t *testing.T) {
	c := newCluster(t)
	rs := c.startReplicas(t, "r1", "r2", "r3")
	r1, r2, r3 := rs[0], rs[1], rs[2]
	comm := floetest.NewCommunicator(t)
	c.registerAdapter(t, r1, "CachedAdapter")
	mustDeploy(t, c, r2, http.MethodPost, "Cached", "v1")
	mustAddObject(t, c, r2, "cached-obj-1", "::HA::Before")
	c.verify(t, 10*time.Second, rs...)
	cache := filepath.Join(r3.dataDir, "zk-cache.json")
	floetest.WaitUntil(t, 10*time.Second, "r3 writes its local cache", func() bool {
		b, err := os.ReadFile(cache)
		return err == nil && strings.Contains(string(b), "CachedAdapter") && strings.Contains(string(b), "cached-obj-1")
	})
	r3.kill9(t)
	before := c.ledger.snapshot()

	// What r3 misses while it is down.
	mustDeploy(t, c, r1, http.MethodPut, "Cached", "v2 while r3 is down")
	mustAddObject(t, c, r2, "cached-obj-2", "::HA::While")
	c.registerAdapter(t, r2, "LateAdapter")
	c.verify(t, 10*time.Second, r1, r2)

	for i := range c.ens.N() {
		c.ens.Kill(i)
	}
	begin := time.Now()
	r3.start(t)
	info, err := r3.info()
	t.Logf("r3 restarted without ZooKeeper: serving after %v, role %q, zookeeper %q (%v)",
		time.Since(begin).Round(time.Millisecond), info.Role, info.ZooKeeper, err)
	if info.ZooKeeper == "connected" {
		t.Errorf("r3 reports ZooKeeper %q while every server is down", info.ZooKeeper)
	}
	for _, key := range []string{"adapter/CachedAdapter", "application/Cached", "object/cached-obj-1"} {
		if got, err := current(r3, key); err != nil || got != before[key].acked {
			t.Errorf("r3 from its cache: %s = %q, %v, want %q", key, got, err, before[key].acked)
		}
	}
	if got, err := findAdapter(comm, r3, "CachedAdapter"); err != nil || got != before["adapter/CachedAdapter"].acked {
		t.Errorf("findAdapterById(CachedAdapter) through r3 from its cache = %q, %v, want %q", got, err, before["adapter/CachedAdapter"].acked)
	}
	c.checkLookups(t, comm, r1, r2) // the replicas that stayed up serve from memory

	c.restartServers(t, 0, 1, 2)
	back := time.Now()
	c.verify(t, 30*time.Second, rs...)
	t.Logf("r3 caught up %v after ZooKeeper came back", time.Since(back).Round(time.Millisecond))
	c.checkLookups(t, comm, rs...)
	for _, r := range rs {
		floetest.WaitUntil(t, 15*time.Second, r.name+" sees every replica", func() bool {
			m, err := r.registries()
			return err == nil && len(m) == len(rs)
		})
	}
	c.retryWrite(t, 15*time.Second, r3, "Cached", "after ZooKeeper came back")
	t.Logf("writes resumed %v after ZooKeeper came back", time.Since(back).Round(time.Millisecond))
	c.verify(t, 10*time.Second, rs...)
}
