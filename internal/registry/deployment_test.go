package registry_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"floe/ice/reference"
	"floe/internal/registry"
	"floe/internal/store/storetest"
)

// observingDeployer records the adapter registrations it is told about.
type observingDeployer struct {
	mu        sync.Mutex
	activated []string
}

func (d *observingDeployer) Deploy(*registry.Deployment)                   {}
func (d *observingDeployer) Activate(context.Context, string) error        { return nil }
func (d *observingDeployer) SetProcess(string, *reference.Reference) error { return nil }
func (d *observingDeployer) Enabled(string) bool                           { return true }
func (d *observingDeployer) AdapterActivated(server, adapter string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.activated = append(d.activated, server+"/"+adapter)
}

// TestAdapterObserver: a Deployer that implements AdapterObserver hears of every registration
// of a deployed adapter (not of unregistrations, not of dynamic adapters).
func TestAdapterObserver(t *testing.T) {
	ctx := context.Background()
	d := &observingDeployer{}
	r, err := registry.New(ctx, registry.Config{Deployer: d, DynamicRegistration: true}, storetest.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddApplication(ctx, []byte(fmt.Sprintf(adaptiveApp, "1"))); err != nil {
		t.Fatal(err)
	}
	p := storetest.MustParse(t, "dummy:tcp -h 127.0.0.1 -p 1")
	for _, reg := range []struct {
		id, group string
		p         *reference.Reference
	}{{"S1.B", "", p}, {"S2.A", "RG", p}, {"S1.B", "", nil}, {"Dynamic", "", p}} {
		if err := r.SetAdapterDirectProxy(ctx, reg.id, reg.group, reg.p); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"S1/S1.B", "S2/S2.A"}; !slices.Equal(d.activated, want) {
		t.Errorf("AdapterActivated calls = %v, want %v", d.activated, want)
	}
}
