package nodesession

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"floe/internal/node"
	"floe/internal/nodeproto"
)

// app is an application placing manual servers (never started here) on nodes, "id@node".
func app(name string, servers ...string) nodeproto.Application {
	xml := `<icegrid><application name="` + name + `">`
	for _, s := range servers {
		var id, n string
		if _, err := fmt.Sscanf(s, "%s %s", &id, &n); err != nil {
			panic(s)
		}
		xml += `<node name="` + n + `"><server id="` + id + `" exe="/bin/true" activation="manual"/></node>`
	}
	return nodeproto.Application{Name: name, Revision: 1, Descriptor: xml + `</application></icegrid>`}
}

func dep(replica, boot string, gen uint64, apps ...nodeproto.Application) *nodeproto.Deployment {
	return &nodeproto.Deployment{Replica: replica, Boot: boot, Generation: gen, Applications: apps}
}

func newAgent(t *testing.T, dataDir string) *Agent {
	t.Helper()
	n, err := node.New(node.Config{Name: "n1", DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Shutdown(context.Background()) })
	return New(Config{Node: n})
}

// up registers a session with replica, registered at since.
func (a *Agent) up(target, replica string, since time.Time) *session {
	s := &session{target: target, replica: replica, since: since}
	a.mu.Lock()
	a.sessions[target] = s
	a.mu.Unlock()
	return s
}

func servers(a *Agent) []string {
	var ids []string
	for _, s := range a.cfg.Node.Status() {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids)
	return ids
}

func check(t *testing.T, a *Agent, what string, want ...string) {
	t.Helper()
	if got := servers(a); !slices.Equal(got, want) {
		t.Errorf("%s: the node runs %v, want %v", what, got, want)
	}
}

// TestPrimaryDeployment: the node runs the deployment of its oldest session only, ignores
// stale deployments of a replica's run, accepts any from its next run, and switches replica
// when its session is lost.
func TestPrimaryDeployment(t *testing.T) {
	a := newAgent(t, t.TempDir())
	now := time.Now()
	r1 := a.up("tcp -p 1", "R1", now)
	a.up("tcp -p 2", "R2", now.Add(time.Second))

	a.received(dep("R1", "boot1", 5, app("A", "a1 n1", "a2 other")))
	check(t, a, "first deployment", "a1")
	a.received(dep("R2", "boot2", 9, app("B", "b1 n1")))
	check(t, a, "a deployment from the newer session", "a1")
	a.received(dep("R1", "boot1", 4, app("C", "c1 n1")))
	check(t, a, "an older generation of the same run", "a1")
	a.received(dep("R1", "boot1-restarted", 1, app("A", "a1 n1"), app("C", "c1 n1")))
	check(t, a, "the first generation of a new run", "a1", "c1")

	a.down(r1)
	check(t, a, "after the primary session is lost", "b1")
}

// TestLastKnownDeployment: what the node ran is saved in its data directory; a node that
// starts with no registry runs it, and one that got a registry's deployment does not.
func TestLastKnownDeployment(t *testing.T) {
	dir := t.TempDir()
	a := newAgent(t, dir)
	a.up("tcp -p 1", "R1", time.Now())
	a.received(dep("R1", "b", 2, app("A", "a1 n1", "a2 n1")))
	check(t, a, "from the registry", "a1", "a2")

	restarted := newAgent(t, dir)
	restarted.runLastKnown()
	check(t, restarted, "restarted with no registry", "a1", "a2")

	fresh := newAgent(t, t.TempDir())
	fresh.runLastKnown()
	check(t, fresh, "with no registry and no saved deployment")

	b := newAgent(t, dir)
	b.up("tcp -p 1", "R1", time.Now())
	b.received(dep("R1", "b", 3, app("A", "a1 n1")))
	b.runLastKnown() // too late: a registry's deployment runs
	check(t, b, "registry first, then the boot timer", "a1")
}
