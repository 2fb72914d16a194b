package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"floe/ice/reference"
	"floe/internal/registry"
	"floe/internal/store/storetest"
)

// fakeNode is a registry.Deployer that records activations; onStart (optional) plays the
// started server.
type fakeNode struct {
	mu       sync.Mutex
	disabled map[string]bool
	started  []string
	onStart  func(server string) error
}

func (f *fakeNode) Deploy(*registry.Deployment)                   {}
func (f *fakeNode) SetProcess(string, *reference.Reference) error { return nil }

func (f *fakeNode) Activate(_ context.Context, server string) error {
	f.mu.Lock()
	f.started = append(f.started, server)
	fn := f.onStart
	f.mu.Unlock()
	if fn != nil {
		return fn(server)
	}
	return nil
}

func (f *fakeNode) Enabled(server string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.disabled[server]
}

func (f *fakeNode) setEnabled(server string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disabled[server] = !on
}

func (f *fakeNode) startedServers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.started)
	f.started = nil
	return out
}

// lbApp has three replica groups of on-demand servers (server id, adapter id, priority):
// Ordered (n-replicas 1), Ordered2 (n-replicas 2) and RR (round robin), whose adapter ids do not
// sort like their server ids and which the descriptor lists in neither order.
const lbApp = `<icegrid><application name="LB">
  <server-template id="T">
    <parameter name="id"/><parameter name="adapter"/><parameter name="group"/>
    <parameter name="priority" default="0"/>
    <server id="${id}" exe="/bin/true" activation="on-demand">
      <adapter name="A" id="${adapter}" endpoints="tcp -h 127.0.0.1" replica-group="${group}" priority="${priority}"/>
    </server>
  </server-template>
  <replica-group id="Ordered"><load-balancing type="ordered"/></replica-group>
  <replica-group id="Ordered2"><load-balancing type="ordered" n-replicas="2"/></replica-group>
  <replica-group id="RR"><load-balancing type="round-robin"/></replica-group>
  <node name="n">
    <server-instance template="T" id="O1" adapter="O1" group="Ordered" priority="3"/>
    <server-instance template="T" id="O2" adapter="O2" group="Ordered" priority="1"/>
    <server-instance template="T" id="O3" adapter="O3" group="Ordered" priority="2"/>
    <server-instance template="T" id="P1" adapter="P1" group="Ordered2" priority="2"/>
    <server-instance template="T" id="P2" adapter="P2" group="Ordered2" priority="0"/>
    <server-instance template="T" id="P3" adapter="P3" group="Ordered2" priority="1"/>
    <server-instance template="T" id="RR-c" adapter="RR-2" group="RR"/>
    <server-instance template="T" id="RR-a" adapter="RR-3" group="RR"/>
    <server-instance template="T" id="RR-b" adapter="RR-1" group="RR"/>
  </node>
</application></icegrid>`

// lbAdapters maps each adapter of lbApp to its replica group and a port that identifies it.
var lbAdapters = map[string]struct {
	group string
	port  int
}{
	"O1": {"Ordered", 1001}, "O2": {"Ordered", 1002}, "O3": {"Ordered", 1003},
	"P1": {"Ordered2", 2001}, "P2": {"Ordered2", 2002}, "P3": {"Ordered2", 2003},
	"RR-1": {"RR", 3001}, "RR-2": {"RR", 3002}, "RR-3": {"RR", 3003},
}

type lbGrid struct {
	t    *testing.T
	r    *registry.Registry
	node *fakeNode
}

