package node

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    procStat
		wantErr bool
	}{
		{"123 (sleep) S 1 123 123 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 8192 100", procStat{'S', 123, 987654}, false},
		{"7 (a (b) c) Z 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0", procStat{'Z', 5, 42}, false},
		{"7 (short) S 1 5", procStat{}, true},
		{"no parenthesis", procStat{}, true},
		{"7 (x) S 1 notanumber 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0", procStat{}, true},
	} {
		got, err := parseStat([]byte(tc.in))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// startGroup starts a shell in its own process group, as the node starts servers, with a child
// that outlives it unless the group is killed; it returns the shell's pid and the child's.
// With reap, the shell is reaped when it exits (the test process is its parent); without, it
// stays a zombie until the test ends.
func startGroup(t *testing.T, script string, reap bool) (*exec.Cmd, int) {
	t.Helper()
	childFile := filepath.Join(t.TempDir(), "child")
	cmd := exec.CommandContext(context.Background(), "/bin/sh", "-c", script+" & echo $! > "+childFile+"; wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	if reap {
		go func() { _ = cmd.Wait(); close(done) }()
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if !reap {
			_ = cmd.Wait()
			close(done)
		}
		<-done
	})
	var child int
	deadline := time.Now().Add(5 * time.Second)
	for child == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the child did not start")
		}
		if b, err := os.ReadFile(childFile); err == nil && len(b) > 1 {
			_ = json.Unmarshal(b[:len(b)-1], &child)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, child
}

func writePid(t *testing.T, dataDir, id string, pf pidFile) string {
	t.Helper()
	dir := filepath.Join(dataDir, "servers", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pf)
	path := filepath.Join(dir, pidFileName)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func live(pid int) bool {
	st, err := readStat(pid)
	return err == nil && st.state != 'Z'
}

// TestReapOrphans: a process group recorded by a previous run is stopped, its children too;
// a pid file whose start time does not match (the pid was reused) leaves the process alone.
func TestReapOrphans(t *testing.T) {
	data := t.TempDir()
	n, err := New(Config{Name: "n1", DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	ours, oursChild := startGroup(t, "trap '' TERM; sleep 100", true) // needs SIGKILL
	st, err := readStat(ours.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	oursFile := writePid(t, data, "ours", pidFile{PID: ours.Process.Pid, Start: st.start, Boot: bootID()})
	foreign, _ := startGroup(t, "sleep 100", true)
	fst, err := readStat(foreign.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	foreignFile := writePid(t, data, "foreign", pidFile{PID: foreign.Process.Pid, Start: fst.start + 1, Boot: bootID()})
	otherBoot := writePid(t, data, "rebooted", pidFile{PID: foreign.Process.Pid, Start: fst.start, Boot: "another boot"})

	if got := n.ReapOrphans(context.Background(), 200*time.Millisecond); got != 1 {
		t.Errorf("ReapOrphans found %d groups, want 1", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for live(oursChild) || live(ours.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the recorded group (pid %d, child %d) survived ReapOrphans", ours.Process.Pid, oursChild)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !live(foreign.Process.Pid) {
		t.Error("ReapOrphans killed a process whose start time does not match its pid file")
	}
	for _, path := range []string{oursFile, foreignFile, otherBoot} {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("pid file %s is still there", path)
		}
	}
}

// TestReapOrphansLeaderGone: when the recorded leader is gone (here a zombie nobody reaped),
// what is left in its group is still the node's (Linux does not reuse the id of a live process
// group).
func TestReapOrphansLeaderGone(t *testing.T) {
	data := t.TempDir()
	n, err := New(Config{Name: "n1", DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	leader, child := startGroup(t, "sleep 100", false)
	st, err := readStat(leader.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	writePid(t, data, "s", pidFile{PID: leader.Process.Pid, Start: st.start, Boot: bootID()})
	_ = leader.Process.Kill() // the leader only: its child stays in the group
	for deadline := time.Now().Add(5 * time.Second); live(leader.Process.Pid) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !live(child) {
		t.Fatal("the child died with the leader")
	}
	if got := n.ReapOrphans(context.Background(), time.Second); got != 1 {
		t.Errorf("ReapOrphans found %d groups, want 1", got)
	}
	if live(child) {
		t.Errorf("child %d of a dead leader survived ReapOrphans", child)
	}
}

// TestPidFileOutOfRange: a damaged pid file could name a pid beyond pid_t; ReapOrphans signals
// -pid, and 4294967297 truncates to kill(-1), every process. Such a file is not a pid file.
func TestPidFileOutOfRange(t *testing.T) {
	for _, in := range []string{`{"pid":4294967297}`, `{"pid":2147483648}`, `{"pid":1}`, `{"pid":-2}`} {
		if pf, err := parsePidFile([]byte(in)); err == nil {
			t.Errorf("parsePidFile(%s) = %+v, want an error", in, pf)
		}
	}
	if pf, err := parsePidFile([]byte(`{"pid":2147483647,"start":1,"boot":"b"}`)); err != nil || pf.PID != math.MaxInt32 {
		t.Errorf("parsePidFile(max pid_t) = %+v, %v", pf, err)
	}
}
