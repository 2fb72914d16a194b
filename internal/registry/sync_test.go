package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"floe/internal/registry"
	"floe/internal/store"
)

const goodApp = `<icegrid><application name="Demo"><description>v%d</description></application></icegrid>`

// TestChangedKeepsLastGoodApplication: a descriptor written behind the registry's back that
// does not validate is not applied; the last good one keeps serving and the error is reported.
func TestChangedKeepsLastGoodApplication(t *testing.T) {
	ctx := context.Background()
	r, m := newRegistry(t, true)
	if _, err := r.AddApplication(ctx, []byte(strings.Replace(goodApp, "%d", "1", 1))); err != nil {
		t.Fatal(err)
	}
	// An operator writes garbage directly into the store.
	_ = m.PutApplication(ctx, &store.Application{Name: "Demo", Revision: 2, Descriptor: []byte("<icegrid><application")})
	if err := r.Changed(store.KindApplication, "Demo"); err != nil {
		t.Fatal(err)
	}
	app, err := r.Application("Demo")
	if err != nil || app.Revision != 1 {
		t.Errorf("after an invalid change Application(Demo) = rev %d, %v; want the last good revision 1", app.Revision, err)
	}
	if msg := r.Invalid()["application/Demo"]; !strings.Contains(msg, "descriptor") {
		t.Errorf("Invalid()[application/Demo] = %q, want a descriptor error", msg)
	}
	// A valid change is applied and clears the error.
	_ = m.PutApplication(ctx, &store.Application{Name: "Demo", Revision: 3, Descriptor: []byte(strings.Replace(goodApp, "%d", "3", 1))})
	if err := r.Changed(store.KindApplication, "Demo"); err != nil {
		t.Fatal(err)
	}
	if app, _ := r.Application("Demo"); app.Revision != 3 {
		t.Errorf("after a valid change revision = %d, want 3", app.Revision)
	}
	if len(r.Invalid()) != 0 {
		t.Errorf("Invalid() = %v, want empty", r.Invalid())
	}
	// Deleted behind the registry's back.
	_ = m.DeleteApplication(ctx, "Demo")
	if err := r.Changed(store.KindApplication, "Demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Application("Demo"); !errors.Is(err, registry.ErrApplicationNotFound) {
		t.Errorf("after delete Application(Demo) = %v", err)
	}
}

func TestResyncReplacesState(t *testing.T) {
	ctx := context.Background()
	r, _ := newRegistry(t, true)
	if err := r.SetAdapterDirectProxy(ctx, "Old", "", mustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")); err != nil {
		t.Fatal(err)
	}
	r.Resync(&store.Snapshot{Adapters: []*store.Adapter{{ID: "New", Proxy: mustParse(t, "dummy:tcp -h 127.0.0.1 -p 2")}}})
	if _, err := r.FindAdapter("Old"); !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("after resync FindAdapter(Old) = %v, want not found", err)
	}
	if eps, err := r.FindAdapter("New"); err != nil || len(eps) != 1 {
		t.Errorf("after resync FindAdapter(New) = %v, %v", eps, err)
	}
	select {
	case <-r.Resynced():
	default:
		t.Error("Resynced() not closed after Resync")
	}
}

func TestApplicationValidation(t *testing.T) {
	r, _ := newRegistry(t, false)
	for _, bad := range []string{"", "<x/>", "<icegrid></icegrid>", `<icegrid><application/></icegrid>`,
		`<icegrid><application name="a"/><application name="b"/></icegrid>`, "<icegrid><application name='x'>"} {
		_, err := r.AddApplication(context.Background(), []byte(bad))
		if _, ok := errors.AsType[*registry.DescriptorError](err); !ok {
			t.Errorf("AddApplication(%q) = %v, want a DescriptorError", bad, err)
		}
	}
}

// TestDeployedEndpointsShared: in a replicated store a deployed adapter's endpoints are a
// record like a dynamic registration's, so a peer that registered the server tells this
// replica; a resync clears what peers told, never what was registered here.
func TestDeployedEndpointsShared(t *testing.T) {
	ctx := context.Background()
	r, m := newRegistry(t, false)
	app := `<icegrid><application name="App"><node name="n"><server id="S" exe="/bin/true" activation="manual">` +
		`<adapter name="A" endpoints="tcp -h 127.0.0.1"/></server></node></application></icegrid>`
	stored, err := r.AddApplication(ctx, []byte(app))
	if err != nil {
		t.Fatal(err)
	}
	onlyApp := &store.Snapshot{Applications: []*store.Application{&stored}}
	// A peer registered S.A and wrote it to the store.
	_ = m.PutAdapter(ctx, &store.Adapter{ID: "S.A", Proxy: mustParse(t, "dummy:tcp -h 127.0.0.1 -p 7")})
	if err := r.Changed(store.KindAdapter, "S.A"); err != nil {
		t.Fatal(err)
	}
	if eps, err := r.FindAdapter("S.A"); err != nil || len(eps) != 1 || !strings.Contains(eps[0].String(), "-p 7") {
		t.Fatalf("after a peer's record FindAdapter(S.A) = %v, %v; want port 7", eps, err)
	}
	if _, err := r.FindAdapter("S"); !errors.Is(err, registry.ErrAdapterNotFound) {
		t.Errorf("the deployed adapter's record made a dynamic adapter: FindAdapter(S) = %v", err)
	}
	r.Resync(onlyApp)
	if eps, _ := r.FindAdapter("S.A"); len(eps) != 0 {
		t.Errorf("after a resync without the record FindAdapter(S.A) = %v, want none", eps)
	}
	// Registered here: written for the peers, and kept by a resync.
	if err := r.SetAdapterDirectProxy(ctx, "S.A", "", mustParse(t, "dummy:tcp -h 127.0.0.1 -p 8")); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Get(ctx, store.KindAdapter, "S.A"); err != nil || v == nil {
		t.Errorf("a local registration of S.A was not written to the store: %v, %v", v, err)
	}
	r.Resync(onlyApp)
	if eps, _ := r.FindAdapter("S.A"); len(eps) != 1 || !strings.Contains(eps[0].String(), "-p 8") {
		t.Errorf("after a resync FindAdapter(S.A) = %v, want the local registration (port 8)", eps)
	}
}
