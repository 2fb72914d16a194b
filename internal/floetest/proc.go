package floetest

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// Proc is a process a test started, its output in Out. Cleanup stops it, by its PID only, if it
// still runs, and logs its output when the test failed.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	Out  *Buffer
	done chan struct{}
}

// StartProc starts cmd (whose Dir, Env and arguments the caller set) with its stdout and
// stderr going to a new Buffer.
func StartProc(tb testing.TB, name string, cmd *exec.Cmd) *Proc {
	tb.Helper()
	p := &Proc{Name: name, Cmd: cmd, Out: &Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() {
		p.Stop(tb, os.Interrupt, 20*time.Second)
		if tb.Failed() {
			tb.Logf("%s output:\n%s", name, p.Out.String())
		}
	})
	return p
}

// Done is closed once the process has exited and been reaped (then Cmd.ProcessState is set).
func (p *Proc) Done() <-chan struct{} { return p.done }

// Stop sends sig and waits up to d for the process to exit; past d it kills the process and
// fails the test. Stopping an exited process does nothing.
func (p *Proc) Stop(tb testing.TB, sig os.Signal, d time.Duration) {
	tb.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(d):
		_ = p.Cmd.Process.Kill()
		<-p.done
		tb.Errorf("%s did not exit within %v of %v", p.Name, d, sig)
	}
}
