package node_test

import (
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

// TestRemoteNodeShutdown: "node shutdown n1" (IceGrid's Admin::shutdownNode) has the node stop
// its servers cleanly and exit 0, as on SIGTERM; the registry then lists it down, and its
// servers' state is Unknown. An unknown node is refused as "node describe" refuses it.
func TestRemoteNodeShutdown(t *testing.T) {
	g := newGrid(t)
	t.Cleanup(func() { killServers(t, g.dir) })
	node := g.startNode(t)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.nodeUp(t) })
	g.deploy(t, false)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.server(t, "Always").State == "Active" })
	g.hello(t, "hello", 1)
	pids := []int{g.server(t, "OnDemand").PID, g.server(t, "Always").PID, g.server(t, "Sleeper").PID}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("server pid %d reported by the registry is not running", pid)
		}
	}

	if out, err := g.try(t, "node shutdown nope"); err == nil || !strings.Contains(out, `node "nope" does not exist`) {
		t.Errorf("floe admin -e \"node shutdown nope\" = %q, %v; want the unknown node refused", out, err)
	}
	if out := g.admin(t, "node shutdown n1"); out != "" {
		t.Errorf("floe admin -e \"node shutdown n1\" printed %q, want nothing", out)
	}
	select {
	case <-node.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the node did not exit within 20 s of node shutdown")
	}
	if code := node.ExitCode(); code != 0 {
		t.Errorf("the node exited with status %d after node shutdown, want 0", code)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("server pid %d still runs after node shutdown", pid)
		}
	}
	for _, id := range []string{"OnDemand", "Always"} {
		if !strings.Contains(node.out.String(), `server=`+id+` status="exit status 0"`) {
			t.Errorf("%s did not exit cleanly through Process.shutdown", id)
		}
	}
	if g.nodeUp(t) {
		t.Error("the registry still lists n1 as up after node shutdown")
	}
	if s := g.server(t, "OnDemand"); s.State != "Unknown" {
		t.Errorf("OnDemand with its node shut down = %+v, want state Unknown", s)
	}
	// As icegridadmin 3.7.8: a node that has servers but does not run is unreachable.
	if out, err := g.try(t, "node describe n1"); err == nil || !strings.Contains(out, "not registered") {
		t.Errorf("floe admin -e \"node describe n1\" after node shutdown = %q, %v; want the node unreachable", out, err)
	}
	if out, err := g.try(t, "node shutdown n1"); err == nil || !strings.Contains(out, "not registered") {
		t.Errorf("floe admin -e \"node shutdown n1\" again = %q, %v; want the node unreachable", out, err)
	}
}
