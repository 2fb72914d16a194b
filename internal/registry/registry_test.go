package registry_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/registry"
	"floe/internal/store"
	"floe/internal/store/storetest"
)

func newRegistry(t *testing.T, dynamic bool) (*registry.Registry, *storetest.Memory) {
	t.Helper()
	m := storetest.NewMemory()
	r, err := registry.New(context.Background(), registry.Config{DynamicRegistration: dynamic}, m)
	if err != nil {
		t.Fatal(err)
	}
	return r, m
}

func endpoints(eps []reference.Endpoint) []string {
	var out []string
	for _, ep := range eps {
		out = append(out, ep.String())
	}
	slices.Sort(out)
	return out
}

func TestDynamicRegistration(t *testing.T) {
	ctx := context.Background()
	r, m := newRegistry(t, true)
	p := storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 10001 -t 60000")
	if err := r.SetAdapterDirectProxy(ctx, "A", "", p); err != nil {
		t.Fatal(err)
	}
	eps, err := r.FindAdapter("A")
	if err != nil || len(eps) != 1 || eps[0].String() != "tcp -h 127.0.0.1 -p 10001 -t 60000" {
		t.Fatalf("FindAdapter(A) = %v, %v", endpoints(eps), err)
	}
	// Re-registration overwrites (last writer wins).
	p2 := storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 10002 -t 60000")
	if err := r.SetAdapterDirectProxy(ctx, "A", "", p2); err != nil {
		t.Fatal(err)
	}
	if eps, _ := r.FindAdapter("A"); eps[0].String() != "tcp -h 127.0.0.1 -p 10002 -t 60000" {
		t.Errorf("after re-registration FindAdapter(A) = %v", endpoints(eps))
	}
	if err := r.SetAdapterDirectProxy(ctx, "A", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.FindAdapter("A"); !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("after unregistration FindAdapter(A) = %v, want ErrAdapterNotFound", err)
	}
	if m.Writes != 3 {
		t.Errorf("store writes = %d, want 3", m.Writes)
	}
	// Registry restarted over the same store sees nothing of A.
	r2, err := registry.New(ctx, registry.Config{DynamicRegistration: true}, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.FindAdapter("A"); !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("reloaded FindAdapter(A) = %v", err)
	}
}

func TestRegistrationDisabled(t *testing.T) {
	r, m := newRegistry(t, false)
	err := r.SetAdapterDirectProxy(context.Background(), "A", "", storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1"))
	if !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("SetAdapterDirectProxy with dynamic registration off = %v, want ErrAdapterNotFound", err)
	}
	if m.Writes != 0 {
		t.Errorf("store writes = %d, want 0", m.Writes)
	}
}

func TestStoreFailureChangesNothing(t *testing.T) {
	r, m := newRegistry(t, true)
	m.Fail = store.ErrUnavailable
	err := r.SetAdapterDirectProxy(context.Background(), "A", "", storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1"))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("SetAdapterDirectProxy = %v, want ErrUnavailable", err)
	}
	if _, err := r.FindAdapter("A"); !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("a failed write was applied: FindAdapter(A) = %v", err)
	}
}

