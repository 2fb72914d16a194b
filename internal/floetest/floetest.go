// Package floetest holds helpers that Floe's process-level tests share: building the floe
// binary once per test binary, a goroutine-safe output buffer, started processes stopped by PID
// (Proc), bounded polling and free loopback ports. It is imported by tests only.
package floetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BuildFloe builds floe/cmd/floe into dir and returns the binary's path (for TestMain).
func BuildFloe(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "floe")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "floe/cmd/floe").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build floe: %w\n%s", err, out)
	}
	return bin, nil
}

// Main builds floe into a temporary directory, stores its path in *bin, runs the tests and
// exits; it is what a TestMain calls.
func Main(m *testing.M, bin *string) {
	dir, err := os.MkdirTemp("", "floe-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *bin, err = BuildFloe(context.Background(), dir); err != nil { // TestMain is the root: no context above it
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// Buffer is a strings.Builder safe for a process writing and a test reading.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Tail returns the last n lines written.
func (s *Buffer) Tail(n int) string {
	lines := strings.Split(strings.TrimSuffix(s.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WaitFor polls cond every 20 ms until it holds, failing the test after d.
func WaitFor(tb testing.TB, d time.Duration, cond func() bool) {
	tb.Helper()
	WaitUntil(tb, d, "condition", cond)
}

// WaitUntil is WaitFor that names what it waits for in the failure.
func WaitUntil(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(tb.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Healthy reports whether the floe process whose HTTP API is at addr (host:port) answers
// GET /healthz with 200, which it does once it serves lookups.
func Healthy(ctx context.Context, addr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return false
	}
	c := http.Client{Timeout: time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
