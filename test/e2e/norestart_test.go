package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var propsScript = filepath.Join("testdata", "props.py")

// propsVersion is a version of the no-restart-update application: Test.Greeting of both
// servers, more properties and options of A, more options of B, and whether A is left out.
type propsVersion struct {
	greeting, aProps, aOptions, bOptions string
	noA                                  bool
}

// propsApp is an application of two props.py servers on node1, each writing its stdout to
// out/<id>.out (Ice.StdOut): A (activation always) and B (manual).
func propsApp(out string, v propsVersion) string {
	script, err := filepath.Abs(propsScript)
	if err != nil {
		panic(err)
	}
	server := func(id, activation, props, options string) string {
		return `      <server id="` + id + `" exe="` + python + `" activation="` + activation + `">
        <option>` + script + `</option>` + options + `
        <property name="Ice.StdOut" value="` + filepath.Join(out, id+".out") + `"/>
        <property name="Test.Greeting" value="` + v.greeting + `"/>` + props + `
      </server>
`
	}
	a := server("A", "always", v.aProps, v.aOptions)
	if v.noA {
		a = ""
	}
	return `<icegrid>
  <application name="NoRestart">
    <node name="` + nodeName + `">
` + a + server("B", "manual", "", v.bOptions) + `    </node>
  </application>
</icegrid>
`
}

// noRestartUpdate: `application update -n` (Admin.syncApplicationWithoutRestart). `application
// diff -s` classifies the servers; a property change reaches the running server A live through
// its admin object — same process, its properties updated (a removed one as empty), as A itself
// reports — and the stopped server B starts with its new properties; an option added to A, or
// A removed while it runs, fails the update with the DeploymentException reason; a normal update
// restarts A. IceGrid refuses a change that needs a restart even of a stopped server, and names
// the servers its registry refuses before those their node refuses.
func noRestartUpdate(e *env) {
	out := filepath.Join(e.target.nodeData(), "out")
	if err := os.Mkdir(out, 0o777); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Chmod(out, 0o777); err != nil { // icegridnode runs the servers as nobody
		e.t.Fatal(err)
	}
	newProp := `
        <property name="Test.New" value="n"/>`
	v2 := propsApp(out, propsVersion{greeting: "bonjour", aProps: newProp})
	v3 := propsApp(out, propsVersion{greeting: "bonjour", aProps: newProp, aOptions: `<option>--Test.Option=1</option>`})
	e.deploy("v1.xml", propsApp(out, propsVersion{greeting: "hello", aProps: `
        <property name="Test.Gone" value="x"/>`}))
	pid := e.activePID("A")
	e.adminFile("application diff -s", "v2.xml", v2)
	e.adminFile("application update -n", "v2.xml", v2)
	e.samePID("A", pid)
	e.serverOutput(out, "A", "UPDATED", 1)
	e.adminFile("application diff -s", "v3.xml", v3)
	e.adminFile("application update -n", "v3.xml", v3)
	e.adminFile("application update -n", "v4.xml", propsApp(out, propsVersion{greeting: "bonjour", noA: true}))
	e.adminFile("application update -n", "v5.xml", propsApp(out, propsVersion{greeting: "bonjour", noA: true,
		bOptions: `<option>--Test.Option=1</option>`}))
	e.samePID("A", pid)
	e.admin("server start B")
	e.serverOutput(out, "B", "STARTED", 1)
	e.adminFile("application update", "v3.xml", v3)
	deadline := time.Now().Add(readyTimeout)
	for e.pid("A") == pid && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	e.record("A restarted by the update", map[string]any{"newProcess": e.activePID("A") != pid})
	e.serverOutput(out, "A", "STARTED", 2)
}

// adminFile writes xml to a file called name and runs `verb FILE`; it records whether the
// command succeeded and what it printed: all of it on success, the Ice exception and its reason
// on failure (the rest of an error is worded by each tool).
func (e *env) adminFile(verb, name, xml string) {
	e.t.Helper()
	text, err := e.target.admin(e.t, verb+" "+e.descriptorFile(name, xml))
	res := map[string]any{"ok": err == nil, "output": text}
	if err != nil {
		_, reason, _ := strings.Cut(text, "::IceGrid::DeploymentException")
		res["output"] = "::IceGrid::DeploymentException" + reason
		e.t.Logf("admin: %v", err)
	}
	e.record(verb+" "+name, res)
}

// pid returns the pid of a running server, 0 if it does not run.
func (e *env) pid(id string) int {
	e.t.Helper()
	text, err := e.target.admin(e.t, "server pid "+id)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(text))
	return pid
}

var activeRE = regexp.MustCompile(`^active \(pid = [0-9]+`)

// activePID waits (bounded) until a server is active and returns its pid.
func (e *env) activePID(id string) int {
	e.t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		text, _ := e.target.admin(e.t, "server state "+id)
		if activeRE.MatchString(text) {
			return e.pid(id)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("server %s not active within %v: %q", id, readyTimeout, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// samePID records whether a server still runs as process pid, and its state.
func (e *env) samePID(id string, pid int) {
	e.t.Helper()
	text, _ := e.target.admin(e.t, "server state "+id)
	e.record("server "+id+" keeps its process", map[string]any{"samePid": e.pid(id) == pid,
		"state": regexp.MustCompile(`pid = [0-9]+`).ReplaceAllString(strings.TrimSpace(text), "pid = N")})
}

// serverOutput waits (bounded) until the stdout file of a props.py server holds want n times
// and records its lines.
func (e *env) serverOutput(dir, id, want string, n int) {
	e.t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, id+".out"))
		if strings.Count(string(b), want) >= n || time.Now().After(deadline) {
			e.record("stdout of "+id, map[string]any{"linesInOrder": strings.Split(strings.TrimSpace(string(b)), "\n")})
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
