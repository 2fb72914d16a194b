package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
)

// instanceName is deliberately not IceGrid's default, so a registry that ignores
// IceGrid.InstanceName shows up as a difference.
const instanceName = "DiffGrid"

// target is a registry under test. A target owns its ports and its data directory for its whole
// life, so a restart serves the same locator on the same data.
type target interface {
	// start starts the registry (again) and waits until its locator answers.
	start(t *testing.T, dynamic bool)
	// stop stops the registry gracefully (SIGTERM) and waits for its exit.
	stop(t *testing.T)
	// kill kills the registry with SIGKILL and waits for its exit.
	kill(t *testing.T)
	// admin runs one admin command ("object add 'PROXY' TYPE", "object remove ID") and returns
	// what it printed.
	admin(t *testing.T, command string) (string, error)
	// locator is the registry's locator proxy.
	locator() string
	// portNames maps the registry's own ports to symbolic names for normalisation.
	portNames() map[int]string
	// nodeData is the collocated node's data directory ("" without a node).
	nodeData() string
}

// registry is the part common to both targets: ports, data directory, config file, process.
type registry struct {
	kind                           string
	dir                            string // config, data and log live here
	nodeDir                        string // the collocated node's data; "" without a node
	client, server, internal, http int
	proc                           *floetest.Proc
	log                            *os.File
}

// nodeName is the collocated node's name, the node of the deployed scenarios' applications.
const nodeName = "node1"

