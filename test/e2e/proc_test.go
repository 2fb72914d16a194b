package e2e

import (
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

	"floe/internal/floetest"
)

// readyTimeout bounds every wait for a process or a registry to become ready or to exit.
const readyTimeout = 30 * time.Second

// startProc starts bin with args, its stdout and stderr going to the writers given. It is
// stopped by its PID at cleanup (SIGTERM, then SIGKILL after 10 s, which is logged) if it is
// still running; nothing else is ever signalled.
func startProc(t *testing.T, name string, stdout, stderr io.Writer, bin string, args ...string) *floetest.Proc {
	t.Helper()
	cmd := exec.Command(bin, args...) //nolint:noctx // lives until cleanup, which stops it with SIGTERM; t.Context() would SIGKILL it first
	cmd.Stdout, cmd.Stderr = stdout, stderr
	p := floetest.StartProc(t, name, cmd)
	t.Cleanup(func() { // runs before StartProc's own, which then finds the process gone
		if err := p.Terminate(syscall.SIGTERM, 10*time.Second); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	return p
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
