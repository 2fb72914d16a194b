// Package nodeadmin_test drives a floe registry with its collocated node through `floe admin`,
// as an operator would with icegridadmin: server states, captured server output, node
// description and load.
package nodeadmin_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

var floeBin string

func TestMain(m *testing.M) { floetest.Main(m, &floeBin) }

// grid is a floe registry with a collocated node named "local", in a temporary directory.
type grid struct {
	dir     string
	http    string
	locator string
	reg     *floetest.Proc
	out     *floetest.Buffer
}

func startGrid(t *testing.T, extra ...string) *grid {
	t.Helper()
	g := &grid{dir: t.TempDir()}
	g.http = fmt.Sprintf("127.0.0.1:%d", floetest.FreePort(t))
	port := floetest.FreePort(t)
	g.locator = fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d", port)
	args := append([]string{"registry",
		fmt.Sprintf("--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", port),
		"--IceGrid.Registry.LMDB.Path=" + filepath.Join(g.dir, "db"),
		"--IceGrid.Node.CollocateRegistry=1", "--IceGrid.Node.Name=local",
		"--IceGrid.Node.Data=" + filepath.Join(g.dir, "node"), "--Floe.HTTP.Endpoint=" + g.http}, extra...)
	cmd := exec.CommandContext(context.Background(), floeBin, args...) // stopped by stop, with SIGINT
	cmd.Dir = g.dir
	g.reg = floetest.StartProc(t, "registry and node", cmd)
	g.out = g.reg.Out
	floetest.WaitFor(t, 20*time.Second, func() bool { return floetest.Healthy(context.Background(), g.http) })
	return g
}

// admin runs one floe admin command (for at most a minute) and returns its output and error.
func (g *grid) admin(cmd string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, floeBin, "admin", "--registry", "http://"+g.http, "-e", cmd).CombinedOutput()
	return string(out), err
}

// must runs a floe admin command that must succeed.
func (g *grid) must(t *testing.T, cmd string) string {
	t.Helper()
	out, err := g.admin(cmd)
	if err != nil {
		t.Fatalf("floe admin -e %q: %v\n%s", cmd, err, out)
	}
	return out
}

func (g *grid) deploy(t *testing.T, xml string) {
	t.Helper()
	app := filepath.Join(g.dir, "app.xml")
	if err := os.WriteFile(app, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	g.must(t, "application add "+app)
}

// shellServer is a server running a shell script that registers nothing: without an admin
// endpoint (Ice.Admin.Enabled=0) and adapters it is Active as soon as it runs.
func shellServer(id, script string) string {
	return `<server id="` + id + `" exe="/bin/sh" activation="manual">
      <option>-c</option><option>` + script + `</option>
      <property name="Ice.Admin.Enabled" value="0"/>
    </server>`
}

func buildHelloServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "floe/examples/hello/server").CombinedOutput(); err != nil {
		t.Fatalf("build the hello server: %v\n%s", err, out)
	}
	return bin
}

var activePID = regexp.MustCompile(`^active \(pid = ([0-9]+), enabled\)\n$`)

