package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// scenario is run once per target, each time against a fresh registry with its own data
// directory; the steps it records must be the same on every target.
type scenario struct {
	name    string
	dynamic bool // IceGrid.Registry.DynamicRegistration at the first start
	run     func(e *env)
}

var scenarios = []scenario{
	{"register-resolve-call", true, func(e *env) {
		e.server("$S1", "A1", "")
		e.probe("locate-adapter", "A1")
		e.probe("call", "tester@A1")
		e.probe("locate-object", "tester") // a dynamic adapter's objects are not well-known
		e.probe("call", "tester")
		e.probe("query", "findAllReplicas", "tester@A1")
	}},
	{"unregister-on-shutdown", true, func(e *env) {
		s := e.server("$S1", "A1", "")
		e.probe("locate-adapter", "A1")
		e.shutdown(s)
		e.probe("locate-adapter", "A1")
		e.probe("call", "tester@A1")
	}},
	{"unknown-adapter-and-object", true, func(e *env) {
		e.probe("locate-adapter", "nosuch")
		e.probe("call", "tester@nosuch")
		e.probe("locate-object", "nosuch")
		e.probe("call", "nosuch")
		e.probe("query", "findObjectById", "nosuch")
		e.probe("query", "findAllReplicas", "tester@nosuch")
	}},
	{"replica-group", true, replicaGroup},
	{"well-known-objects", true, wellKnownObjects},
	{"dynamic-registration-off", false, func(e *env) {
		e.serverFails("A1", "")
		e.serverFails("R1", "RG")
		e.probe("locate-adapter", "A1")
		e.probe("locate-adapter", "RG")
	}},
	{"restart-graceful", true, func(e *env) { restartKeeps(e, true) }},
	{"restart-after-kill-9", true, func(e *env) { restartKeeps(e, false) }},
	{"unregister-after-dynamic-turned-off", true, func(e *env) {
		s := e.server("$S1", "A1", "")
		e.restart(true, false)
		e.shutdown(s) // its null-proxy unregistration now meets DynamicRegistration=0
		e.probe("locate-adapter", "A1")
	}},
	{"registry-interfaces", true, func(e *env) {
		e.probe("registry-ids")
		e.probe("registry-timeouts")
		for _, name := range []string{"Locator", "Query", "Registry", "LocatorRegistry"} {
			e.probe("locate-object", instanceName+"/"+name)
		}
		e.probe("query", "findAllObjectsByType", "::IceGrid::Query")
	}},
}

func replicaGroup(e *env) {
	s1 := e.server("$S1", "R1", "RG")
	s2 := e.server("$S2", "R2", "RG")
	e.probe("locate-adapter", "RG")
	e.probe("locate-adapter", "R1")
	e.probe("query", "findAllReplicas", "tester@RG")
	e.probe("call", "tester@RG")
	e.shutdown(s1)
	e.probe("locate-adapter", "RG")
	e.probe("query", "findAllReplicas", "tester@RG")
	e.shutdown(s2)
	e.probe("locate-adapter", "RG")
	e.probe("call", "tester@RG")
}

func wellKnownObjects(e *env) {
	s := e.server("$S1", "A1", "")
	direct := func(id string) string { return fmt.Sprintf("'%s:tcp -h 127.0.0.1 -p %d'", id, s.port) }
	e.admin("object add 'tester@A1' ::Test::Tester")
	e.admin("object add " + direct("wk2 -t") + " ::Test::Other")
	e.admin("object add " + direct("wk3") + " ::Test::Other")
	e.admin("object add " + direct("wk3") + " ::Test::Other") // already exists
	e.probe("locate-object", "tester")
	e.probe("locate-object", "wk2")
	e.probe("call", "tester")
	e.probe("call", "wk2") // no servant "wk2" behind the endpoints
	e.probe("query", "findObjectById", "tester")
	e.probe("query", "findObjectByType", "::Test::Tester")
	e.probe("query", "findAllObjectsByType", "::Test::Other")
	e.probe("query", "findObjectByType", "::Test::Missing")
	e.probe("query", "findAllObjectsByType", "::Test::Missing")
	e.admin("object remove wk3")
	e.admin("object remove wk3") // no longer exists
	e.probe("query", "findAllObjectsByType", "::Test::Other")
	e.probe("locate-object", "wk3")
}

