package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"

	"floe/internal/floetest"
)

var sessionScript = filepath.Join("testdata", "session.py")

// sessionApp is ice-demos' sessionActivation application (a server with activation="session"
// and an allocatable object) with server.py as the server, a second allocatable object on the
// same server, ${session.id} in a property, and an on-demand server that is not allocatable,
// with two allocatable objects of one type.
func sessionApp() string {
	script, err := filepath.Abs(serverScript)
	if err != nil {
		panic(err)
	}
	return `<icegrid>
  <application name="Sessions">
    <node name="` + nodeName + `">
      <server id="SessionServer" exe="` + python + `" activation="session">
        <option>` + script + `</option>
        <adapter name="TestAdapter" id="SessionAdapter" endpoints="tcp -h 127.0.0.1 -p $SS">
          <allocatable identity="tester" type="::Test::Tester"/>
          <allocatable identity="tester2" type="::Test::Tester"/>
        </adapter>
        <property name="Owner" value="${session.id}"/>
      </server>
      <server id="Shared" exe="` + python + `" activation="on-demand">
        <option>` + script + `</option>
        <adapter name="TestAdapter" id="SharedAdapter" endpoints="tcp -h 127.0.0.1 -p $SH">
          <allocatable identity="shared-1" type="::Test::Shared"/>
          <allocatable identity="shared-2" type="::Test::Shared"/>
        </adapter>
      </server>
    </node>
  </application>
</icegrid>
`
}

// sessions: client sessions and allocation, driven by session.py (its header lists the steps):
// permission checks, allocation by identity and by type, a server held with its objects,
// allocation timeouts, hand-over on release, destroy and connection close, the session server
// started on demand for its session with ${session.id} set and stopped when released, sessions
// answering only their own connection. The session user is "nobody": icegridnode running as
// root starts a session server as the session's user.
func sessions(e *env) {
	e.deploy("sessions.xml", sessionApp())
	e.admin("server start SessionServer") // no session owns it: refused
	e.probe("locate-adapter", "SessionAdapter")
	e.sessionScript()
	e.admin("server start SessionServer")
}

// sessionScript runs session.py against the target and records each step it prints.
func (e *env) sessionScript() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*readyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, sessionScript, "--locator", e.target.locator(), "--node-data", e.target.nodeData())
	var stderr floetest.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var line struct {
			Step   string
			Result map[string]any
		}
		if jerr := json.Unmarshal(sc.Bytes(), &line); jerr != nil {
			e.t.Fatalf("session.py printed %q: %v", sc.Text(), jerr)
		}
		e.record(line.Step, line.Result)
	}
	if err != nil {
		e.t.Fatalf("session.py: %s: %s", exitText(err), stderr.String())
	}
}
