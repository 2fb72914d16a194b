package nodeadmin_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

// propsApp is an application of props.py servers (a real Python Ice server with Ice.Admin,
// which prints its Test.* properties at start and each live change of them) on node local:
// Running, Stopped, both manual with Test.Greeting=greeting, Running with the options
// runningOptions; and NoAdmin, a shell without an admin object, with property P=p.
func propsApp(t *testing.T, greeting, runningOptions, p string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "e2e", "testdata", "props.py"))
	if err != nil {
		t.Fatal(err)
	}
	props := func(id, options string) string {
		return `<server id="` + id + `" exe="/usr/bin/python3" activation="manual">
      <option>` + script + `</option>` + options + `
      <property name="Test.Greeting" value="` + greeting + `"/>
    </server>`
	}
	return `<icegrid><application name="Live"><node name="local">
    ` + props("Running", runningOptions) + `
    ` + props("Stopped", "") + `
    <server id="NoAdmin" exe="/bin/sh" activation="manual">
      <option>-c</option><option>exec sleep 300</option>
      <property name="Ice.Admin.Enabled" value="0"/>
      <property name="P" value="` + p + `"/>
    </server>
  </node></application></icegrid>`
}

// TestUpdateWithoutRestart: `application update -n` with the collocated node. A property change
// reaches the running server through its admin object (same process, which reports the new
// value) and its rewritten configuration file; the stopped server starts with it. A change that
// needs a restart, or a property change of a running server without an admin object, fails
// the whole update with IceGrid's DeploymentException and changes nothing: same process, same
// revision, same descriptor. A normal update restarts the server.
func TestUpdateWithoutRestart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	g := startGrid(t, "--IceGrid.Node.Output="+out)
	file := func(name, xml string) string {
		path := filepath.Join(g.dir, name)
		if err := os.WriteFile(path, []byte(xml), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	g.deploy(t, propsApp(t, "hello", "", "1"))
	g.must(t, "server start Running")
	g.must(t, "server start NoAdmin")
	pid := g.must(t, "server pid Running")
	waitOutput(t, filepath.Join(out, "Running.out"), "STARTED Test.Greeting=hello\n")

	g.must(t, "application update --no-restart "+file("v2.xml", propsApp(t, "bonjour", "", "1")))
	if got := g.must(t, "server pid Running"); got != pid {
		t.Errorf("server pid Running after update -n = %s, want %s (not restarted)", got, pid)
	}
	waitOutput(t, filepath.Join(out, "Running.out"), "UPDATED Test.Greeting=bonjour\n")
	cfg, err := os.ReadFile(filepath.Join(g.dir, "node", "servers", "Running", "config", "config"))
	if err != nil || !strings.Contains(string(cfg), "\nTest.Greeting=bonjour\n") {
		t.Errorf("config file of Running after update -n: %v\n%s", err, cfg)
	}
	g.must(t, "server start Stopped")
	waitOutput(t, filepath.Join(out, "Stopped.out"), "STARTED Test.Greeting=bonjour\n")
	described := g.must(t, "application describe Live")

	for _, tc := range []struct{ name, xml, want string }{
		{"option added", propsApp(t, "bonjour", "<option>--x</option>", "1"),
			"the server `Running' would need to be stopped"},
		{"no admin object", propsApp(t, "bonjour", "", "2"), "the server `NoAdmin' would need to be stopped"},
	} {
		got, err := g.admin("application update -n " + file("v3.xml", tc.xml))
		want := "floe admin: ::IceGrid::DeploymentException:\ncheck for application `Live' update failed:\n" + tc.want + "\n"
		if err == nil || got != want {
			t.Errorf("%s: application update -n = %q, %v; want %q", tc.name, got, err, want)
		}
		if got := g.must(t, "server pid Running"); got != pid {
			t.Errorf("%s: server pid Running = %s, want %s", tc.name, got, pid)
		}
		if got := g.must(t, "application describe Live"); got != described {
			t.Errorf("%s: the refused update changed the application:\n%s\nwant\n%s", tc.name, got, described)
		}
	}

	// A normal update stops the changed server; being manual, it stays stopped (as with
	// icegridnode) until started, then runs with a new pid.
	g.must(t, "application update "+file("v4.xml", propsApp(t, "bonjour", "<option>--x</option>", "1")))
	floetest.WaitFor(t, 20*time.Second, func() bool {
		got, err := g.admin("server state Running")
		return err == nil && strings.HasPrefix(got, "inactive")
	})
	g.must(t, "server start Running")
	if got := g.must(t, "server pid Running"); got == pid {
		t.Errorf("server pid Running after the update and a start = %s, the old pid", got)
	}
	if got := g.must(t, "application describe Live"); !regexp.MustCompile(`revision 3\b`).MatchString(got) {
		t.Errorf("after a normal update: %.40q, want revision 3", got)
	}
}

// waitOutput waits until a server's output file holds want.
func waitOutput(t *testing.T, path, want string) {
	t.Helper()
	floetest.WaitFor(t, 20*time.Second, func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), want)
	})
}
