package nodeadmin_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCollocatedNodeShutdown: "node shutdown" of the node collocated with the registry stops
// its servers and ends the whole process, registry included, with status 0, as icegridnode
// 3.7.8 with IceGrid.Node.CollocateRegistry=1 does (checked against the real binaries: the
// process exits and icegridadmin then cannot contact the locator).
func TestCollocatedNodeShutdown(t *testing.T) {
	g := startGrid(t)
	g.deploy(t, `<icegrid><application name="A"><node name="local">`+shellServer("S", "exec sleep 1002")+`</node></application></icegrid>`)
	g.must(t, "server start S")
	m := activePID.FindStringSubmatch(g.must(t, "server state S"))
	if m == nil {
		t.Fatal("server S is not active")
	}
	pid, _ := strconv.Atoi(m[1])
	if out, err := g.admin("node shutdown nope"); err == nil || !strings.Contains(out, `node "nope" does not exist`) {
		t.Errorf("floe admin -e \"node shutdown nope\" = %q, %v; want the unknown node refused", out, err)
	}
	if out := g.must(t, "node shutdown local"); out != "" {
		t.Errorf("floe admin -e \"node shutdown local\" printed %q, want nothing", out)
	}
	select {
	case <-g.reg.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("floe registry did not exit within 20 s of node shutdown of its collocated node")
	}
	if code := g.reg.ExitCode(); code != 0 {
		t.Errorf("floe registry exited with status %d, want 0", code)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.HasPrefix(string(b), "sleep") {
			t.Errorf("server S (pid %d) still runs after node shutdown", pid)
		}
	}
}
