package descriptors_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
)

const (
	instanceName = "FloeDiff"
	waitBound    = 30 * time.Second // every wait for IceGrid is bounded by this
	adminTimeout = 30 * time.Second // one icegridadmin command
)

// nodeNames are the nodes the corpus deploys to; node1 runs the collocated registry.
var nodeNames = []string{"node1", "node2", "Node"}

// nodeSettings gives each node a different set of the options that change the generated
// configuration files, so that each is compared with IceGrid.
var nodeSettings = map[string][]string{
	"node2": {"IceGrid.Node.Output=%DIR%/out"},
	"Node":  {"IceGrid.Node.PropertiesOverride=Ice.Trace.Network=1 Floe.Extra=x", "IceGrid.Node.RedirectErrToOut=1"},
}

// realGrid is a running IceGrid: its directory, locator and the processes the tests started.
type realGrid struct {
	dir     string
	locator string
	procs   []*floetest.Proc // their output is in Out
}

var (
	gridOnce     sync.Once
	theGrid      *realGrid
	errGridStart error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theGrid != nil {
		theGrid.stop()
	}
	os.Exit(code)
}

// grid returns the shared IceGrid, starting it on first use. Without the IceGrid binaries it
// skips the test, or fails it when CI is set.
func grid(t *testing.T) *realGrid {
	t.Helper()
	for _, bin := range []string{"icegridnode", "icegridadmin"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s (IceGrid 3.7.8) is required in CI: %v", bin, err)
			}
			t.Skipf("%s not available: %v", bin, err)
		}
	}
	gridOnce.Do(func() { theGrid, errGridStart = startGrid() })
	if errGridStart != nil {
		t.Fatalf("start IceGrid: %v", errGridStart)
	}
	return theGrid
}

func startGrid() (*realGrid, error) {
	dir, err := os.MkdirTemp("", "floe-descriptors-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	g := &realGrid{dir: dir, locator: fmt.Sprintf("%s/Locator:tcp -h 127.0.0.1 -p %d", instanceName, port)}
	registry := []string{
		"IceGrid.InstanceName=" + instanceName,
		fmt.Sprintf("IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", port),
		"IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1",
		"IceGrid.Registry.Internal.Endpoints=tcp -h 127.0.0.1",
		"IceGrid.Registry.LMDB.Path=%DIR%/registry",
		"IceGrid.Registry.LMDB.MapSize=16",
		"IceGrid.Registry.PermissionsVerifier=" + instanceName + "/NullPermissionsVerifier",
		"IceGrid.Registry.AdminPermissionsVerifier=" + instanceName + "/NullPermissionsVerifier",
		"IceGrid.Registry.Discovery.Enabled=0",
		"IceGrid.Registry.DefaultTemplates=/usr/share/ice/templates.xml",
		"IceGrid.Node.CollocateRegistry=1",
	}
	if err := os.WriteFile(filepath.Join(dir, "admin.cfg"), []byte(strings.Join([]string{
		"Ice.Default.Locator=" + g.locator, "IceGridAdmin.Username=floe", "IceGridAdmin.Password=floe", "",
	}, "\n")), 0o600); err != nil {
		return nil, err
	}
	for i, name := range nodeNames {
		props := nodeSettings[name]
		if i == 0 {
			props = append(props, registry...)
		}
		if err := g.startNode(name, props); err != nil {
			g.stop()
			return nil, err
		}
		if i == 0 {
			if err := g.waitFor("registry", func() bool { _, err := g.admin("node list"); return err == nil }); err != nil {
				g.stop()
				return nil, err
			}
		}
	}
	if err := g.waitFor("nodes", g.nodesUp); err != nil {
		g.stop()
		return nil, err
	}
	return g, nil
}

func (g *realGrid) nodeDir(name string) string { return filepath.Join(g.dir, "node-"+name) }

func (g *realGrid) startNode(name string, extra []string) error {
	data := g.nodeDir(name)
	for _, sub := range []string{"data", "out", "registry"} {
		if err := os.MkdirAll(filepath.Join(data, sub), 0o700); err != nil {
			return err
		}
	}
	props := []string{
		"IceGrid.Node.Name=" + name,
		"IceGrid.Node.Endpoints=tcp -h 127.0.0.1",
		"IceGrid.Node.Data=" + filepath.Join(data, "data"),
		"IceGrid.Node.AllowRunningServersAsRoot=1",
		"Ice.Default.Locator=" + g.locator,
	}
	for _, p := range extra {
		props = append(props, strings.ReplaceAll(p, "%DIR%", data))
	}
	cfg := filepath.Join(data, "config")
	if err := os.WriteFile(cfg, []byte(strings.Join(props, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	// The node outlives this call; stop ends it by its PID.
	cmd := exec.CommandContext(context.Background(), "icegridnode", "--Ice.Config="+cfg)
	cmd.Dir = data
	p, err := floetest.Start("icegridnode "+name, cmd)
	if err != nil {
		return err
	}
	g.procs = append(g.procs, p)
	return nil
}

// stop stops the processes this package started, by PID: SIGTERM, then SIGKILL after a bound.
func (g *realGrid) stop() {
	for _, p := range slices.Backward(g.procs) {
		_ = p.Terminate(syscall.SIGTERM, waitBound)
	}
	g.procs = nil
	_ = os.RemoveAll(g.dir)
}

func (g *realGrid) nodesUp() bool {
	out, err := g.admin("node list")
	if err != nil {
		return false
	}
	for _, n := range nodeNames {
		if !strings.Contains("\n"+out, "\n"+n+"\n") {
			return false
		}
	}
	return true
}

// waitFor polls cond every 100 ms for at most waitBound.
func (g *realGrid) waitFor(what string, cond func() bool) error {
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v", what, waitBound)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// admin runs one icegridadmin command and returns its standard output; a non-zero exit is an
// *adminError carrying standard error.
func (g *realGrid) admin(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "icegridadmin", "--Ice.Config="+filepath.Join(g.dir, "admin.cfg"), "-e", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return stdout.String(), &adminError{code: ee.ExitCode(), stderr: stderr.String()}
	}
	return stdout.String(), err
}

type adminError struct {
	code   int
	stderr string
}

func (e *adminError) Error() string {
	return "icegridadmin exit " + strconv.Itoa(e.code) + ": " + e.stderr
}

func freePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
