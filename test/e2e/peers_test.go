package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

// python is the interpreter with ZeroC Ice 3.7 (the python3 on PATH may be a pyenv without it).
const python = "/usr/bin/python3"

var (
	probeScript  = filepath.Join("testdata", "probe.py")
	serverScript = filepath.Join("..", "interop", "testdata", "server.py")
)

// probe runs one probe.py observation against locator and returns its JSON object. An Ice
// exception is an observation, not an error; an error means the probe itself failed.
func probe(t *testing.T, locator string, args ...string) (map[string]any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{probeScript, "--locator", locator}, args...)...)
	var stderr floetest.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("probe %q: %s: %s", args, exitText(err), stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("probe %q: output %q: %w", args, out, err)
	}
	return res, nil
}

// server is a running Python Tester server (servant "tester").
type server struct {
	proc  *floetest.Proc
	proxy string // its direct proxy, from the READY line
	port  int
}

// serverExitError is a server.py that exited before it printed READY.
type serverExitError struct {
	code   int
	stderr string
}

func (e *serverExitError) Error() string {
	return fmt.Sprintf("server.py exited with %d before READY: %s", e.code, e.stderr)
}

// startServer starts server.py registering adapter adapterID (in replicaGroup when not empty)
// through locator, and waits for READY. It returns a *serverExitError if the server exits first.
func startServer(t *testing.T, locator, adapterID, replicaGroup string) (*server, error) {
	t.Helper()
	args := []string{serverScript, "--Ice.Default.Locator=" + locator, "--TestAdapter.AdapterId=" + adapterID}
	if replicaGroup != "" {
		args = append(args, "--TestAdapter.ReplicaGroupId="+replicaGroup)
	}
	var stdout, stderr floetest.Buffer
	p := startProc(t, "server.py "+adapterID, &stdout, &stderr, python, args...)
	deadline := time.Now().Add(readyTimeout)
	for {
		if line, ok := readyLine(stdout.String()); ok {
			return newServer(t, p, line), nil
		}
		if p.Exited() {
			return nil, &serverExitError{code: p.ExitCode(), stderr: stderr.String()}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server.py %s: no READY line within %v; stderr: %s", adapterID, readyTimeout, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readyLine(out string) (string, bool) {
	for line := range strings.Lines(out) {
		if p, ok := strings.CutPrefix(line, "READY "); ok && strings.HasSuffix(p, "\n") {
			return strings.TrimSpace(p), true
		}
	}
	return "", false
}

var portRE = regexp.MustCompile(`-p (\d+)`)

func newServer(t *testing.T, p *floetest.Proc, proxy string) *server {
	t.Helper()
	m := portRE.FindStringSubmatch(proxy)
	if m == nil {
		t.Fatalf("server.py READY proxy %q has no port", proxy)
	}
	port, _ := strconv.Atoi(m[1])
	return &server{proc: p, proxy: proxy, port: port}
}

var (
	iceExceptionRE = regexp.MustCompile(`exception (::[\w:]+)`)
	kindRE         = regexp.MustCompile(`(?m)^\s*kindOfObject = (.*)$`)
	idRE           = regexp.MustCompile(`(?m)^\s*id = (.*)$`)
)

// observation turns a server.py failure into a comparable result: exit code, the Ice exception
// that escaped (its Slice type id) and, for NotRegisteredException, kindOfObject and id.
func (e *serverExitError) observation() map[string]any {
	res := map[string]any{"exit": float64(e.code)}
	if m := iceExceptionRE.FindStringSubmatch(e.stderr); m != nil {
		res["exception"] = m[1]
	} else {
		lines := strings.Split(strings.TrimSpace(e.stderr), "\n")
		res["exception"] = lines[len(lines)-1]
	}
	if m := kindRE.FindStringSubmatch(e.stderr); m != nil {
		res["kind"] = strings.TrimSpace(m[1])
	}
	if m := idRE.FindStringSubmatch(e.stderr); m != nil {
		res["id"] = strings.TrimSpace(m[1])
	}
	return res
}
