package registry_test

import (
	"context"
	"errors"
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

// TestSessionServerActivation: a `session` server's adapter is activated by a lookup only
// while a client session holds the server (IceGrid's ServerI::isAdapterActivatable); an
// allocatable object is not a well-known object (Database::getObjectProxy).
func TestSessionServerActivation(t *testing.T) {
	node := &fakeNode{disabled: map[string]bool{}}
	r, err := registry.New(context.Background(), registry.Config{Deployer: node}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddApplication(context.Background(), []byte(sessionApp)); err != nil {
		t.Fatal(err)
	}
	starts := func(id string) bool {
		t.Helper()
		l, err := r.Locate(id)
		if err != nil {
			t.Fatalf("Locate(%s): %v", id, err)
		}
		return l.Starts()
	}
	if starts("SessionAdapter") {
		t.Error("the adapter of an unallocated session server is activated")
	}
	if !starts("PlainAdapter") {
		t.Error("the adapter of an on-demand server is not activated")
	}
	if _, err := r.FindObject(encoding.Identity{Name: "alloc"}); err == nil {
		t.Error("FindObject(alloc) found an allocatable object")
	}
	if got := r.FindObjectsByType("::Test::Plain"); len(got) != 1 || got[0].Identity.Name != "plain" {
		t.Errorf("FindObjectsByType(::Test::Plain) = %v, want the well-known object only", got)
	}

	tbl := r.Allocations()
	owner := &allocation.Owner{User: "alice"}
	res := <-tbl.AllocateByID(owner, encoding.Identity{Name: "tester"}, false).Done()
	if res.Err != nil || res.Proxy.String() != "tester -t -e 1.1 @ SessionAdapter" {
		t.Fatalf("AllocateByID(tester) = %v, %v", res.Proxy, res.Err)
	}
	if !starts("SessionAdapter") {
		t.Error("the adapter of an allocated session server is not activated")
	}
	if err := tbl.Release(owner, encoding.Identity{Name: "tester"}); err != nil {
		t.Fatal(err)
	}
	if starts("SessionAdapter") {
		t.Error("the adapter of a released session server is activated")
	}
	if c := tbl.TakeChanges(); len(c) != 2 || c[0].Owner != owner || c[1].Owner != nil {
		t.Errorf("changes = %v, want allocated by alice then released", c)
	}

	// Removing the application takes its allocatable objects away.
	if err := r.RemoveApplication(context.Background(), "S"); err != nil {
		t.Fatal(err)
	}
	res = <-tbl.AllocateByID(owner, encoding.Identity{Name: "tester"}, false).Done()
	if !errors.Is(res.Err, allocation.ErrNotRegistered) {
		t.Errorf("AllocateByID(tester) after the removal = %v, want ErrNotRegistered", res.Err)
	}
}
