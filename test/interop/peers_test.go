package interop_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

const python = floetest.Python

// pythonAvailable reports whether Python Ice can be imported (benchmarks skip without it).
func pythonAvailable(ctx context.Context) error {
	return exec.CommandContext(ctx, python, "-c", "import Ice").Run()
}

func testdata(name string) string {
	p, _ := filepath.Abs(filepath.Join("testdata", name))
	return p
}

// startPython runs a Python peer script and returns the proxy from its "READY <proxy>" line.
// At cleanup the process gets 5 s to exit by itself, then is killed (by PID).
func startPython(tb testing.TB, script string, args ...string) (string, *floetest.Proc) {
	tb.Helper()
	cmd := exec.Command(python, append([]string{testdata(script)}, args...)...) //nolint:noctx // cleanup gives it 5 s to exit by itself; tb.Context() would kill it first
	cmd.Stderr = &testWriter{t: tb, prefix: script + ": "}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := floetest.StartProc(tb, script, cmd)
	p.StopSignal, p.StopWait = os.Kill, 10*time.Second
	tb.Cleanup(func() { _, _ = p.Wait(5 * time.Second) }) // runs before StartProc's, which kills it
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- p
			} else {
				tb.Logf("%s: %s", script, sc.Text())
			}
		}
	}()
	select {
	case proxy := <-ready:
		return proxy, p
	case <-p.Done():
		tb.Fatalf("%s exited before READY", script)
	case <-time.After(30 * time.Second):
		_ = p.Cmd.Process.Kill()
		tb.Fatalf("%s: no READY line within 30s", script)
	}
	return "", nil
}

// runPython runs a Python script to completion (bounded) and returns its combined output.
func runPython(t *testing.T, timeout time.Duration, script string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{testdata(script)}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type testWriter struct {
	t      testing.TB
	prefix string
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s%s", w.prefix, strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func testContext(tb testing.TB, d time.Duration) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}
