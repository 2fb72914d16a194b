package node_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/internal/descriptor"
	"floe/internal/node"
	"floe/internal/slice/icegrid"
)

// spec builds a deployed server running a shell script.
func spec(id, script, activation string, props ...string) *descriptor.Server {
	d := &icegrid.ServerDescriptor{ID: id, Exe: "/bin/sh", Options: []string{"-c", script},
		Activation: activation, DeactivationTimeout: "2"}
	var ps []icegrid.PropertyDescriptor
	for _, p := range props {
		k, v, _ := strings.Cut(p, "=")
		ps = append(ps, icegrid.PropertyDescriptor{Name: k, Value: v})
	}
	return &descriptor.Server{ID: id, Node: "n1", Descriptor: d,
		Config: &descriptor.ServerConfig{Descriptor: d, Files: []descriptor.ConfigFile{{Name: "config", Properties: ps}}}}
}

func newNode(t *testing.T) *node.Node {
	t.Helper()
	n, err := node.New(node.Config{Name: "n1", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n.Shutdown(ctx)
	})
	return n
}

// TestSIGTERMFallback: a server without a Process object is stopped with SIGTERM; one that
// ignores SIGTERM is killed with its whole process group after the deactivation timeout.
func TestSIGTERMFallback(t *testing.T) {
	var logs floetest.Buffer
	n, err := node.New(node.Config{Name: "n1", DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Shutdown(context.Background()) })
	dir := t.TempDir()
	child := filepath.Join(dir, "child.pid")
	n.Deploy([]*descriptor.Server{
		spec("polite", "exec sleep 100", "manual"),
		spec("stubborn", "trap '' TERM; sleep 100 & echo $! > "+child+"; wait; wait", "manual"),
	})
	ctx := context.Background()
	for _, id := range []string{"polite", "stubborn"} {
		if err := n.Activate(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	floetest.WaitUntil(t, 5*time.Second, "child pid written", func() bool { _, err := os.Stat(child); return err == nil })
	if err := n.Stop(ctx, "polite"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "killing its process group") {
		t.Error("a server that honours SIGTERM was killed with SIGKILL")
	}
	if err := n.Stop(ctx, "stubborn"); err != nil {
		t.Fatal(err)
	}
	for id, st := range n.Servers() {
		if st != node.Inactive {
			t.Errorf("server %s is %s after Stop", id, st)
		}
	}
	pid := strings.TrimSpace(string(must(os.ReadFile(child))))
	deadline := time.Now().Add(5 * time.Second) // SIGKILL is delivered asynchronously
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		t.Errorf("the stubborn server's child %s survived: process groups must be killed whole", pid)
	}
}

// TestAlwaysRestartsWithBackoff: an `always` server that keeps crashing is restarted with
// growing delays, not in a tight loop.
func TestAlwaysRestartsWithBackoff(t *testing.T) {
	n := newNode(t)
	log := filepath.Join(t.TempDir(), "starts")
	n.Deploy([]*descriptor.Server{spec("crasher", "date +%s.%N >> "+log+"; exit 3", "always")})
	time.Sleep(2 * time.Second)
	data, _ := os.ReadFile(log)
	starts := strings.Count(string(data), "\n")
	// Back-off 100, 200, 400, 800 ms…: about 4 starts in 2 s; a 500 ms loop would give 4 too,
	// a tight loop hundreds. More than 6 means no back-off.
	if starts < 2 || starts > 6 {
		t.Errorf("crash loop: %d starts in 2s, want between 2 and 6 (exponential back-off)", starts)
	}
}

// TestUpdateStopsOnlyChangedServers: redeploying stops a running server whose generated
// configuration changed and leaves the others alone; as with icegridnode 3.7.8 (reference
// §1.7, EXP-1) only an `always` server comes back at once, a `manual` one stays stopped.
func TestUpdateStopsOnlyChangedServers(t *testing.T) {
	n := newNode(t)
	dir := t.TempDir()
	script := func(id string) string { return "echo start >> " + filepath.Join(dir, id) + "; exec sleep 100" }
	starts := func(id string) int {
		b, _ := os.ReadFile(filepath.Join(dir, id))
		return strings.Count(string(b), "start")
	}
	deploy := func(xa, xc string) {
		n.Deploy([]*descriptor.Server{spec("a", script("a"), "manual", "X="+xa), spec("b", script("b"), "manual", "Y=1"),
			spec("c", script("c"), "always", "Z="+xc)})
	}
	deploy("1", "1")
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := n.Activate(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	floetest.WaitUntil(t, 5*time.Second, "all started", func() bool { return starts("a") == 1 && starts("b") == 1 && starts("c") == 1 })
	deploy("2", "2")
	floetest.WaitUntil(t, 10*time.Second, "a stopped, c restarted", func() bool {
		return n.Servers()["a"] == node.Inactive && starts("c") == 2 && n.Servers()["c"] == node.Active
	})
	time.Sleep(500 * time.Millisecond)
	if got := []int{starts("a"), starts("b"), starts("c")}; got[0] != 1 || got[1] != 1 || got[2] != 2 {
		t.Errorf("starts of a, b, c = %v, want [1 1 2]: only the changed always server restarts", got)
	}
	if st := n.Servers()["b"]; st != node.Active {
		t.Errorf("unchanged server b is %s, want Active", st)
	}
	// Started again by hand, a runs with its new configuration.
	if err := n.Activate(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	floetest.WaitUntil(t, 5*time.Second, "a started again", func() bool { return starts("a") == 2 })
	cfg, _ := os.ReadFile(filepath.Join(n.Info("n1").DataDir, "servers", "a", "config", "config"))
	if !strings.Contains(string(cfg), "X=2") {
		t.Errorf("server a's config was not rewritten:\n%s", cfg)
	}
	// always -> manual: stopped, and no longer restarted when it exits.
	n.Deploy([]*descriptor.Server{spec("c", script("c"), "manual", "Z=2")})
	floetest.WaitUntil(t, 10*time.Second, "c stopped, a and b removed", func() bool {
		_, okA := n.Servers()["a"]
		return !okA && n.Servers()["c"] == node.Inactive
	})
	time.Sleep(time.Second)
	if got := starts("c"); got != 2 || n.Servers()["c"] != node.Inactive {
		t.Errorf("c after becoming manual: %d starts, %s; want 2 and Inactive", got, n.Servers()["c"])
	}
	// manual -> always: started at once.
	n.Deploy([]*descriptor.Server{spec("c", script("c"), "always", "Z=2")})
	floetest.WaitUntil(t, 10*time.Second, "c started again", func() bool { return starts("c") == 3 })
}

// alive reports whether a process exists and is not a zombie waiting to be reaped.
func alive(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestDisableOnFailure: with IceGrid.Node.DisableOnFailure a server that fails is not activated
// again until enabled (negative period) or until the period passed (positive); a server stopped
// on request is not a failure.
func TestDisableOnFailure(t *testing.T) {
	for _, period := range []time.Duration{-time.Second, 300 * time.Millisecond} {
		t.Run(period.String(), func(t *testing.T) {
			n, err := node.New(node.Config{Name: "n1", DataDir: t.TempDir(), DisableOnFailure: period})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { n.Shutdown(context.Background()) })
			n.Deploy([]*descriptor.Server{spec("fails", "exit 3", "manual"), spec("stopped", "exec sleep 100", "manual")})
			ctx := context.Background()
			if err := n.Activate(ctx, "fails"); err != nil {
				t.Fatal(err)
			}
			floetest.WaitUntil(t, 5*time.Second, "failed server inactive", func() bool { return n.Servers()["fails"] == node.Inactive })
			floetest.WaitUntil(t, 5*time.Second, "disabled", func() bool { return n.Activate(ctx, "fails") != nil })
			if period < 0 {
				if err := n.SetEnabled("fails", true); err != nil {
					t.Fatal(err)
				}
			}
			floetest.WaitUntil(t, 5*time.Second, "enabled again", func() bool { return n.Activate(ctx, "fails") == nil })
			// A server stopped on request stays enabled.
			if err := n.Activate(ctx, "stopped"); err != nil {
				t.Fatal(err)
			}
			if err := n.Stop(ctx, "stopped"); err != nil {
				t.Fatal(err)
			}
			if err := n.Activate(ctx, "stopped"); err != nil {
				t.Errorf("a server stopped on request was disabled: %v", err)
			}
		})
	}
}

// TestPidFile: a running server has servers/<id>/pid naming its process; the file goes away
// when the server stops.
func TestPidFile(t *testing.T) {
	n := newNode(t)
	n.Deploy([]*descriptor.Server{spec("s", "exec sleep 100", "manual")})
	ctx := context.Background()
	if err := n.Activate(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(n.Info("n1").DataDir, "servers", "s", "pid")
	var pf struct{ PID int }
	if err := json.Unmarshal(must(os.ReadFile(path)), &pf); err != nil {
		t.Fatal(err)
	}
	if want := n.Status()[0].PID; pf.PID != want {
		t.Errorf("pid file names %d, want the server's pid %d", pf.PID, want)
	}
	if err := n.Stop(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	floetest.WaitUntil(t, 5*time.Second, "pid file removed", func() bool { _, err := os.Stat(path); return os.IsNotExist(err) })
}
