package floetest

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// Proc is a process a test started. Cleanup stops it, by its PID only, if it still runs: it
// sends StopSignal and waits up to StopWait (os.Interrupt and 20 s unless the caller changed
// them), then kills it and fails the test. It logs Out when the test failed.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	// Out holds the process's stdout and stderr; it is nil when the caller set Cmd.Stdout or
	// Cmd.Stderr, whose output the caller then owns.
	Out *Buffer

	StopSignal os.Signal
	StopWait   time.Duration

	done chan struct{}
	err  error // Cmd.Wait's result; read only after done is closed
}

// StartProc starts cmd (whose Dir, Env, arguments and SysProcAttr the caller set) as Start does,
// failing the test if it cannot, and stops it at cleanup.
func StartProc(tb testing.TB, name string, cmd *exec.Cmd) *Proc {
	tb.Helper()
	p, err := Start(name, cmd)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		p.Stop(tb, p.StopSignal, p.StopWait)
		if tb.Failed() && p.Out != nil {
			tb.Logf("%s output:\n%s", name, p.Out.String())
		}
	})
	return p
}

// Start starts cmd for a caller that has no test to clean up after (a TestMain, a benchmark
// harness that restarts its processes): the caller stops the process. Its stdout and stderr go
// to a new Buffer, Out, unless the caller set either. The process is started and reaped on a
// goroutine locked to its OS thread, so that a Pdeathsig in cmd.SysProcAttr fires when the test
// binary dies, not when an idle thread is retired.
func Start(name string, cmd *exec.Cmd) (*Proc, error) {
	p := &Proc{Name: name, Cmd: cmd, StopSignal: os.Interrupt, StopWait: 20 * time.Second, done: make(chan struct{})}
	if cmd.Stdout == nil && cmd.Stderr == nil {
		p.Out = &Buffer{}
		cmd.Stdout, cmd.Stderr = p.Out, p.Out
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return p, nil
}

// Done is closed once the process has exited and been reaped (then Cmd.ProcessState is set).
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited and been reaped.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err is Cmd.Wait's result once the process has exited (nil before).
func (p *Proc) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.err
}

// ExitCode is the process's exit code once it has exited, -1 before or if a signal ended it.
func (p *Proc) ExitCode() int {
	if !p.Exited() {
		return -1
	}
	return p.Cmd.ProcessState.ExitCode()
}

// Wait waits up to d for the process to exit and returns its exit code.
func (p *Proc) Wait(d time.Duration) (int, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return p.ExitCode(), nil
	case <-t.C:
		return -1, fmt.Errorf("%s (pid %d) still running after %v", p.Name, p.Cmd.Process.Pid, d)
	}
}

// Terminate sends sig and waits up to d for the process to exit; past d it kills the process,
// waits up to d again and returns an error. Terminating an exited process does nothing.
func (p *Proc) Terminate(sig os.Signal, d time.Duration) error {
	if p.Exited() {
		return nil
	}
	_ = p.Cmd.Process.Signal(sig)
	if _, err := p.Wait(d); err == nil {
		return nil
	}
	_ = p.Cmd.Process.Kill()
	if _, err := p.Wait(d); err != nil {
		return fmt.Errorf("%s (pid %d) did not exit within %v of %v, nor within %v of SIGKILL", p.Name, p.Cmd.Process.Pid, d, sig, d)
	}
	return fmt.Errorf("%s (pid %d) did not exit within %v of %v; killed", p.Name, p.Cmd.Process.Pid, d, sig)
}

// Stop is Terminate, failing the test if the process had to be killed.
func (p *Proc) Stop(tb testing.TB, sig os.Signal, d time.Duration) {
	tb.Helper()
	if err := p.Terminate(sig, d); err != nil {
		tb.Error(err)
	}
}
