// Package registry_test runs the built floe binary as a standalone registry and drives it with
// the Go Ice runtime, raw sockets and real Python Ice 3.7 programs.
package registry_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/ice"
)

var floeBin string

func TestMain(m *testing.M) { floetest.Main(m, &floeBin) }

// registryProc is a running `floe registry`.
type registryProc struct {
	proc    *floetest.Proc
	dataDir string
	client  int // locator port
	http    int
	locator string // locator proxy
	extra   []string
}

// startRegistry starts floe registry with a fresh data dir (or the one given) on free ports.
func startRegistry(t *testing.T, dataDir string, extra ...string) *registryProc {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	r := &registryProc{dataDir: dataDir, client: floetest.FreePort(t), http: floetest.FreePort(t), extra: extra}
	r.locator = fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d", r.client)
	r.start(t)
	return r
}

func (r *registryProc) start(t *testing.T) {
	t.Helper()
	r.startWithOutput(t, nil)
}

// startWithOutput starts the process; its output is logged and, if w is not nil, copied to w.
func (r *registryProc) startWithOutput(t *testing.T, w io.Writer) {
	t.Helper()
	args := append([]string{"registry",
		"--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p " + fmt.Sprint(r.client),
		"--IceGrid.Registry.LMDB.Path=" + r.dataDir,
		"--IceGrid.Registry.DynamicRegistration=1",
		fmt.Sprintf("--Floe.HTTP.Endpoint=127.0.0.1:%d", r.http)}, r.extra...)
	cmd := exec.CommandContext(t.Context(), floeBin, args...) // killed at the end of the test, as cleanup would
	var out io.Writer = &logWriter{t: t, prefix: "registry: "}
	if w != nil {
		out = io.MultiWriter(out, w)
	}
	cmd.Stdout, cmd.Stderr = out, out
	r.proc = floetest.StartProc(t, "floe registry", cmd)
	r.proc.StopSignal, r.proc.StopWait = os.Kill, killWait
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if floetest.Healthy(t.Context(), fmt.Sprintf("127.0.0.1:%d", r.http)) {
			return
		}
		select {
		case <-r.proc.Done():
			t.Fatalf("floe registry exited: %v", cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("floe registry not healthy within 20s")
}

// killWait bounds the wait for the registry to be reaped after SIGKILL.
const killWait = 10 * time.Second

// kill stops the process with SIGKILL (by PID) if it is still running.
func (r *registryProc) kill(t *testing.T) {
	t.Helper()
	r.proc.Stop(t, os.Kill, killWait)
}

// stop sends SIGTERM and returns how long the process took to exit and its exit code.
func (r *registryProc) stop(t *testing.T) (time.Duration, int) {
	t.Helper()
	start := time.Now()
	if err := r.proc.Terminate(syscall.SIGTERM, 15*time.Second); err != nil {
		t.Fatal("floe registry did not exit within 15s of SIGTERM")
	}
	return time.Since(start), r.proc.ExitCode()
}

type logWriter struct {
	t      *testing.T
	prefix string
}

func (w *logWriter) Write(b []byte) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		w.t.Log(w.prefix + sc.Text())
	}
	return len(b), nil
}

func testContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// registerAdapter creates an adapter with an adapter id in comm and activates it, which
// registers it with the locator.
func registerAdapter(t *testing.T, comm *ice.Communicator, id string) *ice.ObjectAdapter {
	t.Helper()
	comm.Properties().Set(id+".AdapterId", id)
	a, err := comm.CreateObjectAdapterWithEndpoints(id, "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Activate(testContext(t, 10*time.Second)); err != nil {
		t.Fatalf("activate %s: %v", id, err)
	}
	return a
}