// restartKeeps checks that a dynamic adapter, a replica group and a well-known object survive a
// restart on the same data directory; the servers keep running meanwhile.
func restartKeeps(e *env, graceful bool) {
	e.server("$S1", "A1", "")
	e.server("$S2", "R1", "RG")
	e.admin("object add 'tester@A1' ::Test::Tester")
	e.restart(graceful, true)
	e.probe("locate-adapter", "A1")
	e.probe("locate-adapter", "RG")
	e.probe("call", "tester@A1")
	e.probe("call", "tester@RG")
	e.probe("locate-object", "tester")
	e.probe("query", "findAllReplicas", "tester@RG")
}

func TestDifferential(t *testing.T) {
	t.Parallel()
	runScenarios(t, scenarios, false)
}

// runScenarios runs every scenario, in parallel, on every selected target, each scenario on
// fresh targets (with a collocated node when node is set), and compares the observations.
func runScenarios(t *testing.T, list []scenario, node bool) {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: skipped with -short")
	}
	kinds := selectedTargets(t, node)
	labels := targetLabels(kinds)
	for _, sc := range list {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runs := make([][]step, len(kinds))
			for i, kind := range kinds {
				t.Run(labels[i], func(t *testing.T) {
					e := newEnv(t, newTarget[kind](t, node), sc.dynamic)
					sc.run(e)
					runs[i] = e.steps
					t.Logf("observed:\n%s", format(e.steps))
				})
			}
			for _, report := range compareRuns(labels, runs) {
				t.Error(report)
			}
		})
	}
}

var newTarget = map[string]func(t *testing.T, node bool) target{"icegrid": newIceGrid, "floe": newFloe}

// selectedTargets reads FLOE_E2E_TARGETS (default "icegrid,floe"; the first is the reference)
// and checks that the peers the selection needs are installed (icegridnode too with node).
func selectedTargets(t *testing.T, node bool) []string {
	t.Helper()
	spec := os.Getenv("FLOE_E2E_TARGETS")
	if spec == "" {
		spec = "icegrid,floe"
	}
	kinds := strings.Split(spec, ",")
	requireTool(t, "Python Ice 3.7 ("+python+")", exec.CommandContext(t.Context(), python, "-c", "import Ice, IceGrid").Run())
	for _, kind := range kinds {
		if newTarget[kind] == nil {
			t.Fatalf("FLOE_E2E_TARGETS=%q: unknown target %q (want icegrid or floe)", spec, kind)
		}
		if kind == "icegrid" {
			tools := []string{"icegridregistry", "icegridadmin"}
			if node {
				tools = append(tools, "icegridnode")
			}
			for _, tool := range tools {
				_, err := exec.LookPath(tool)
				requireTool(t, tool, err)
			}
		}
	}
	if len(kinds) < 2 {
		t.Fatalf("FLOE_E2E_TARGETS=%q: need at least two targets to compare", spec)
	}
	return kinds
}

// targetLabels names the subtests: the kind, numbered ("icegrid-2") when a kind is selected
// twice. No "#": Ice reads it as a comment, even in --Ice.Config=PATH (PATH comes from t.TempDir).
func targetLabels(kinds []string) []string {
	count := map[string]int{}
	for _, kind := range kinds {
		count[kind]++
	}
	labels := make([]string, len(kinds))
	for i, kind := range kinds {
		labels[i] = kind
		if count[kind] > 1 {
			labels[i] = fmt.Sprintf("%s-%d", kind, i+1)
		}
	}
	return labels
}
