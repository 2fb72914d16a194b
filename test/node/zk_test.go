package node_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
	"floe/internal/zktest"
)

// TestNodeWithTwoReplicas: two registry replicas share a grid through ZooKeeper; the node's
// Ice.Default.Locator names only the first. The node learns the second from the first and
// registers with both, both administer its servers, and when the first dies the node keeps
// working with the second: administration, and an application update made there.
func TestNodeWithTwoReplicas(t *testing.T) {
	ens := zktest.Start(t, 1)
	zk := []string{"--Floe.ZooKeeper.Hosts=" + ens.Servers(), "--Floe.ZooKeeper.SessionTimeout=2000",
		fmt.Sprintf("--Floe.ZooKeeper.Root=/nodetest%d", time.Now().UnixNano()%1e9)}
	r1 := newGrid(t, append([]string{"--IceGrid.Registry.ReplicaName=R1"}, zk...)...)
	floetest.WaitFor(t, 30*time.Second, func() bool { return role(t, r1) == "master" })
	r2 := newGrid(t, append([]string{"--IceGrid.Registry.ReplicaName=R2"}, zk...)...)
	t.Cleanup(func() { killServers(t, r1.dir) })

	node := r1.startNode(t)
	floetest.WaitFor(t, 20*time.Second, func() bool { return r1.nodeUp(t) && r2.nodeUp(t) })
	r1.deploy(t, false)
	// Sleeper (a shell, not an Ice server) runs but never registers a Process: Activating.
	floetest.WaitFor(t, 20*time.Second, func() bool {
		st := r2.state(t, "Sleeper")
		return st == "Activating" || st == "ActivationTimedOut" || st == "Active"
	})
	r2.admin(t, "server start OnDemand") // through the replica the node learnt of
	if s := r1.server(t, "OnDemand"); s.State != "Active" {
		t.Errorf("OnDemand started through R2, seen from R1 = %+v, want Active", s)
	}
	r1.hello(t, "hello", 1)
	// OnDemand registered its adapter with R1 (the only replica its locator names); R2 answers
	// for it too, from the record R1 wrote to ZooKeeper (it would otherwise wait WaitTime).
	r2.hello(t, "hello", 1)

	r1.reg.Stop(t, syscall.SIGKILL, stopWait)
	floetest.WaitFor(t, 30*time.Second, func() bool { return role(t, r2) == "master" })
	if !r2.nodeUp(t) {
		t.Fatal("R2 lost the node when R1 died")
	}
	for _, step := range []struct{ cmd, want string }{
		{"server stop OnDemand", ""},
		{"server state OnDemand", "inactive"},
		{"server state Sleeper", "activ"}, // activating, or activation timed out: running
	} {
		if got := r2.admin(t, step.cmd); !strings.Contains(got, step.want) {
			t.Errorf("through R2 with R1 dead: floe admin -e %q = %q, want %q", step.cmd, got, step.want)
		}
	}
	r2.deploy(t, true) // R2 is master now: the node runs its deployment
	floetest.WaitFor(t, 20*time.Second, func() bool {
		st := r2.state(t, "Sleeper2")
		return st == "Activating" || st == "ActivationTimedOut" || st == "Active"
	})
	if !strings.Contains(node.out.String(), "replica=R2") {
		t.Error("the node did not say it runs R2's deployment")
	}
}

// role is a replica's role, or "" if it does not answer.
func role(t *testing.T, g *grid) string {
	t.Helper()
	var info struct{ Role string }
	resp, err := httpGet(t, "http://"+g.http+"/api/v1/registry")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if err := jsonDecode(resp, &info); err != nil {
		return ""
	}
	return info.Role
}
