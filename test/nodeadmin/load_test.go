package nodeadmin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/floetest"
)

// TestAdaptiveLoadBalancing: the registry orders an adaptive replica group, and answers
// Query.findObjectByTypeOnLeastLoadedNode, with the load the collocated node reports; a node
// that reports none (here "remote", which does not run) counts as unreachable (999.9).
func TestAdaptiveLoadBalancing(t *testing.T) {
	g := startGrid(t)
	g.deploy(t, `<icegrid><application name="Lb">
  <replica-group id="RG"><load-balancing type="adaptive" load-sample="5" n-replicas="0"/></replica-group>
  <node name="remote">
    <server id="R" exe="/bin/true" activation="manual">
      <adapter name="A" endpoints="tcp -h 127.0.0.1" replica-group="RG"><object identity="objR" type="::Lb::T"/></adapter>
    </server>
  </node>
  <node name="local">
    <server id="L" exe="/bin/true" activation="manual">
      <adapter name="A" endpoints="tcp -h 127.0.0.1" replica-group="RG"><object identity="objL" type="::Lb::T"/></adapter>
    </server>
  </node>
</application></icegrid>`)
	// Stand in for both servers: register their deployed adapters.
	comm := floetest.NewCommunicator(t, "Ice.Default.Locator="+g.locator)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	endpoints := map[string]string{}
	for _, id := range []string{"R.A", "L.A"} {
		comm.Properties().Set(id+".AdapterId", id)
		comm.Properties().Set(id+".ReplicaGroupId", "RG")
		a, err := comm.CreateObjectAdapterWithEndpoints(id, "tcp -h 127.0.0.1 -p 0")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Activate(ctx); err != nil {
			t.Fatalf("activate %s: %v", id, err)
		}
		endpoints[id] = strings.TrimSpace(g.must(t, "adapter endpoints "+id))
	}
	for range 10 { // were the order random, 10 answers in a row would be 1 chance in 1024
		got := strings.TrimSpace(g.must(t, "adapter endpoints RG"))
		if want := endpoints["L.A"] + ":" + endpoints["R.A"]; got != want {
			t.Fatalf("adapter endpoints RG = %q, want the local node's replica first: %q", got, want)
		}
	}
	query, err := comm.StringToProxy(strings.Replace(g.locator, "/Locator", "/Query", 1))
	if err != nil {
		t.Fatal(err)
	}
	for i := range int32(30) {
		sample := i % 3 // LoadSample1, LoadSample5, LoadSample15
		var got *reference.Reference
		err := query.Invoke(ctx, &ice.Request{Operation: "findObjectByTypeOnLeastLoadedNode", Mode: ice.Idempotent,
			Params: func(e *encoding.Encoder) { e.WriteString("::Lb::T"); e.WriteEnum(sample, 2) },
			Result: func(d *encoding.Decoder) { got = reference.Read(d) }})
		if err != nil || got == nil || got.Identity.Name != "objL" {
			t.Errorf("findObjectByTypeOnLeastLoadedNode(::Lb::T, sample %d) = %v, %v; want objL on the local node", sample, got, err)
		}
	}
}