func TestReplicaGroup(t *testing.T) {
	ctx := context.Background()
	r, _ := newRegistry(t, true)
	for i, id := range []string{"A1", "A2"} {
		p := storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p "+string(rune('1'+i)))
		if err := r.SetAdapterDirectProxy(ctx, id, "RG", p); err != nil {
			t.Fatal(err)
		}
	}
	eps, err := r.FindAdapter("RG")
	if got := endpoints(eps); err != nil || !slices.Equal(got, []string{"tcp -h 127.0.0.1 -p 1 -t 60000", "tcp -h 127.0.0.1 -p 2 -t 60000"}) {
		t.Errorf("FindAdapter(RG) = %v, %v", got, err)
	}
	if got := r.ReplicaGroupMembers("RG"); !slices.Equal(got, []string{"A1", "A2"}) {
		t.Errorf("ReplicaGroupMembers(RG) = %v", got)
	}
	// An adapter id cannot register as a replica group and vice versa.
	if err := r.SetAdapterDirectProxy(ctx, "RG", "", storetest.MustParse(t, "dummy:tcp -p 3")); !errors.Is(err, registry.ErrInvalidReplicaGroup) {
		t.Errorf("registering adapter RG = %v, want ErrInvalidReplicaGroup", err)
	}
	for _, id := range []string{"A1", "A2"} {
		if err := r.SetAdapterDirectProxy(ctx, id, "RG", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.FindAdapter("RG"); !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("empty implicit group: FindAdapter(RG) = %v, want ErrAdapterNotFound", err)
	}
}

func TestObjects(t *testing.T) {
	ctx := context.Background()
	r, _ := newRegistry(t, false)
	id := encoding.Identity{Name: "hello"}
	o := &store.Object{Identity: id, Type: "::Demo::Hello", Proxy: storetest.MustParse(t, "hello @ A")}
	if err := r.AddObject(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := r.AddObject(ctx, o); !errors.Is(err, registry.ErrObjectExists) {
		t.Errorf("second AddObject = %v, want ErrObjectExists", err)
	}
	if got, err := r.FindObject(id); err != nil || got.String() != "hello -t -e 1.1 @ A" {
		t.Errorf("FindObject = %v, %v", got, err)
	}
	if got := r.FindObjectByType("::Demo::Hello"); got == nil || got.AdapterID != "A" {
		t.Errorf("FindObjectByType = %v", got)
	}
	if got := r.FindObjectsByType("::Nope"); len(got) != 0 {
		t.Errorf("FindObjectsByType(::Nope) = %v", got)
	}
	if err := r.RemoveObject(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := r.FindObject(id); !errors.Is(err, registry.ErrObjectNotFound) {
		t.Errorf("after remove FindObject = %v", err)
	}
	if got := r.FindObjectByType("::Demo::Hello"); got != nil {
		t.Errorf("after remove FindObjectByType = %v", got)
	}
	builtin := &store.Object{Identity: encoding.Identity{Category: "IceGrid", Name: "Locator"}, Type: "::IceGrid::Locator",
		Proxy: storetest.MustParse(t, "IceGrid/Locator:tcp -p 4061")}
	r.AddBuiltinObject(builtin)
	if err := r.RemoveObject(ctx, builtin.Identity); err == nil {
		t.Error("RemoveObject(builtin) succeeded")
	}
}

func mustParse(t *testing.T, s string) *reference.Reference {
	t.Helper()
	return storetest.MustParse(t, s)
}

// TestAddApplicationNotUTF8: a descriptor with a byte that is not UTF-8 in a comment (which XML
// does not check) was accepted, and the JSON of the store, the nodes and the HTTP API replaced
// the byte: after a restart the descriptor was not the one deployed. It is a descriptor error
// naming the line, and nothing is written.
func TestAddApplicationNotUTF8(t *testing.T) {
	r, m := newRegistry(t, false)
	_, err := r.AddApplication(context.Background(), []byte("<icegrid>\n<!-- caf\xe9 -->\n<application name=\"A\"/></icegrid>"))
	var de *registry.DescriptorError
	if !errors.As(err, &de) || de.Line != 2 {
		t.Fatalf("AddApplication(latin1 comment) = %v, want a descriptor error on line 2", err)
	}
	if m.Writes != 0 {
		t.Errorf("the store got %d writes", m.Writes)
	}
}

// TestDynamicRegistrationNotUTF8: an adapter id that is not UTF-8 (Ice strings are, but Go does
// not check) was stored, and came back from JSON as another id; it is an invalid argument.
func TestDynamicRegistrationNotUTF8(t *testing.T) {
	r, _ := newRegistry(t, true)
	p := storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 10001 -t 60000")
	if err := r.SetAdapterDirectProxy(context.Background(), "A\x91", "", p); !errors.Is(err, registry.ErrInvalidArgument) {
		t.Errorf("SetAdapterDirectProxy(\"A\\x91\") = %v, want ErrInvalidArgument", err)
	}
}

// TestProxyNotUTF8: a proxy whose string is not UTF-8 (an adapter id, identity or host with
// such bytes, from the Ice wire or an escape in the HTTP API) was registered, and the embedded
// store then failed to write it, or JSON replaced the bytes. It is an invalid argument.
func TestProxyNotUTF8(t *testing.T) {
	ctx := context.Background()
	r, _ := newRegistry(t, true)
	p := storetest.MustParse(t, `x @ "\200"`)
	if err := r.SetAdapterDirectProxy(ctx, "A", "", p); !errors.Is(err, registry.ErrInvalidArgument) {
		t.Errorf("SetAdapterDirectProxy(proxy not UTF-8) = %v, want ErrInvalidArgument", err)
	}
	o := &store.Object{Identity: storetest.MustParse(t, "x").Identity, Proxy: p}
	if err := r.AddObject(ctx, o); !errors.Is(err, registry.ErrInvalidArgument) {
		t.Errorf("AddObject(proxy not UTF-8) = %v, want ErrInvalidArgument", err)
	}
	o = &store.Object{Identity: o.Identity, Type: "::T\xff", Proxy: storetest.MustParse(t, "x:tcp -p 1")}
	if err := r.AddObject(ctx, o); !errors.Is(err, registry.ErrInvalidArgument) {
		t.Errorf("AddObject(type not UTF-8) = %v, want ErrInvalidArgument", err)
	}
}
