package node_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
)

// TestRemoteNodeUpdateWithoutRestart: `application update -n` with a server on a `floe node`
// process. The node expands the application itself and pushes the property change into the
// running server (a real Python Ice server, props.py) through its admin object: same process,
// new value seen by the server. A change that needs a restart is refused, and so is any update
// of its servers while the node is down; refused updates keep the revision.
func TestRemoteNodeUpdateWithoutRestart(t *testing.T) {
	g := newGrid(t)
	out := filepath.Join(g.dir, "out")
	node := g.startNode(t, "--IceGrid.Node.Output="+out)
	t.Cleanup(func() { killPython(t, g.dir, "Props") })
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.nodeUp(t) })
	script, err := filepath.Abs(filepath.Join("..", "e2e", "testdata", "props.py"))
	if err != nil {
		t.Fatal(err)
	}
	app := func(name, greeting, options string) string {
		xml := `<icegrid><application name="Props"><node name="n1">
  <server id="Props" exe="/usr/bin/python3" activation="manual">
    <option>` + script + `</option>` + options + `
    <property name="Test.Greeting" value="` + greeting + `"/>
  </server>
</node></application></icegrid>`
		path := filepath.Join(g.dir, name)
		if err := os.WriteFile(path, []byte(xml), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	g.admin(t, "application add "+app("v1.xml", "hello", ""))
	g.admin(t, "server start Props")
	pid := g.server(t, "Props").PID
	waitFile(t, filepath.Join(out, "Props.out"), "STARTED Test.Greeting=hello\n")

	g.admin(t, "application update -n "+app("v2.xml", "bonjour", ""))
	waitFile(t, filepath.Join(out, "Props.out"), "UPDATED Test.Greeting=bonjour\n")
	// The deployment of revision 2 reaches the node after the update: it must not restart Props.
	waitFile(t, filepath.Join(g.dir, "node", "deployment.json"), `"revision":2`)
	if s := g.server(t, "Props"); s.PID != pid || s.State != "Active" {
		t.Errorf("Props after update -n = %+v, want Active with pid %d", s, pid)
	}

	for _, tc := range []struct{ name, file, want string }{
		{"option added", app("v3.xml", "bonjour", "<option>--x</option>"), "the server `Props' would need to be stopped"},
		{"node down", app("v4.xml", "hallo", ""), "the node `n1' is down"},
	} {
		if tc.name == "node down" {
			node.Stop(t, syscall.SIGTERM, stopWait)
		}
		got, err := g.try(t, "application update -n "+tc.file)
		if err == nil || !strings.Contains(got, "check for application `Props' update failed:\n"+tc.want+"\n") {
			t.Errorf("%s: application update -n = %q, %v; want the DeploymentException %q", tc.name, got, err, tc.want)
		}
		if got := g.admin(t, "application describe Props"); !strings.HasPrefix(got, "application `Props' (revision 2)") {
			t.Errorf("%s: after the refused update: %.40q, want revision 2", tc.name, got)
		}
		if tc.name == "option added" && g.server(t, "Props").PID != pid {
			t.Errorf("%s: Props pid = %d, want %d", tc.name, g.server(t, "Props").PID, pid)
		}
	}
}

// waitFile waits until a file holds want.
func waitFile(t *testing.T, path, want string) {
	t.Helper()
	floetest.WaitUntil(t, 20*time.Second, path+" holding "+want, func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), want)
	})
}

// killPython kills the process group of props.py server id if a node left it running.
func killPython(t *testing.T, dir, id string) {
	t.Helper()
	pid, err := pidFile(t, dir, id)
	if err != nil || !alive(pid) {
		return
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && strings.Contains(string(b), "props.py") {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