func newLBGrid(t *testing.T) *lbGrid {
	t.Helper()
	node := &fakeNode{disabled: map[string]bool{}}
	r, err := registry.New(context.Background(), registry.Config{Deployer: node}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddApplication(context.Background(), []byte(lbApp)); err != nil {
		t.Fatal(err)
	}
	return &lbGrid{t: t, r: r, node: node}
}

// register registers (or with on false, unregisters) a deployed adapter, as its server does.
func (g *lbGrid) register(id string, on bool) error {
	a := lbAdapters[id]
	var p *reference.Reference
	if on {
		p = storetest.MustParse(g.t, "dummy:tcp -h 127.0.0.1 -p "+strconv.Itoa(a.port))
	}
	return g.r.SetAdapterDirectProxy(context.Background(), id, a.group, p)
}

// who names the adapters whose endpoints eps are, in order.
func who(eps []reference.Endpoint) []string {
	out := []string{}
	for _, ep := range eps {
		for id, a := range lbAdapters {
			if strings.Contains(ep.String(), "-p "+strconv.Itoa(a.port)+" ") || strings.HasSuffix(ep.String(), "-p "+strconv.Itoa(a.port)) {
				out = append(out, id)
			}
		}
	}
	return out
}

func (g *lbGrid) locate(id string) *registry.Lookup {
	g.t.Helper()
	l, err := g.r.Locate(id)
	if err != nil {
		g.t.Fatalf("Locate(%s): %v", id, err)
	}
	return l
}

// TestLocateDeployedGroups: with every member active, a lookup answers the members in policy
// order (IceGrid 3.7.8's answers, see test/e2e TestDifferentialDeployed); disabled servers are
// skipped and the next members take their place.
func TestLocateDeployedGroups(t *testing.T) {
	g := newLBGrid(t)
	for id := range lbAdapters {
		if err := g.register(id, true); err != nil {
			t.Fatal(err)
		}
	}
	check := func(id string, want ...string) {
		t.Helper()
		l := g.locate(id)
		if !l.Ready() || l.Starts() {
			t.Errorf("Locate(%s): Ready() = %v, Starts() = %v; want an answer at once, starting nothing", id, l.Ready(), l.Starts())
		}
		if got := who(l.Endpoints()); !slices.Equal(got, want) {
			t.Errorf("Locate(%s) = %v, want %v", id, got, want)
		}
	}
	check("Ordered", "O2")        // ascending priority, n-replicas 1
	check("Ordered2", "P2", "P3") // the first two, in order
	// Round robin turns once per lookup, over the members by server id (RR-a, RR-b, RR-c).
	for _, want := range []string{"RR-3", "RR-1", "RR-2", "RR-3"} {
		check("RR", want)
	}
	if got, _ := g.r.FindAdapter("RR"); !slices.Equal(who(got), []string{"RR-1"}) {
		t.Errorf("FindAdapter(RR) = %v, want RR-1 (the next turn)", who(got))
	}
	check("RR", "RR-1") // FindAdapter did not turn it

	g.node.setEnabled("O2", false)
	g.node.setEnabled("P2", false)
	check("Ordered", "O3")
	check("Ordered2", "P3", "P1")
	check("O2") // a disabled server's adapter is not returned, even while registered
	if p := g.r.RegisteredProxy("O2"); p != nil {
		t.Errorf("RegisteredProxy(O2) of a disabled server = %v, want nil", p)
	}
	if eps, err := g.r.FindAdapter("O2"); err != nil || len(eps) != 0 {
		t.Errorf("FindAdapter(O2) of a disabled server = %v, %v; want no endpoints", who(eps), err)
	}
	if got := g.node.startedServers(); len(got) != 0 {
		t.Errorf("started %v, want nothing started", got)
	}
}

// TestLocateStartsInactiveMembers: an inactive member that can be activated is started and the
// lookup answers with the next active ones without waiting (IceGrid's ReplicaGroupRequest);
// with none active, it waits for the first started member to register.
func TestLocateStartsInactiveMembers(t *testing.T) {
	g := newLBGrid(t)
	for _, id := range []string{"O1", "O3"} {
		if err := g.register(id, true); err != nil {
			t.Fatal(err)
		}
	}
	l := g.locate("Ordered")
	if !l.Ready() || !l.Starts() {
		t.Fatalf("Locate(Ordered) with O2 inactive: Ready() = %v, Starts() = %v; want an answer at once that starts O2", l.Ready(), l.Starts())
	}
	if got := who(l.Endpoints()); !slices.Equal(got, []string{"O3"}) {
		t.Errorf("Locate(Ordered) with O2 inactive = %v, want [O3]", got)
	}
	l.Activate(context.Background())
	if got := g.node.startedServers(); !slices.Equal(got, []string{"O2"}) {
		t.Errorf("started %v, want [O2]", got)
	}

	// Nothing active in Ordered2: every member is started; the first to register answers
	// (here P3, whatever the priorities), with the other started members that registered too.
	g.node.onStart = func(server string) error {
		if server == "P3" {
			return g.register("P3", true)
		}
		return nil
	}
	l = g.locate("Ordered2")
	if l.Ready() {
		t.Fatal("Locate(Ordered2) with nothing active: Ready() = true, want to wait")
	}
	l.Activate(context.Background())
	if got := g.node.startedServers(); !slices.Equal(got, []string{"P2", "P3", "P1"}) {
		t.Errorf("started %v, want [P2 P3 P1] (priority order)", got)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = g.register("P1", true)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got := who(l.Wait(ctx)); !slices.Equal(got, []string{"P3", "P1"}) {
		t.Errorf("Wait(Ordered2) = %v, want [P3 P1]", got)
	}

	// A started member that never registers: the wait ends with ctx.
	g.node.onStart = nil
	if err := g.register("O3", false); err != nil {
		t.Fatal(err)
	}
	if err := g.register("O1", false); err != nil {
		t.Fatal(err)
	}
	l = g.locate("Ordered")
	l.Activate(context.Background())
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if got := l.Wait(short); len(got) != 0 {
		t.Errorf("Wait(Ordered) with no member registering = %v, want none", who(got))
	}

	// Servers that cannot be started: no wait at all.
	g.node.onStart = func(string) error { return errors.New("cannot start") }
	l = g.locate("Ordered")
	l.Activate(context.Background())
	if got := l.Wait(context.Background()); len(got) != 0 {
		t.Errorf("Wait(Ordered) with failed starts = %v, want none", who(got))
	}
	// A disabled server is neither returned nor started.
	g.node.onStart = nil
	g.node.setEnabled("O1", false)
	g.node.setEnabled("O2", false)
	g.node.setEnabled("O3", false)
	l = g.locate("Ordered")
	if !l.Ready() || l.Starts() || len(l.Endpoints()) != 0 {
		t.Errorf("Locate(Ordered) all disabled: Ready() = %v, Starts() = %v, %v; want an empty answer at once", l.Ready(), l.Starts(), who(l.Endpoints()))
	}
}
