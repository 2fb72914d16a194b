package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds every wait for a process or a registry to become ready or to exit.
const readyTimeout = 30 * time.Second

// proc is a child process started by a test. It is stopped by its PID at cleanup (SIGTERM, then
// SIGKILL) if it is still running; nothing else is ever signalled.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd.Wait has returned
	err  error         // cmd.Wait's result; read only after done is closed
}

// startProc starts bin with args. stdout and stderr may be nil (discarded).
func startProc(t *testing.T, name string, stdout, stderr io.Writer, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...) //nolint:noctx // lives until cleanup, which stops it with SIGTERM; t.Context() would SIGKILL it first
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if err := p.stop(syscall.SIGTERM, 10*time.Second); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *proc) wait(d time.Duration) (int, error) {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), nil
	case <-time.After(d):
		return -1, fmt.Errorf("%s (pid %d) still running after %v", p.name, p.cmd.Process.Pid, d)
	}
}

// stop sends sig and waits up to d for the exit; past d it kills the process and reports it.
// Stopping an exited process does nothing.
func (p *proc) stop(sig syscall.Signal, d time.Duration) error {
	if p.exited() {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	if _, err := p.wait(d); err == nil {
		return nil
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return fmt.Errorf("%s (pid %d) ignored %v for %v; killed", p.name, p.cmd.Process.Pid, sig, d)
}

// syncBuffer is a bytes.Buffer safe for a process writer and a concurrent reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Ports are picked below the kernel's ephemeral range (32768+ on Linux), so the ports that the
// Python servers get from "-p 0" never collide with a port handed out here but not yet bound.
const portLow, portHigh = 20000, 32000

var portsUsed = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// freePort returns a TCP port on 127.0.0.1 that is free now and never returned twice in this
// test binary (restarts reuse the ports of their target).
func freePort(t *testing.T) int {
	t.Helper()
	portsUsed.Lock()
	defer portsUsed.Unlock()
	var lc net.ListenConfig
	for range 1000 {
		port := portLow + rand.IntN(portHigh-portLow)
		if portsUsed.m[port] {
			continue
		}
		l, err := lc.Listen(t.Context(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = l.Close()
		portsUsed.m[port] = true
		return port
	}
	t.Fatal("freePort: no free port on 127.0.0.1")
	return 0
}

// dialable reports whether something accepts TCP connections on 127.0.0.1:port.
func dialable(ctx context.Context, port int) bool {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// requireTool skips the test when a peer is missing, or fails it in CI.
func requireTool(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", what, err)
	}
	t.Skipf("%s not available: %v", what, err)
}

// exitText describes a process error for a failure message.
func exitText(err error) string {
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.String()
	}
	return fmt.Sprint(err)
}
