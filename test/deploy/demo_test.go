// Package deploy_test runs ice-demos' Python IceGrid "simple" demo, unmodified, against a floe
// registry with its collocated node: the demo's config.grid, its descriptors, its client.py and
// server.py, with servers activated on demand.
package deploy_test

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

var floeBin string

func TestMain(m *testing.M) { floetest.Main(m, &floeBin) }

// grid is a floe registry with a collocated node, started from the demo's config.grid (and
// extra command-line properties) in a copy of the demo directory (the node starts servers
// there, as icegridnode would).
type grid struct {
	dir     string
	locator string
	http    string
	reg     *floetest.Proc
	out     *floetest.Buffer
}

func startGrid(t *testing.T, extra ...string) *grid {
	t.Helper()
	floetest.RequirePython(t)
	src, _ := filepath.Abs(demoDir)
	if _, err := os.Stat(filepath.Join(src, "config.grid")); err != nil {
		t.Skipf("ice-demos copy not found: %v", err)
	}
	g := &grid{dir: t.TempDir()}
	if err := os.CopyFS(g.dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	// The demo's descriptors run exe="python": give the node a python that has Ice.
	bin := filepath.Join(g.dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/bin/python3", filepath.Join(bin, "python")); err != nil {
		t.Fatal(err)
	}
	port := floetest.FreePort(t)
	g.locator = fmt.Sprintf("DemoIceGrid/Locator:tcp -h 127.0.0.1 -p %d", port)
	g.http = fmt.Sprintf("127.0.0.1:%d", floetest.FreePort(t))
	args := append([]string{"registry", "--Ice.Config=config.grid",
		fmt.Sprintf("--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", port),
		"--Ice.Default.Locator=" + g.locator, "--Floe.HTTP.Endpoint=" + g.http}, extra...)
	cmd := exec.Command(floeBin, args...) //nolint:noctx // cleanup stops it with SIGINT; t.Context() would SIGKILL it first
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	g.reg = floetest.StartProc(t, "registry and node", cmd)
	g.out = g.reg.Out
	floetest.WaitFor(t, 20*time.Second, func() bool { return floetest.Healthy(t.Context(), g.http) })
	return g
}

// stop interrupts the registry; its node stops the servers first.
func (g *grid) stop(t *testing.T) {
	t.Helper()
	g.reg.Stop(t, os.Interrupt, 20*time.Second)
}

func (g *grid) admin(t *testing.T, cmd string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), floeBin, "admin", "--registry", "http://"+g.http, "-e", cmd).CombinedOutput()
	if err != nil {
		t.Fatalf("floe admin -e %q: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// client runs the demo's client.py with the given menu input.
func (g *grid) client(t *testing.T, input string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "client.py", "--Ice.Default.Locator="+g.locator)
	cmd.Dir = g.dir
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client.py: %v\n%s", err, out)
	}
	return string(out)
}

// TestSimpleDemo: the client's first call activates the server on demand.
func TestSimpleDemo(t *testing.T) {
	for _, app := range []string{"application.xml", "application_with_replication.xml", "application_with_template.xml"} {
		t.Run(app, func(t *testing.T) {
			g := startGrid(t)
			g.admin(t, "application add "+filepath.Join(g.dir, app))
			g.client(t, "t\nt\nx\n")
			floetest.WaitFor(t, 10*time.Second, func() bool { return strings.Count(g.out.String(), "says Hello World!") >= 2 })
			if !strings.Contains(g.out.String(), "server started") {
				t.Error("no server was activated")
			}
			g.stop(t)
			if strings.Contains(g.out.String(), "killing its process group") {
				t.Error("a server needed SIGKILL; want a graceful Process.shutdown")
			}
		})
	}
}

// TestGoServerDeployed: the Go hello server (examples/hello) deployed like the demo's Python
// server, activated on demand by the Go client's first lookup, stopped through its Process facet.
func TestGoServerDeployed(t *testing.T) {
	g := startGrid(t)
	bin := t.TempDir()
	for _, name := range []string{"server", "client"} {
		if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(bin, name), "floe/examples/hello/"+name).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", name, err, out)
		}
	}
	app := filepath.Join(g.dir, "go.xml")
	xml := `<icegrid><application name="GoHello"><node name="node1">
  <server id="GoServer" exe="` + filepath.Join(bin, "server") + `" activation="on-demand">
    <adapter name="Hello" endpoints="tcp -h 127.0.0.1">
      <object identity="hello" type="::Demo::Hello" property="Identity"/>
    </adapter>
  </server></node></application></icegrid>`
	if err := os.WriteFile(app, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	g.admin(t, "application add "+app)
	if d := g.admin(t, "application diff "+app); strings.TrimSpace(d) != "" {
		t.Errorf("application diff of the deployed file = %q, want no difference", d)
	}
	changed := filepath.Join(g.dir, "go2.xml")
	if err := os.WriteFile(changed, []byte(strings.Replace(xml, `endpoints="tcp -h 127.0.0.1"`, `endpoints="tcp -h localhost"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if d := g.admin(t, "application diff "+changed); !strings.Contains(d, `+     <adapter name="Hello" endpoints="tcp -h localhost">`) {
		t.Errorf("application diff of a changed file = %q", d)
	}
	out, err := exec.CommandContext(t.Context(), filepath.Join(bin, "client"), "--Ice.Default.Locator="+g.locator,
		"--proxy", "hello", "--count", "3").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3 sayHello calls") {
		t.Fatalf("Go client: %v\n%s", err, out)
	}
	floetest.WaitFor(t, 10*time.Second, func() bool { return strings.Count(g.out.String(), "GoServer says Hello World!") == 3 })
	for _, step := range []struct{ cmd, want string }{
		{"server list", "GoServer"},
		{"server state GoServer", "active (pid = "},
		{"node list", "node1"},
		{"server stop GoServer", ""},
		{"server state GoServer", "inactive (enabled)"},
		{"server disable GoServer", ""},
		{"server describe GoServer", "enabled = false"},
		{"server enable GoServer", ""},
		{"server start GoServer", ""},
		{"server state GoServer", "active (pid = "},
	} {
		if got := g.admin(t, step.cmd); !strings.Contains(got, step.want) {
			t.Errorf("floe admin -e %q = %q, want %q", step.cmd, got, step.want)
		}
	}
	g.stop(t)
	if !strings.Contains(g.out.String(), `server=GoServer status="exit status 0"`) {
		t.Error("the Go server did not exit cleanly through Process.shutdown")
	}
}
