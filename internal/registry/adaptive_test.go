package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"floe/ice/reference"
	"floe/internal/registry"
	"floe/internal/store"
	"floe/internal/store/storetest"
)

// adaptiveApp has one server on each of nodes n1…n4, each with an adapter in the adaptive
// replica group RG and an object of type ::Demo::Hello; node n3 has load-factor 0.1.
const adaptiveApp = `<icegrid><application name="Lb">
  <replica-group id="RG"><load-balancing type="adaptive" load-sample="%s" n-replicas="0"/></replica-group>
  <server-template id="T"><parameter name="i"/>
    <server id="S${i}" exe="/bin/true" activation="manual">
      <adapter name="A" endpoints="tcp -h 127.0.0.1" replica-group="RG"/>
      <adapter name="B" endpoints="tcp -h 127.0.0.1"><object identity="hello${i}" type="::Demo::Hello"/></adapter>
    </server>
  </server-template>
  <node name="n1"><server-instance template="T" i="1"/></node>
  <node name="n2"><server-instance template="T" i="2"/></node>
  <node name="n3" load-factor="0.1"><server-instance template="T" i="3"/></node>
  <node name="n4"><server-instance template="T" i="4"/></node>
</application></icegrid>`

// fakeLoads: n1 0.5 / 1.0 (2 processors), n2 0.9 / 0.4, n3 (factor 0.1) 0.2 / 0.8, n4 unreachable.
func fakeLoads(node string) (registry.LoadInfo, bool) {
	switch node {
	case "n1":
		return registry.LoadInfo{Avg1: 1, Avg5: 2, Avg15: -1, NProcessors: 2}, true
	case "n2":
		return registry.LoadInfo{Avg1: 0.9, Avg5: 0.4, Avg15: 0.4, NProcessors: 1}, true
	case "n3":
		return registry.LoadInfo{Avg1: 2, Avg5: 8, Avg15: 8, NProcessors: 4}, true
	}
	return registry.LoadInfo{}, false
}

func adaptiveRegistry(t *testing.T, sample string) *registry.Registry {
	t.Helper()
	ctx := context.Background()
	r, err := registry.New(ctx, registry.Config{NodeLoad: fakeLoads}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddApplication(ctx, []byte(fmt.Sprintf(adaptiveApp, sample))); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		for _, a := range []struct{ name, group string }{{"A", "RG"}, {"B", ""}} {
			id := fmt.Sprintf("S%d.%s", i, a.name)
			p := storetest.MustParse(t, fmt.Sprintf("dummy:tcp -h 127.0.0.1 -p %d", 10000+i))
			if err := r.SetAdapterDirectProxy(ctx, id, a.group, p); err != nil {
				t.Fatalf("register %s: %v", id, err)
			}
		}
	}
	return r
}

// ports lists the ports of eps, in order: each server's adapters listen on 1000<i>.
func ports(eps []reference.Endpoint) string {
	var out []string
	for _, ep := range eps {
		f := strings.Fields(ep.String())
		for i := range f[:len(f)-1] {
			if f[i] == "-p" {
				out = append(out, f[i+1])
			}
		}
	}
	return strings.Join(out, " ")
}

// TestAdaptiveReplicaGroup: members come least loaded first, by the node's load for the
// group's load-sample times the load factor (<node load-factor> or 1/processors); a node that
// reports no average counts 1.0 and an unreachable one 999.9.
func TestAdaptiveReplicaGroup(t *testing.T) {
	for _, tt := range []struct{ sample, want string }{
		{"1", "10003 10001 10002 10004"},  // 0.2, 0.5, 0.9, 999.9
		{"5", "10002 10003 10001 10004"},  // 0.4, 0.8, 1.0, 999.9
		{"15", "10002 10003 10001 10004"}, // 0.4, 0.8, 1.0 (no average), 999.9
	} {
		r := adaptiveRegistry(t, tt.sample)
		for range 5 { // no randomness among distinct loads
			eps, err := r.FindAdapter("RG")
			if err != nil || ports(eps) != tt.want {
				t.Errorf("load-sample %s: FindAdapter(RG) = %q, %v; want %q", tt.sample, ports(eps), err, tt.want)
			}
		}
	}
}

// TestFindObjectByTypeOnLeastLoadedNode: the object on the least loaded node wins; an object
// outside the deployment (a direct proxy) counts as load 1.0.
func TestFindObjectByTypeOnLeastLoadedNode(t *testing.T) {
	r := adaptiveRegistry(t, "1")
	for _, tt := range []struct {
		sample int
		want   string
	}{{1, "hello3"}, {5, "hello2"}, {15, "hello2"}} {
		p := r.FindObjectByTypeOnLeastLoadedNode("::Demo::Hello", tt.sample)
		if p == nil || p.Identity.Name != tt.want {
			t.Errorf("FindObjectByTypeOnLeastLoadedNode(sample %d) = %v, want %s", tt.sample, p, tt.want)
		}
	}
	if p := r.FindObjectByTypeOnLeastLoadedNode("::None", 1); p != nil {
		t.Errorf("FindObjectByTypeOnLeastLoadedNode(unknown type) = %v, want nil", p)
	}
	// Only n4 (unreachable, 999.9) and a direct proxy (1.0): the direct proxy wins.
	ctx := context.Background()
	r2, err := registry.New(ctx, registry.Config{NodeLoad: func(string) (registry.LoadInfo, bool) { return registry.LoadInfo{}, false }},
		storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.AddApplication(ctx, []byte(fmt.Sprintf(adaptiveApp, "1"))); err != nil {
		t.Fatal(err)
	}
	direct := storetest.MustParse(t, "direct:tcp -h 127.0.0.1 -p 9")
	if err := r2.AddObject(ctx, &store.Object{Identity: direct.Identity, Type: "::Demo::Hello", Proxy: direct}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if p := r2.FindObjectByTypeOnLeastLoadedNode("::Demo::Hello", 1); p == nil || p.Identity.Name != "direct" {
			t.Fatalf("with every node unreachable FindObjectByTypeOnLeastLoadedNode = %v, want the direct proxy", p)
		}
	}
}
