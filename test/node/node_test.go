// Package node_test runs `floe node` as its own process against a standalone `floe registry`
// that has no collocated node, with the Go hello server (examples/hello) deployed on the node:
// activation on demand through the registry, administration through the registry, a node
// restarted with and without a registry, and node shutdown.
package node_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
)

// TestRemoteNodeActivationAndAdmin: servers placed on a separate node are activated on demand
// through the registry and administered through it; the node's SIGTERM stops them and the
// registry lists the node as down at once.
func TestRemoteNodeActivationAndAdmin(t *testing.T) {
	g := newGrid(t)
	t.Cleanup(func() { killServers(t, g.dir) })
	for _, n := range g.nodes(t) {
		t.Fatalf("a registry with IceGrid.Node.CollocateRegistry unset lists node %+v before any node registered", n)
	}
	node := g.startNode(t)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.nodeUp(t) })
	g.deploy(t, false)

	floetest.WaitFor(t, 10*time.Second, func() bool { return g.server(t, "Always").State == "Active" })
	if s := g.server(t, "OnDemand"); s.State != "Inactive" || s.Node != "n1" {
		t.Fatalf("OnDemand before any call = %+v, want Inactive on n1", s)
	}
	g.hello(t, "hello", 3) // the locate request activates OnDemand through the node
	g.hello(t, "always", 1)
	for _, step := range []struct{ cmd, want string }{
		{"node list", "n1"},
		{"server list", "OnDemand"},
		{"server state OnDemand", "active (pid = "},
		{"server stop OnDemand", ""},
		{"server state OnDemand", "inactive"},
		{"server disable OnDemand", ""},
		{"server describe OnDemand", "enabled = false"},
		{"server enable OnDemand", ""},
		{"server start OnDemand", ""},
		{"server state OnDemand", "active (pid = "},
	} {
		if got := g.admin(t, step.cmd); !strings.Contains(got, step.want) {
			t.Errorf("floe admin -e %q = %q, want %q", step.cmd, got, step.want)
		}
	}
	pids := []int{g.server(t, "OnDemand").PID, g.server(t, "Always").PID, g.server(t, "Sleeper").PID}
	if got := strings.TrimSpace(g.admin(t, "server pid OnDemand")); got != fmt.Sprint(pids[0]) {
		t.Errorf("floe admin -e \"server pid OnDemand\" = %q, want %d", got, pids[0])
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("server pid %d reported by the registry is not running", pid)
		}
	}

	node.Stop(t, syscall.SIGTERM, stopWait)
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("server pid %d still runs after the node's SIGTERM", pid)
		}
	}
	if g.nodeUp(t) {
		t.Error("the registry still lists n1 as up after the node stopped")
	}
	if s := g.server(t, "OnDemand"); s.State != "Unknown" {
		t.Errorf("OnDemand with its node down = %+v, want state Unknown", s)
	}
	if !strings.Contains(node.out.String(), `server=OnDemand status="exit status 0"`) {
		t.Error("OnDemand did not exit cleanly through Process.shutdown")
	}
}

// TestRemoteNodeRestart: a node killed with SIGKILL leaves its servers running; restarted, it
// stops them and starts its `always` server afresh. Restarted again while no registry is
// reachable, it starts the `always` server from its last known deployment (IceGrid GH#5368),
// and it registers again when the registry returns.
func TestRemoteNodeRestart(t *testing.T) {
	g := newGrid(t)
	t.Cleanup(func() { killServers(t, g.dir) })
	node := g.startNode(t)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.nodeUp(t) })
	g.deploy(t, false)
	g.hello(t, "hello", 1)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.server(t, "Always").State == "Active" })
	old := []int{g.server(t, "OnDemand").PID, g.server(t, "Always").PID, g.server(t, "Sleeper").PID}

	node.Stop(t, syscall.SIGKILL, stopWait)
	for _, pid := range old {
		if !alive(pid) {
			t.Fatalf("server pid %d died with its node; want it left running (as icegridnode leaves it)", pid)
		}
	}
	floetest.WaitFor(t, 10*time.Second, func() bool { return !g.nodeUp(t) }) // missed keep-alives

	node = g.startNode(t)
	floetest.WaitFor(t, 20*time.Second, func() bool { return g.nodeUp(t) && g.server(t, "Always").State == "Active" })
	for _, pid := range old {
		if alive(pid) {
			t.Errorf("server pid %d of the previous node run survived the node's restart", pid)
		}
	}
	if s := g.server(t, "Always"); s.PID == old[1] {
		t.Errorf("Always kept pid %d across the node restart; want a fresh process", s.PID)
	}
	if s := g.server(t, "OnDemand"); s.State != "Inactive" {
		t.Errorf("OnDemand after the node restart = %+v, want Inactive until a client needs it", s)
	}
	g.hello(t, "always", 1)

	// No registry: the node stops its servers on SIGTERM, and starts from its last known
	// deployment. (The hello server Always starts too, and exits at once: its adapter cannot
	// register.)
	running := []int{g.server(t, "Always").PID, g.server(t, "Sleeper").PID}
	g.reg.Stop(t, syscall.SIGTERM, stopWait)
	node.Stop(t, syscall.SIGTERM, stopWait)
	for _, pid := range running {
		if alive(pid) {
			t.Errorf("server pid %d still runs after the node's SIGTERM with no registry", pid)
		}
	}
	node = g.startNode(t)
	var pid int
	floetest.WaitFor(t, 20*time.Second, func() bool {
		p, err := pidFile(t, g.dir, "Sleeper")
		pid = p
		return err == nil && alive(p)
	})
	if !strings.Contains(node.out.String(), "running the last known deployment") {
		t.Errorf("the node did not say it runs its last known deployment")
	}

	// The registry returns: the node registers again and keeps its server running.
	g.startRegistry(t)
	floetest.WaitFor(t, 20*time.Second, func() bool { return g.nodeUp(t) })
	// Sleeper is not an Ice server: it never registers a Process object, so as with IceGrid
	// it stays Activating until its activation timeout, then ActivationTimedOut; what matters
	// here is that it kept running under the same pid.
	if s := g.server(t, "Sleeper"); s.PID != pid || (s.State != "Activating" && s.State != "ActivationTimedOut" && s.State != "Active") {
		t.Errorf("Sleeper once the registry is back = %+v, want it running with pid %d", s, pid)
	}
	node.Stop(t, syscall.SIGTERM, stopWait)
	if alive(pid) {
		t.Errorf("Sleeper (pid %d) still runs after the node's SIGTERM", pid)
	}
}

// killServers kills what a failed test may have left: servers recorded in pid files (the
// servers of deploy, or ids).
func killServers(t *testing.T, dir string, ids ...string) {
	t.Helper()
	if len(ids) == 0 {
		ids = []string{"OnDemand", "Always", "Sleeper", "Sleeper2"}
	}
	for _, id := range ids {
		if pid, err := pidFile(t, dir, id); err == nil && alive(pid) && isServer(pid) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
}
