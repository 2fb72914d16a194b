package registry_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

const demoDir = "../../../shared/testdata/ice-demos-python-icegrid-simple"

// buildExample builds one of examples/hello's commands.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "floe/examples/hello/"+name).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// TestDemoConfigAndHello starts the registry from ice-demos' config.grid, registers the Go hello
// server with an adapter id, and calls it from the Go client (hello@HelloAdapter) and from
// ice-demos' own Python client (the well-known "hello", added as hello@HelloAdapter).
func TestDemoConfigAndHello(t *testing.T) {
	floetest.RequirePython(t)
	demo, err := filepath.Abs(demoDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(demo, "config.grid")); err != nil {
		t.Skipf("ice-demos copy not found: %v", err)
	}
	work := t.TempDir()
	port := floetest.FreePort(t)
	r := &registryProc{dataDir: filepath.Join(work, "db", "registry"), client: port, http: floetest.FreePort(t)}
	r.locator = fmt.Sprintf("DemoIceGrid/Locator:tcp -h 127.0.0.1 -p %d", port)
	r.extra = []string{"--Ice.Config=" + filepath.Join(demo, "config.grid")}
	var log floetest.Buffer
	r.startWithOutput(t, &log)
	// An accepted property without effect (Floe's admin is not an Ice admin session) is warned
	// about once; IceGrid.Registry.PermissionsVerifier is implemented (client sessions).
	if n := strings.Count(log.String(), "IceGrid.Registry.AdminPermissionsVerifier"); n != 1 {
		t.Errorf("warning about IceGrid.Registry.AdminPermissionsVerifier logged %d times, want once:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), "IceGrid.Registry.PermissionsVerifier") {
		t.Errorf("IceGrid.Registry.PermissionsVerifier is warned about:\n%s", log.String())
	}

	server := exec.CommandContext(t.Context(), buildExample(t, "server"), "--Ice.Default.Locator="+r.locator,
		"--Hello.Endpoints=tcp -h 127.0.0.1", "--Hello.AdapterId=HelloAdapter", "--Ice.ProgramName=GoHello")
	var serverOut floetest.Buffer
	server.Stdout, server.Stderr = &serverOut, &serverOut
	serverProc := floetest.StartProc(t, "Go hello server", server)
	serverProc.StopSignal, serverProc.StopWait = os.Kill, killWait
	floetest.WaitFor(t, 10*time.Second, func() bool { return strings.Contains(serverOut.String(), "ready:") })

	out, err := exec.CommandContext(t.Context(), buildExample(t, "client"), "--Ice.Default.Locator="+r.locator,
		"--proxy", "hello@HelloAdapter", "--count", "3").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3 sayHello calls") {
		t.Fatalf("Go client: %v\n%s", err, out)
	}
	admin := exec.CommandContext(t.Context(), floeBin, "admin", "--registry", fmt.Sprintf("http://127.0.0.1:%d", r.http),
		"-e", "object add 'hello@HelloAdapter' ::Demo::Hello")
	if out, err := admin.CombinedOutput(); err != nil {
		t.Fatalf("floe admin object add: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	py := exec.CommandContext(ctx, "/usr/bin/python3", "client.py", "--Ice.Default.Locator="+r.locator)
	py.Dir = demo
	py.Stdin = strings.NewReader("t\ns\nx\n")
	if out, err := py.CombinedOutput(); err != nil {
		t.Fatalf("ice-demos client.py: %v\n%s", err, out)
	}
	select {
	case <-serverProc.Done():
		if err := serverProc.Err(); err != nil {
			t.Errorf("Go hello server after shutdown(): %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Go hello server did not exit after shutdown()")
	}
	if got := strings.Count(serverOut.String(), "GoHello says Hello World!"); got != 4 {
		t.Errorf("server greeted %d times, want 4 (3 Go + 1 Python):\n%s", got, serverOut.String())
	}
}
