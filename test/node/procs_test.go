package node_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// Binaries built once by TestMain: floe and the Go hello server and client.
var floeBin, helloServer, helloClient string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "floe-node-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := 1
	if floeBin, err = floetest.BuildFloe(context.Background(), dir); err == nil {
		helloServer, helloClient = filepath.Join(dir, "server"), filepath.Join(dir, "client")
		err = buildHello(helloServer, helloClient)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func buildHello(server, client string) error {
	for bin, pkg := range map[string]string{server: "floe/examples/hello/server", client: "floe/examples/hello/client"} {
		if out, err := exec.CommandContext(context.Background(), "go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", pkg, err, out)
		}
	}
	return nil
}

// stopWait bounds every wait for a floe process to exit after a signal.
const stopWait = 30 * time.Second

// proc is a floe process started by a test; out holds its output, which is logged at cleanup.
// Cleanup kills it (SIGKILL, by PID) if it still runs.
type proc struct {
	*floetest.Proc
	out *floetest.Buffer
}

func startProc(t *testing.T, name, dir string, args ...string) *proc {
	t.Helper()
	out := &floetest.Buffer{}
	t.Cleanup(func() { t.Logf("%s output:\n%s", name, out.String()) }) // runs after the process is stopped
	cmd := exec.CommandContext(context.Background(), floeBin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	// Servers a killed node leaves running keep its output pipe open: do not wait for them.
	cmd.WaitDelay = time.Second
	p := floetest.StartProc(t, name, cmd)
	p.StopSignal, p.StopWait = syscall.SIGKILL, stopWait
	return &proc{Proc: p, out: out}
}

// grid is a standalone registry with no collocated node, on free loopback ports.
type grid struct {
	dir, locator, http string
	reg                *proc
	args               []string
}

func newGrid(t *testing.T, extra ...string) *grid {
	t.Helper()
	g := &grid{dir: t.TempDir()}
	port := floetest.FreePort(t)
	g.locator = fmt.Sprintf("NodeGrid/Locator:tcp -h 127.0.0.1 -p %d", port)
	g.http = fmt.Sprintf("127.0.0.1:%d", floetest.FreePort(t))
	g.args = append([]string{"registry", "--IceGrid.InstanceName=NodeGrid",
		fmt.Sprintf("--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", port),
		"--IceGrid.Registry.LMDB.Path=" + filepath.Join(g.dir, "registry"),
		"--IceGrid.Registry.NodeSessionTimeout=2", "--Floe.HTTP.Endpoint=" + g.http}, extra...)
	g.startRegistry(t)
	return g
}

func (g *grid) startRegistry(t *testing.T) {
	t.Helper()
	g.reg = startProc(t, "registry", g.dir, g.args...)
	floetest.WaitFor(t, 20*time.Second, func() bool { return floetest.Healthy(t.Context(), g.http) })
}

// startNode starts `floe node` n1 with its data under the grid's directory, and more
// properties in extra.
func (g *grid) startNode(t *testing.T, extra ...string) *proc {
	t.Helper()
	return startProc(t, "node", g.dir, append([]string{"node", "--IceGrid.Node.Name=n1",
		"--IceGrid.Node.Endpoints=tcp -h 127.0.0.1", "--IceGrid.Node.Data=" + filepath.Join(g.dir, "node"),
		"--Ice.Default.Locator=" + g.locator, "--IceGrid.Node.WaitTime=5"}, extra...)...)
}

func (g *grid) admin(t *testing.T, cmd string) string {
	t.Helper()
	out, err := g.try(t, cmd)
	if err != nil {
		t.Fatalf("floe admin -e %q: %v\n%s", cmd, err, out)
	}
	return out
}

// try runs a floe admin command that may fail.
func (g *grid) try(t *testing.T, cmd string) (string, error) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), floeBin, "admin", "--registry", "http://"+g.http, "-e", cmd).CombinedOutput()
	return string(out), err
}

// get decodes a JSON answer of the HTTP API.
func (g *grid) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := httpGet(t, "http://"+g.http+path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type serverJSON struct {
	ID, Node, State string
	PID             int
}

type nodeJSON struct {
	Name       string
	Up         bool
	Collocated bool
}

func (g *grid) server(t *testing.T, id string) serverJSON {
	t.Helper()
	var s serverJSON
	g.get(t, "/api/v1/servers/"+id, &s)
	return s
}

// state is a server's state, or "" while the registry does not know the server.
func (g *grid) state(t *testing.T, id string) string {
	t.Helper()
	resp, err := httpGet(t, "http://"+g.http+"/api/v1/servers/"+id)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var s serverJSON
	if resp.StatusCode != http.StatusOK || jsonDecode(resp, &s) != nil {
		return ""
	}
	return s.State
}

func (g *grid) nodes(t *testing.T) []nodeJSON {
	t.Helper()
	var list []nodeJSON
	g.get(t, "/api/v1/nodes", &list)
	return list
}

// nodeUp reports whether the registry lists node n1 as up.
func (g *grid) nodeUp(t *testing.T) bool {
	t.Helper()
	for _, n := range g.nodes(t) {
		if n.Name == "n1" {
			return n.Up
		}
	}
	return false
}

// hello calls the well-known object id count times through the locator.
func (g *grid) hello(t *testing.T, id string, count int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, helloClient, "--Ice.Default.Locator="+g.locator,
		"--proxy", id, "--count", strconv.Itoa(count)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("%d sayHello calls", count)) {
		t.Fatalf("hello client --proxy %s: %v\n%s", id, err, out)
	}
}

// deploy adds an application with three servers on node n1: the Go hello servers OnDemand
// (well-known object "hello") and Always (object "always"), and Sleeper, an `always` shell
// that needs no registry (a hello server's adapter registers with it, and fails without it).
// With update, it updates the application and adds a fourth server, Sleeper2.
func (g *grid) deploy(t *testing.T, update bool) {
	t.Helper()
	extra, cmd := "", "application add "
	if update {
		extra = `<server id="Sleeper2" exe="/bin/sh" activation="always"><option>-c</option><option>exec sleep 1001</option></server>`
		cmd = "application update "
	}
	xml := `<icegrid><application name="Remote"><node name="n1">
  <server id="OnDemand" exe="` + helloServer + `" activation="on-demand">
    <adapter name="Hello" endpoints="tcp -h 127.0.0.1"><object identity="hello" type="::Demo::Hello" property="Identity"/></adapter>
  </server>
  <server id="Always" exe="` + helloServer + `" activation="always">
    <adapter name="Hello" endpoints="tcp -h 127.0.0.1"><object identity="always" type="::Demo::Hello" property="Identity"/></adapter>
  </server>
  <server id="Sleeper" exe="/bin/sh" activation="always"><option>-c</option><option>exec sleep 1000</option></server>
  ` + extra + `
</node></application></icegrid>`
	path := filepath.Join(g.dir, "app.xml")
	if err := os.WriteFile(path, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	g.admin(t, cmd+path)
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// pidFile reads the pid a node recorded for a running server.
func pidFile(t *testing.T, dir, id string) (int, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "node", "servers", id, "pid"))
	if err != nil {
		return 0, err
	}
	var pf struct{ PID int }
	if err := json.Unmarshal(b, &pf); err != nil || pf.PID <= 0 {
		return 0, errors.New("bad pid file")
	}
	return pf.PID, nil
}

// isServer reports whether pid runs one of the deployed servers.
func isServer(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && (strings.HasPrefix(string(b), helloServer) || strings.HasPrefix(string(b), "sleep\x00100"))
}

func httpGet(t *testing.T, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
