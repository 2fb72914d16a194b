package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The deployed scenarios run each target with a collocated node (icegridnode with
// IceGrid.Node.CollocateRegistry=1; floe registry with the same config) and deploy the same
// application on both: replica groups of server.py servers that the node activates on demand.
// Every server listens on a port the test picked, named like the server ("$O1"), so endpoints
// normalise to the server they belong to.
var deployedScenarios = []scenario{
	{"ordered", true, orderedGroups},
	{"round-robin-and-random", true, roundRobinAndRandom},
	{"sessions", true, sessions},
	{"no-restart-update", true, noRestartUpdate},
}

func TestDifferentialDeployed(t *testing.T) {
	t.Parallel()
	runScenarios(t, deployedScenarios, true)
}

// testerApp is an application whose servers are server.py ("TestAdapter", servant "tester"):
// groups holds its <replica-group> elements, servers the <server-instance> elements of template
// Tester (id, adapter, port, group, priority) on node1.
func testerApp(name, groups, servers string) string {
	script, err := filepath.Abs(serverScript)
	if err != nil {
		panic(err)
	}
	return `<icegrid>
  <application name="` + name + `">
    <server-template id="Tester">
      <parameter name="id"/>
      <parameter name="adapter"/>
      <parameter name="port"/>
      <parameter name="group"/>
      <parameter name="priority" default="0"/>
      <server id="${id}" exe="` + python + `" activation="on-demand">
        <option>` + script + `</option>
        <adapter name="TestAdapter" id="${adapter}" endpoints="tcp -h 127.0.0.1 -p ${port}"
                 replica-group="${group}" priority="${priority}"/>
      </server>
    </server-template>
` + groups + `
    <node name="` + nodeName + `">
` + servers + `
    </node>
  </application>
</icegrid>
`
}

// orderedGroups: load-balancing "ordered" returns the members by ascending priority, n-replicas
// of them; a disabled server's adapter is skipped even while it runs; a stopped member that can
// be activated is started by the next lookup, which answers without it (a Python server takes
// far longer to register than the next member takes to answer), and later lookups fail back to it.
func orderedGroups(e *env) {
	e.deploy("ordered.xml", testerApp("Ordered", `
    <replica-group id="Ordered">
      <load-balancing type="ordered"/>
      <object identity="tester" type="::Test::Tester"/>
    </replica-group>
    <replica-group id="Ordered2">
      <load-balancing type="ordered" n-replicas="2"/>
    </replica-group>`, `
      <server-instance template="Tester" id="O1" adapter="O1" port="$O1" group="Ordered" priority="3"/>
      <server-instance template="Tester" id="O2" adapter="O2" port="$O2" group="Ordered" priority="1"/>
      <server-instance template="Tester" id="O3" adapter="O3" port="$O3" group="Ordered" priority="2"/>
      <server-instance template="Tester" id="P1" adapter="P1" port="$P1" group="Ordered2" priority="2"/>
      <server-instance template="Tester" id="P2" adapter="P2" port="$P2" group="Ordered2" priority="0"/>
      <server-instance template="Tester" id="P3" adapter="P3" port="$P3" group="Ordered2" priority="1"/>`))
	for _, id := range []string{"O1", "O2", "O3", "P1", "P2", "P3"} {
		e.probe("locate-adapter", id) // activates the server on demand and waits for it
	}
	e.probe("locate-ordered", "Ordered")
	e.probe("locate-ordered", "Ordered2")
	e.probe("query", "findAllReplicas", "tester@Ordered")
	e.probe("query", "findAllReplicas", "tester")
	e.probe("locate-object", "tester")
	e.probe("query", "findObjectById", "tester")
	e.probe("call-via", "tester@Ordered")
	e.probe("call-via", "tester")
	e.probe("call-via", "tester@Ordered2") // ordered endpoint selection: the first of the two

	e.admin("server disable O2")
	e.admin("server disable P2")
	e.probe("locate-adapter", "O2")
	e.probe("locate-ordered", "Ordered")
	e.probe("locate-ordered", "Ordered2")
	e.probe("call-via", "tester")
	e.admin("server stop O2")
	e.probe("locate-ordered", "Ordered")
	e.admin("server enable P2") // still running: answers again at once
	e.probe("locate-ordered", "Ordered2")
	e.admin("server enable O2") // stopped: the next lookup starts it and answers without it
	e.probe("locate-ordered", "Ordered")
	e.probeUntil("$O2", "locate-ordered", "Ordered") // fails back once O2 registered
	e.probe("call-via", "tester")
}

// roundRobinAndRandom: "round-robin" rotates over the members in the registry's order (by server
// id, whatever the adapter ids and the order of the descriptor), one step per lookup; "random"
// with n-replicas 0 returns every member.
func roundRobinAndRandom(e *env) {
	e.deploy("round-robin.xml", testerApp("RoundRobin", `
    <replica-group id="RR">
      <load-balancing type="round-robin"/>
    </replica-group>
    <replica-group id="Random">
      <load-balancing type="random" n-replicas="0"/>
    </replica-group>`, `
      <server-instance template="Tester" id="RR-c" adapter="RR-2" port="$RRC" group="RR"/>
      <server-instance template="Tester" id="RR-a" adapter="RR-3" port="$RRA" group="RR"/>
      <server-instance template="Tester" id="RR-b" adapter="RR-1" port="$RRB" group="RR"/>
      <server-instance template="Tester" id="X1" adapter="X1" port="$X1" group="Random"/>
      <server-instance template="Tester" id="X2" adapter="X2" port="$X2" group="Random"/>`))
	for _, id := range []string{"RR-1", "RR-2", "RR-3", "X1", "X2"} {
		e.probe("locate-adapter", id)
	}
	for range 4 {
		e.probe("locate-ordered", "RR")
	}
	e.probe("call-via", "tester@RR")
	e.probe("query", "findAllReplicas", "tester@RR")
	e.probe("locate-adapter", "Random")
	e.probe("query", "findAllReplicas", "tester@Random")
}

// probeUntil repeats a probe until its normalised result mentions want, for up to
// readyTimeout, and records the last result: an observation of what a target does eventually.
func (e *env) probeUntil(want string, args ...string) {
	e.t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		res, err := probe(e.t, e.target.locator(), args...)
		if err != nil {
			e.t.Fatal(err)
		}
		j, _ := json.Marshal(normaliseValue(e, res))
		if strings.Contains(string(j), want) || time.Now().After(deadline) {
			e.record("eventually "+strings.Join(args, " "), res)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// descriptorFile replaces every port symbol of xml by a free port, names the port after it for
// normalisation, writes the application to a file called name and returns its path.
func (e *env) descriptorFile(name, xml string) string {
	e.t.Helper()
	ports := map[string]int{}
	xml = portSymbolRE.ReplaceAllStringFunc(xml, func(sym string) string {
		if _, ok := ports[sym]; !ok {
			ports[sym] = freePort(e.t)
			e.names[ports[sym]] = sym
		}
		return strconv.Itoa(ports[sym])
	})
	path := filepath.Join(e.t.TempDir(), name)
	if err := os.WriteFile(path, []byte(xml), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// portSymbolRE matches the port symbols of an application template ("$O1").
var portSymbolRE = regexp.MustCompile(`\$[A-Z][A-Z0-9]*\b`)

// deploy writes an application to a file (descriptorFile) and adds it ("application add FILE").
func (e *env) deploy(name, xml string) {
	e.t.Helper()
	path := e.descriptorFile(name, xml)
	_, err := e.target.admin(e.t, "application add "+path)
	if err != nil {
		e.t.Fatalf("deploy %s: %v", name, err)
	}
	e.record("application add "+name, map[string]any{"ok": true})
}
