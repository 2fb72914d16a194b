package node_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/ice/reference"
	"floe/internal/descriptor"
	"floe/internal/floetest"
	"floe/internal/node"
)

// iceSpec is spec for a server that must register adapter A (server-lifetime) and its Process
// object before it is Active, as a deployed Ice server with an admin endpoint.
func iceSpec(id, activationTimeout string) *descriptor.Server {
	s := spec(id, "exec sleep 100", "manual")
	s.Config.Descriptor.Server().ActivationTimeout = activationTimeout
	s.Config.Adapters = []descriptor.NodeAdapter{{ID: id + ".A", ServerLifetime: true}, {ID: id + ".B"}}
	s.Config.ProcessRegistered = true
	return s
}

func state(n *node.Node, id string) node.State { return n.Servers()[id] }

// TestActivation: an administrative start waits until the server registered its lifetime
// adapters and its Process object (Activating → Active); it fails for an active server; a stop
// makes it Inactive again.
func TestActivation(t *testing.T) {
	n := newNode(t)
	n.Deploy([]*descriptor.Server{iceSpec("s", "")})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if got := state(n, "s"); got != node.Inactive {
		t.Fatalf("state before start = %s, want Inactive", got)
	}
	started := make(chan error, 1)
	go func() { started <- n.Start(ctx, "s") }()
	floetest.WaitUntil(t, 5*time.Second, "Activating", func() bool { return state(n, "s") == node.Activating })
	n.AdapterActivated("s", "s.B") // not server-lifetime: changes nothing
	n.AdapterActivated("s", "s.A")
	if got := state(n, "s"); got != node.Activating {
		t.Errorf("state without the Process object = %s, want Activating", got)
	}
	proc, err := reference.Parse("s -f Process:tcp -h 127.0.0.1 -p 1", reference.Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.SetProcess("s", proc); err != nil {
		t.Fatal(err)
	}
	if err := <-started; err != nil {
		t.Fatalf("Start = %v, want nil once Active", err)
	}
	if got := state(n, "s"); got != node.Active {
		t.Errorf("state = %s, want Active", got)
	}
	if err := n.Start(ctx, "s"); !errors.Is(err, node.ErrStart) || !strings.Contains(err.Error(), "already active") {
		t.Errorf("Start of an active server = %v, want ErrStart (already active)", err)
	}
	// The Process proxy points nowhere: the stop falls back to SIGTERM.
	if err := n.Stop(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if got := state(n, "s"); got != node.Inactive {
		t.Errorf("state after Stop = %s, want Inactive", got)
	}
}

// TestActivationTimedOut: a server that does not register within its activation-timeout is
// ActivationTimedOut (and the start fails); registering later makes it Active.
func TestActivationTimedOut(t *testing.T) {
	n := newNode(t)
	n.Deploy([]*descriptor.Server{iceSpec("slow", "1")})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	begin := time.Now()
	err := n.Start(ctx, "slow")
	if !errors.Is(err, node.ErrStart) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("Start = %v, want ErrStart (activation timed out)", err)
	}
	if d := time.Since(begin); d < 900*time.Millisecond {
		t.Errorf("activation timed out after %v, want about the 1 s activation-timeout", d)
	}
	if got := state(n, "slow"); got != node.ActivationTimedOut {
		t.Errorf("state = %s, want ActivationTimedOut", got)
	}
	for _, s := range n.Status() {
		if s.ID == "slow" && s.PID == 0 {
			t.Error("a server whose activation timed out still has its process: want its pid")
		}
	}
	n.AdapterActivated("slow", "slow.A")
	if err := n.SetProcess("slow", &reference.Reference{}); err != nil {
		t.Fatal(err)
	}
	if got := state(n, "slow"); got != node.Active {
		t.Errorf("state after a late registration = %s, want Active", got)
	}
}

// TestStartOfAServerThatExits: an administrative start reports a process that exits before it
// is Active.
func TestStartOfAServerThatExits(t *testing.T) {
	n := newNode(t)
	s := iceSpec("quits", "")
	s.Config.Descriptor.Server().Options = []string{"-c", "exit 0"}
	n.Deploy([]*descriptor.Server{s})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.Start(ctx, "quits"); !errors.Is(err, node.ErrStart) || !strings.Contains(err.Error(), "terminated") {
		t.Errorf("Start = %v, want ErrStart (terminated)", err)
	}
}

// TestOutput: with Ice.StdOut and Ice.StdErr (what IceGrid.Node.Output sets) the process's
// output lands in those files and Output reads them; without, Output says it is not available.
func TestOutput(t *testing.T) {
	n := newNode(t)
	dir := t.TempDir()
	out, errf := filepath.Join(dir, "talker.out"), filepath.Join(dir, "talker.err")
	n.Deploy([]*descriptor.Server{
		spec("talker", "echo one; echo two; echo oops >&2; exec sleep 100", "manual", "Ice.StdOut="+out, "Ice.StdErr="+errf),
		spec("mute", "exec sleep 100", "manual"),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if got, err := n.Output("talker", "stdout", node.OutputQuery{}); err != nil || got.Text != "" {
		t.Errorf("Output before any start = %+v, %v; want empty", got, err)
	}
	if err := n.Start(ctx, "talker"); err != nil {
		t.Fatal(err)
	}
	floetest.WaitUntil(t, 5*time.Second, "output written", func() bool {
		b, _ := os.ReadFile(errf)
		return len(b) > 0
	})
	floetest.WaitUntil(t, 5*time.Second, "stdout written", func() bool {
		got, _ := n.Output("talker", "stdout", node.OutputQuery{})
		return got.Text == "one\ntwo\n"
	})
	if got, err := n.Output("talker", "stdout", node.OutputQuery{Tail: 1}); err != nil || got.Text != "two\n" || got.Path != out {
		t.Errorf("Output(stdout, tail 1) = %+v, %v", got, err)
	}
	if got, err := n.Output("talker", "stderr", node.OutputQuery{}); err != nil || got.Text != "oops\n" {
		t.Errorf("Output(stderr) = %+v, %v", got, err)
	}
	if _, err := n.Output("mute", "stdout", node.OutputQuery{}); !errors.Is(err, node.ErrNoOutput) {
		t.Errorf("Output of a server without output files = %v, want ErrNoOutput", err)
	}
	if _, err := n.Output("talker", "log", node.OutputQuery{}); !errors.Is(err, node.ErrBadOutputName) {
		t.Errorf("Output(log) = %v, want ErrBadOutputName", err)
	}
}

// TestDescribeAndLoad: the node describes its host and reports its load.
func TestDescribeAndLoad(t *testing.T) {
	n := newNode(t)
	d := n.Describe()
	host, _ := os.Hostname()
	if d.Name != "n1" || d.OS != "Linux" || d.Hostname != host || d.Release == "" || d.Machine == "" || d.NProcessors < 1 || d.DataDir == "" {
		t.Errorf("Describe() = %+v", d)
	}
	if info := n.Info("n1"); info.Machine != d.Machine || info.Release != d.Release {
		t.Errorf("Info() = %+v, want the same platform as Describe() %+v", info, d)
	}
	if l := n.Load(); l.Avg1 < 0 || l.Avg5 < 0 || l.Avg15 < 0 {
		t.Errorf("Load() = %+v", l)
	}
}
