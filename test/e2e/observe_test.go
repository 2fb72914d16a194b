package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// step is one observation of a scenario: what was done and what was seen, normalised.
type step struct {
	Name   string
	Result map[string]any
}

// env runs one scenario against one target and records its observations.
type env struct {
	t      *testing.T
	target target
	names  map[int]string // port -> symbolic name ("$CLIENT", "$S1", ...)
	steps  []step
}

// newEnv starts tg with the given DynamicRegistration and records against it.
func newEnv(t *testing.T, tg target, dynamic bool) *env {
	t.Helper()
	tg.start(t, dynamic)
	return &env{t: t, target: tg, names: tg.portNames()}
}

// record appends an observation; name and result are normalised.
func (e *env) record(name string, result map[string]any) {
	e.steps = append(e.steps, step{Name: e.normalise(name), Result: normaliseValue(e, result).(map[string]any)})
}

// probe runs probe.py with args against the target's locator and records the result.
func (e *env) probe(args ...string) {
	e.t.Helper()
	res, err := probe(e.t, e.target.locator(), args...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.record(strings.Join(args, " "), res)
}

// server starts server.py with adapterID (and replicaGroup) against the target and names its
// port sym for normalisation. The server must start.
func (e *env) server(sym, adapterID, replicaGroup string) *server {
	e.t.Helper()
	s, err := startServer(e.t, e.target.locator(), adapterID, replicaGroup)
	if err != nil {
		e.t.Fatalf("server %s: %v", adapterID, err)
	}
	e.names[s.port] = sym
	return s
}

// serverFails starts server.py and records how it exits before READY.
func (e *env) serverFails(adapterID, replicaGroup string) {
	e.t.Helper()
	name := "server.py " + adapterID
	if replicaGroup != "" {
		name += " in " + replicaGroup
	}
	s, err := startServer(e.t, e.target.locator(), adapterID, replicaGroup)
	if se, ok := errors.AsType[*serverExitError](err); ok {
		e.record(name, se.observation())
		return
	}
	if err != nil {
		e.t.Fatal(err)
	}
	e.names[s.port] = "$UNEXPECTED"
	e.record(name, map[string]any{"ready": s.proxy})
}

// shutdown calls Tester.shutdown on s and waits for the process to exit, so the adapter has
// deactivated (and unregistered) before the next observation.
func (e *env) shutdown(s *server) {
	e.t.Helper()
	if _, err := probe(e.t, e.target.locator(), "shutdown", s.proxy); err != nil {
		e.t.Fatal(err)
	}
	if code, err := s.proc.Wait(readyTimeout); err != nil || code != 0 {
		e.t.Fatalf("server.py after shutdown(): exit %d, %v", code, err)
	}
}

// admin runs an admin command and records whether it succeeded (the texts differ by tool).
func (e *env) admin(command string) {
	e.t.Helper()
	_, err := e.target.admin(e.t, command)
	if err != nil {
		e.t.Logf("admin: %v", err)
	}
	e.record("admin "+command, map[string]any{"ok": err == nil})
}

// restart stops the registry (gracefully or with SIGKILL) and starts it again on the same ports
// and data directory.
func (e *env) restart(graceful, dynamic bool) {
	e.t.Helper()
	if graceful {
		e.target.stop(e.t)
	} else {
		e.target.kill(e.t)
	}
	e.target.start(e.t, dynamic)
}

// normalise replaces every "-p N" whose port is known by its symbolic name, and any other port
// by "?", so observations of targets listening on different ports compare equal.
func (e *env) normalise(s string) string {
	return portRE.ReplaceAllStringFunc(s, func(m string) string {
		var port int
		_, _ = fmt.Sscanf(m, "-p %d", &port)
		if sym, ok := e.names[port]; ok {
			return "-p " + sym
		}
		return "-p ?"
	})
}

// normaliseValue normalises every string in a decoded JSON value and sorts every list of
// strings: probe lists are sets, and their order by real port is not their order by name. A list
// under a key ending in "InOrder" is a sequence (a replica group's endpoints in the order the
// registry returned them) and keeps its order.
func normaliseValue(e *env, v any) any {
	switch v := v.(type) {
	case string:
		return e.normalise(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if l, ok := x.([]any); ok && strings.HasSuffix(k, "InOrder") {
				out[k] = normaliseList(e, l)
				continue
			}
			out[k] = normaliseValue(e, x)
		}
		return out
	case []any:
		out := normaliseList(e, v)
		slices.SortStableFunc(out, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		return out
	}
	return v
}

// normaliseList normalises every element of l, keeping their order.
func normaliseList(e *env, l []any) []any {
	out := make([]any, len(l))
	for i, x := range l {
		out[i] = normaliseValue(e, x)
	}
	return out
}

// format renders steps one per line ("name => {json}") for the -v log.
func format(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		j, _ := json.Marshal(s.Result)
		fmt.Fprintf(&b, "%s => %s\n", s.Name, j)
	}
	return b.String()
}

// compareRuns compares every run with the first (the reference) and returns one readable report
// per differing target; runs[i] == nil (the target failed) is skipped.
func compareRuns(labels []string, runs [][]step) []string {
	var reports []string
	for i := 1; i < len(runs); i++ {
		if runs[0] == nil || runs[i] == nil {
			continue
		}
		if diff := cmp.Diff(runs[0], runs[i]); diff != "" {
			reports = append(reports, fmt.Sprintf("%s and %s observed differently (-%s +%s):\n%s",
				labels[0], labels[i], labels[0], labels[i], diff))
		}
	}
	return reports
}
