package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"floe/ice/encoding"
	"floe/internal/allocation"
	"floe/internal/registry"
	"floe/internal/store/storetest"
)

// sessionApp has a `session` server with two allocatable objects and an on-demand server with a
// well-known and an allocatable object.
const sessionApp = `<icegrid><application name="S">
  <node name="n">
    <server id="SessionServer" exe="/bin/true" activation="session">
      <adapter name="A" id="SessionAdapter" endpoints="tcp -h 127.0.0.1">
        <allocatable identity="tester" type="::Test::Tester"/>
        <allocatable identity="tester2" type="::Test::Tester"/>
      </adapter>
      <property name="Owner" value="${session.id}"/>
    </server>
    <server id="Plain" exe="/bin/true" activation="on-demand">
      <adapter name="A" id="PlainAdapter" endpoints="tcp -h 127.0.0.1">
        <object identity="plain" type="::Test::Plain"/>
        <allocatable identity="alloc" type="::Test::Plain" property="Identity"/>
      </adapter>
    </server>
  </node>
</application></icegrid>`

// TestAllocations: the allocation table follows the deployment; an allocatable object is not
// a well-known object (Database::getObjectProxy); a session server's adapter is activatable,
// its node deciding whether a session holds it (ServerI::isAdapterActivatable).
func TestAllocations(t *testing.T) {
	node := &fakeNode{disabled: map[string]bool{}}
	r, err := registry.New(context.Background(), registry.Config{Deployer: node}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddApplication(context.Background(), []byte(sessionApp)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.FindObject(encoding.Identity{Name: "alloc"}); err == nil {
		t.Error("FindObject(alloc) found an allocatable object")
	}
	if got := r.FindObjectsByType("::Test::Plain"); len(got) != 1 || got[0].Identity.Name != "plain" {
		t.Errorf("FindObjectsByType(::Test::Plain) = %v, want the well-known object only", got)
	}
	if l, err := r.Locate("SessionAdapter"); err != nil || !l.Starts() {
		t.Errorf("Locate(SessionAdapter) = %v, starts %v; want the node asked to start the server", err, l != nil && l.Starts())
	}

	tbl := r.Allocations()
	owner := &allocation.Owner{User: "alice"}
	res := <-tbl.AllocateByID(owner, encoding.Identity{Name: "tester"}, false).Done()
	if res.Err != nil || res.Proxy.String() != "tester -t -e 1.1 @ SessionAdapter" {
		t.Fatalf("AllocateByID(tester) = %v, %v", res.Proxy, res.Err)
	}
	res = <-tbl.AllocateByID(owner, encoding.Identity{Name: "alloc"}, false).Done()
	if res.Err != nil || res.Proxy.String() != "alloc -t -e 1.1 @ PlainAdapter" {
		t.Fatalf("AllocateByID(alloc) = %v, %v", res.Proxy, res.Err)
	}
	if c := tbl.TakeChanges(); len(c) != 1 || c[0].Server != "SessionServer" || c[0].Owner != owner {
		t.Errorf("changes = %v, want SessionServer allocated by alice", c)
	}

	// Updating the application keeps what did not change; removing it takes its objects away.
	if _, err := r.UpdateApplication(context.Background(), "S", []byte(strings.Replace(sessionApp,
		`<allocatable identity="alloc" type="::Test::Plain" property="Identity"/>`, "", 1))); err != nil {
		t.Fatal(err)
	}
	if tbl.Holder(encoding.Identity{Name: "tester"}) != owner || tbl.Holder(encoding.Identity{Name: "alloc"}) != nil {
		t.Error("an update took an unchanged object away, or kept a removed one")
	}
	if err := r.RemoveApplication(context.Background(), "S"); err != nil {
		t.Fatal(err)
	}
	res = <-tbl.AllocateByID(owner, encoding.Identity{Name: "tester"}, false).Done()
	if !errors.Is(res.Err, allocation.ErrNotRegistered) {
		t.Errorf("AllocateByID(tester) after the removal = %v, want ErrNotRegistered", res.Err)
	}
	if c := tbl.TakeChanges(); len(c) != 1 || c[0].Owner != nil {
		t.Errorf("changes after the removal = %v, want SessionServer released", c)
	}
}