// newRegistry makes a target's directories and ports; with node, the target runs a collocated
// node (IceGrid.Node.CollocateRegistry=1).
func newRegistry(t *testing.T, kind string, node bool) *registry {
	t.Helper()
	r := &registry{kind: kind, dir: t.TempDir(),
		client: freePort(t), server: freePort(t), internal: freePort(t), http: freePort(t)}
	if err := os.Mkdir(filepath.Join(r.dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if node {
		r.nodeDir = worldReadableDir(t)
	}
	f, err := os.Create(filepath.Join(r.dir, kind+".log"))
	if err != nil {
		t.Fatal(err)
	}
	r.log = f
	t.Cleanup(func() { r.dumpLogOnFailure(t) })
	return r
}

func (r *registry) locator() string {
	return fmt.Sprintf("%s/Locator:tcp -h 127.0.0.1 -p %d", instanceName, r.client)
}

func (r *registry) nodeData() string { return r.nodeDir }

func (r *registry) portNames() map[int]string {
	return map[int]string{r.client: "$CLIENT", r.server: "$SERVER", r.internal: "$INTERNAL"}
}

// writeConfig writes the IceGrid property file shared by both targets (a config that runs
// icegridregistry must run floe registry unchanged) plus extra lines, and returns its path.
func (r *registry) writeConfig(t *testing.T, dynamic bool, extra ...string) string {
	t.Helper()
	ep := func(port int) string { return "tcp -h 127.0.0.1 -p " + strconv.Itoa(port) }
	lines := []string{
		"IceGrid.InstanceName=" + instanceName,
		"IceGrid.Registry.Client.Endpoints=" + ep(r.client),
		"IceGrid.Registry.Server.Endpoints=" + ep(r.server),
		"IceGrid.Registry.Internal.Endpoints=" + ep(r.internal),
		"IceGrid.Registry.LMDB.Path=" + filepath.Join(r.dir, "data"),
		"IceGrid.Registry.LMDB.MapSize=16",
		"IceGrid.Registry.DynamicRegistration=" + map[bool]string{true: "1", false: "0"}[dynamic],
		"IceGrid.Registry.PermissionsVerifier=" + instanceName + "/NullPermissionsVerifier",
		"IceGrid.Registry.AdminPermissionsVerifier=" + instanceName + "/NullPermissionsVerifier",
		"IceGrid.Registry.Discovery.Enabled=0",
	}
	if r.nodeDir != "" {
		lines = append(lines,
			"Ice.Default.Locator="+r.locator(), // the servers' locator
			"IceGrid.Node.CollocateRegistry=1",
			"IceGrid.Node.Name="+nodeName,
			"IceGrid.Node.Endpoints=tcp -h 127.0.0.1",
			"IceGrid.Node.Data="+r.nodeDir,
			// Below the probe's 20 s invocation timeout: an activation that never completes is
			// observed as the registry's answer, not as the probe's timeout.
			"IceGrid.Node.WaitTime=15",
		)
	}
	path := filepath.Join(r.dir, "registry.cfg")
	text := "# written by test/e2e\n" + strings.Join(append(lines, extra...), "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run starts bin, then waits until ready() holds and the locator answers a probe ping.
func (r *registry) run(t *testing.T, ready func() bool, bin string, args ...string) {
	t.Helper()
	fmt.Fprintf(r.log, "=== %s %s\n", bin, strings.Join(args, " "))
	r.proc = startProc(t, r.kind+" registry", r.log, r.log, bin, args...)
	deadline := time.Now().Add(readyTimeout)
	for !ready() {
		if r.proc.Exited() {
			t.Fatalf("%s registry exited before it was ready: %s (log: %s)", r.kind, exitText(r.proc.Err()), r.log.Name())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s registry not ready within %v", r.kind, readyTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		res, err := probe(t, r.locator(), "ping")
		if err == nil && res["ok"] == true {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s locator does not answer within %v: %v %v", r.kind, readyTimeout, res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *registry) stop(t *testing.T) {
	t.Helper()
	if err := r.proc.Terminate(syscall.SIGTERM, readyTimeout); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	fmt.Fprintf(r.log, "=== exited: %s\n", exitText(r.proc.Err()))
}

func (r *registry) kill(t *testing.T) {
	t.Helper()
	if err := r.proc.Terminate(syscall.SIGKILL, readyTimeout); err != nil {
		t.Errorf("kill -9: %v", err)
	}
	fmt.Fprintf(r.log, "=== killed: %s\n", exitText(r.proc.Err()))
}

func (r *registry) dumpLogOnFailure(t *testing.T) {
	t.Helper()
	if r.proc != nil {
		_ = r.proc.Terminate(syscall.SIGTERM, 10*time.Second)
	}
	_ = r.log.Close()
	if !t.Failed() {
		return
	}
	if b, err := os.ReadFile(r.log.Name()); err == nil {
		t.Logf("%s registry log:\n%s", r.kind, b)
	}
}

// runAdmin runs an admin CLI to completion (bounded) and returns its output (stdout and
// stderr); a failure is wrapped with the output.
func runAdmin(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %q: %s: %s", filepath.Base(bin), args, exitText(err), strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// worldReadableDir returns a new directory that every user can traverse, removed at cleanup.
// icegridnode running as root starts servers as nobody, in directories under its data directory,
// and t.TempDir's parent is private to the test's user.
func worldReadableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "floe-e2e-node-") //nolint:usetesting // t.TempDir's parent is private to this user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) }) // registered first: runs after the processes stopped
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// icegrid is the reference: the real icegridregistry 3.7.8, administered with icegridadmin; with
// a node, icegridnode 3.7.8 with its collocated registry.
type icegrid struct{ *registry }

func newIceGrid(t *testing.T, node bool) target {
	t.Helper()
	return &icegrid{newRegistry(t, "icegrid", node)}
}

func (g *icegrid) start(t *testing.T, dynamic bool) {
	t.Helper()
	cfg := g.writeConfig(t, dynamic)
	if g.nodeDir == "" {
		g.run(t, func() bool { return dialable(t.Context(), g.client) }, "icegridregistry", "--Ice.Config="+cfg)
		return
	}
	g.run(t, func() bool { return dialable(t.Context(), g.client) }, "icegridnode", "--Ice.Config="+cfg)
	// The collocated node registers with its registry after the locator answers.
	deadline := time.Now().Add(readyTimeout)
	for {
		_, err := g.admin(t, "node ping "+nodeName)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("icegridnode: node %s not up within %v: %v", nodeName, readyTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (g *icegrid) admin(t *testing.T, command string) (string, error) {
	t.Helper()
	return runAdmin(t, "icegridadmin", "--Ice.Default.Locator="+g.locator(), "-u", "x", "-p", "x", "-e", command)
}

// httpAddr is the Floe HTTP endpoint ("127.0.0.1:P").
func (r *registry) httpAddr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.http))
}