// TestServerStatesAndOutput: server states as icegridadmin prints them through a start, a
// stop, a disable, an activation that times out and the activation of a real Ice server; the
// server's stdout and stderr captured in IceGrid.Node.Output and shown by "server show".
func TestServerStatesAndOutput(t *testing.T) {
	hello := buildHelloServer(t)
	out := filepath.Join(t.TempDir(), "out")
	g := startGrid(t, "--IceGrid.Node.Output="+out)
	g.deploy(t, `<icegrid><application name="App"><node name="local">
    `+shellServer("Talker", "echo hello from talker; echo line two; echo oops &gt;&amp;2; exec sleep 300")+`
    <server id="Slow" exe="/bin/sh" activation="manual" activation-timeout="1">
      <option>-c</option><option>exec sleep 300</option>
      <adapter name="Never" endpoints="tcp -h 127.0.0.1"/>
    </server>
    <server id="GoHello" exe="`+hello+`" activation="on-demand">
      <adapter name="Hello" endpoints="tcp -h 127.0.0.1">
        <object identity="hello" type="::Demo::Hello" property="Identity"/>
      </adapter>
    </server>
  </node></application></icegrid>`)

	if got := g.must(t, "server state Talker"); got != "inactive (enabled)\n" {
		t.Errorf("server state of a server never started = %q, want %q", got, "inactive (enabled)\n")
	}
	if got := g.must(t, "server show Talker stdout"); got != "server `Talker' stdout: \n" {
		t.Errorf("server show before any output = %q", got)
	}
	g.must(t, "server start Talker")
	state := g.must(t, "server state Talker")
	m := activePID.FindStringSubmatch(state)
	if m == nil {
		t.Fatalf("server state after start = %q, want %q", state, "active (pid = N, enabled)")
	}
	if pid := strings.TrimSpace(g.must(t, "server pid Talker")); pid != m[1] {
		t.Errorf("server pid = %s, server state says pid %s", pid, m[1])
	}
	want := "server `Talker' stdout: \nhello from talker\nline two\n"
	floetest.WaitFor(t, 10*time.Second, func() bool { got, _ := g.admin("server show Talker stdout"); return got == want })
	for cmd, want := range map[string]string{
		"server show Talker stderr":          "server `Talker' stderr: \noops\n",
		"server show -t 1 Talker stdout":     "server `Talker' stdout: \nline two\n",
		"server show --head 1 stdout Talker": "server `Talker' stdout: \nhello from talker\n",
	} {
		if got := g.must(t, cmd); got != want {
			t.Errorf("floe admin -e %q = %q, want %q", cmd, got, want)
		}
	}
	for _, f := range []string{"Talker.out", "Talker.err"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("IceGrid's output file %s: %v", f, err)
		}
	}
	g.must(t, "server stop Talker")
	if got := g.must(t, "server state Talker"); got != "inactive (enabled)\n" {
		t.Errorf("server state after stop = %q", got)
	}
	g.must(t, "server disable Talker")
	if got := g.must(t, "server state Talker"); got != "inactive (disabled)\n" {
		t.Errorf("server state after disable = %q", got)
	}

	// A server that does not register its adapter within its activation-timeout.
	if got, err := g.admin("server start Slow"); err == nil || !strings.Contains(got, "activation timed out") {
		t.Errorf("server start Slow = %q, %v; want an error saying the activation timed out", got, err)
	}
	if got := g.must(t, "server state Slow"); !regexp.MustCompile(`^activation timed out \(pid = [0-9]+, enabled\)\n$`).MatchString(got) {
		t.Errorf("server state Slow = %q, want %q", got, "activation timed out (pid = N, enabled)")
	}
	if got, err := g.admin("server start Slow"); err == nil || !strings.Contains(got, "activation timed out") {
		t.Errorf("second server start Slow = %q, %v; want an error", got, err)
	}

	// A real Ice server is Active once it registered its adapter and its Process object.
	g.must(t, "server start GoHello")
	if got := g.must(t, "server state GoHello"); !activePID.MatchString(got) {
		t.Errorf("server state GoHello after start = %q", got)
	}
	if got, err := g.admin("server start GoHello"); err == nil || !strings.Contains(got, "already active") {
		t.Errorf("server start of an active server = %q, %v; want an error", got, err)
	}
	g.must(t, "server stop GoHello")
	if got := g.must(t, "server state GoHello"); got != "inactive (enabled)\n" {
		t.Errorf("server state GoHello after stop = %q", got)
	}
}

// TestNoOutputFile: without IceGrid.Node.Output a server's output is not captured and "server
// show" says so.
func TestNoOutputFile(t *testing.T) {
	g := startGrid(t)
	g.deploy(t, `<icegrid><application name="App"><node name="local">`+shellServer("S", "exec sleep 300")+
		`</node></application></icegrid>`)
	got, err := g.admin("server show S stdout")
	if err == nil || !strings.Contains(got, "Ice.StdOut is not set") {
		t.Errorf("server show without an output directory = %q, %v; want an error about Ice.StdOut", got, err)
	}
	if got, err := g.admin("server show S log"); err == nil || !strings.Contains(got, "only stdout and stderr") {
		t.Errorf("server show S log = %q, %v", got, err)
	}
}

// TestNodeDescribeAndLoad: "node describe" and "node load" print what icegridadmin prints.
func TestNodeDescribeAndLoad(t *testing.T) {
	g := startGrid(t)
	host, _ := os.Hostname()
	d := g.must(t, "node describe local")
	for _, want := range []string{"node `local'\n{\n", "    operating system = `Linux'\n", "    host name = `" + host + "'\n",
		fmt.Sprintf("    number of threads = `%d'\n", runtime.NumCPU()), "    machine type = `", "    release = `", "}\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("node describe local = %q, want it to contain %q", d, want)
		}
	}
	load := g.must(t, "node load local")
	if !regexp.MustCompile(`^load average \(1/5/15\): [0-9.e+]+ / [0-9.e+]+ / [0-9.e+]+\n$`).MatchString(load) {
		t.Errorf("node load local = %q", load)
	}
	for _, cmd := range []string{"node load nope", "node describe nope"} {
		if got, err := g.admin(cmd); err == nil || !strings.Contains(got, `node "nope" does not exist`) {
			t.Errorf("floe admin -e %q = %q, %v; want an error", cmd, got, err)
		}
	}
}
