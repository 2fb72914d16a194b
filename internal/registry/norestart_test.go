package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice/reference"
	"floe/internal/registry"
	"floe/internal/store/storetest"
)

// liveDeployer is a registry.LiveUpdater that records what it is asked and refuses the servers
// in refuse (at the check when refuseCheck, else when applying) and the nodes in down.
type liveDeployer struct {
	mu          sync.Mutex
	calls       []string // "check|apply App r<revision> updated=[…] removed=[…]"
	refuse      map[string]string
	refuseCheck bool
	down        []string
}

func (d *liveDeployer) Deploy(*registry.Deployment)                   {}
func (d *liveDeployer) Activate(context.Context, string) error        { return nil }
func (d *liveDeployer) SetProcess(string, *reference.Reference) error { return nil }
func (d *liveDeployer) Enabled(string) bool                           { return true }

func (d *liveDeployer) UpdateLive(_ context.Context, u *registry.LiveUpdate) registry.LiveResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	var updated, removed []string
	for _, s := range u.Updated {
		updated = append(updated, s.ID+":"+s.Descriptor.Server().PropertySet.Properties[0].Value)
	}
	for _, s := range u.Removed {
		removed = append(removed, s.ID)
	}
	verb := map[bool]string{false: "check", true: "apply"}[u.Apply]
	d.calls = append(d.calls, fmt.Sprintf("%s %s r%d updated=%v removed=%v", verb, u.Application.Name,
		u.Application.Revision, updated, removed))
	if u.Apply == d.refuseCheck {
		return registry.LiveResult{Down: d.down}
	}
	res := registry.LiveResult{Refused: map[string]string{}, Down: d.down}
	for _, s := range append(slices.Clone(u.Updated), u.Removed...) {
		if why, ok := d.refuse[s.ID]; ok {
			res.Refused[s.ID] = why
		}
	}
	return res
}

// liveApp has servers on node n1; %[1]s is the value of property P of A and B, %[2]s A's exe,
// %[3]s B's exe, %[4]s more servers.
const liveApp = `<icegrid><application name="App"><node name="n1">
  <server id="A" exe="%[2]s"><property name="P" value="%[1]s"/></server>
  <server id="B" exe="%[3]s"><property name="P" value="%[1]s"/></server>
  <server id="C" exe="c"><property name="P" value="1"/></server>
  %[4]s
</node></application></icegrid>`

func liveXML(p, exeA, exeB, more string) []byte {
	return fmt.Appendf(nil, liveApp, p, exeA, exeB, more)
}

func newLiveRegistry(t *testing.T, d *liveDeployer) (*registry.Registry, *storetest.Memory) {
	t.Helper()
	m := storetest.NewMemory()
	r, err := registry.New(context.Background(), registry.Config{Deployer: d}, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddApplication(context.Background(), liveXML("1", "a", "b", `<server id="D" exe="d"><property name="P" value="1"/></server>`)); err != nil {
		t.Fatal(err)
	}
	return r, m
}

// TestUpdateWithoutRestart: a no-restart update asks the nodes first and stores the new
// descriptor only once they made it; anything a server would need a restart for fails the
// whole update with IceGrid's DeploymentException text and changes nothing.
func TestUpdateWithoutRestart(t *testing.T) {
	d := `<server id="D" exe="d"><property name="P" value="1"/></server>`
	tests := []struct {
		name        string
		desc        []byte
		refuse      map[string]string
		refuseCheck bool
		down        []string
		storeFails  bool
		wantErr     string // "" for success
		wantCalls   []string
	}{
		{name: "properties only", desc: liveXML("2", "a", "b", d),
			wantCalls: []string{"check App r2 updated=[A:2 B:2] removed=[]", "apply App r2 updated=[A:2 B:2] removed=[]"}},
		{name: "a stopped server removed", desc: liveXML("1", "a", "b", ""),
			wantCalls: []string{"check App r2 updated=[] removed=[D]"}},
		{name: "nothing changed", desc: liveXML("1", "a", "b", d)},
		{name: "exe changed: refused without asking the node", desc: liveXML("1", "x", "b", d),
			wantErr: "check for application `App' update failed:\nthe server `A' would need to be stopped"},
		{name: "exe and properties changed", desc: liveXML("2", "x", "x", d),
			wantErr: "check for application `App' update failed:\nthe servers `A, B' would need to be stopped"},
		{name: "refused by the node at the check", desc: liveXML("2", "a", "x", ""),
			refuse: map[string]string{"A": "the server has no admin object", "D": "the server is running"}, refuseCheck: true,
			wantErr:   "check for application `App' update failed:\nthe servers `B, D, A' would need to be stopped",
			wantCalls: []string{"check App r2 updated=[A:2] removed=[D]"}},
		{name: "a node down", desc: liveXML("2", "a", "b", d), down: []string{"n1"},
			wantErr:   "check for application `App' update failed:\nthe node `n1' is down",
			wantCalls: []string{"check App r2 updated=[A:2 B:2] removed=[]"}},
		{name: "refused when applying: undone", desc: liveXML("2", "a", "b", d), refuse: map[string]string{"B": "setProperties failed"},
			wantErr: "check for application `App' update failed:\nthe server `B' would need to be stopped",
			wantCalls: []string{"check App r2 updated=[A:2 B:2] removed=[]", "apply App r2 updated=[A:2 B:2] removed=[]",
				"apply App r1 updated=[A:1 B:1] removed=[]"}},
		{name: "store fails: undone", desc: liveXML("2", "a", "b", d), storeFails: true, wantErr: "store down",
			wantCalls: []string{"check App r2 updated=[A:2 B:2] removed=[]", "apply App r2 updated=[A:2 B:2] removed=[]",
				"apply App r1 updated=[A:1 B:1] removed=[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dep := &liveDeployer{refuse: tt.refuse, refuseCheck: tt.refuseCheck, down: tt.down}
			r, m := newLiveRegistry(t, dep)
			if tt.storeFails {
				m.Fail = errors.New("store down")
			}
			before, _ := r.Application("App")
			app, err := r.UpdateApplicationWithoutRestart(ctx, "App", tt.desc)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("UpdateApplicationWithoutRestart() = %v, want success", err)
			case tt.wantErr == "" && app.Revision != 2:
				t.Errorf("UpdateApplicationWithoutRestart() revision = %d, want 2", app.Revision)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("UpdateApplicationWithoutRestart() = %v, want %q", err, tt.wantErr)
			case tt.wantErr != "" && !tt.storeFails:
				if de, ok := errors.AsType[*registry.DeploymentError](err); !ok || de.Reason != tt.wantErr {
					t.Errorf("UpdateApplicationWithoutRestart() = %#v, want DeploymentError %q", err, tt.wantErr)
				}
			}
			if after, _ := r.Application("App"); tt.wantErr != "" && (after.Revision != before.Revision ||
				string(after.Descriptor) != string(before.Descriptor)) {
				t.Errorf("after a refused update the application is revision %d, want %d unchanged", after.Revision, before.Revision)
			}
			if diff := cmp.Diff(tt.wantCalls, dep.calls); diff != "" {
				t.Errorf("UpdateLive calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpdateWithoutRestartNoNodes: without a node nothing runs, so only what IceGrid refuses
// whatever the server's state is refused.
func TestUpdateWithoutRestartNoNodes(t *testing.T) {
	ctx := context.Background()
	r, _ := newRegistry(t, false)
	if _, err := r.AddApplication(ctx, liveXML("1", "a", "b", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.UpdateApplicationWithoutRestart(ctx, "App", liveXML("2", "a", "b", "")); err != nil {
		t.Errorf("properties only: %v, want success", err)
	}
	_, err := r.UpdateApplicationWithoutRestart(ctx, "App", liveXML("2", "x", "b", ""))
	if _, ok := errors.AsType[*registry.DeploymentError](err); !ok {
		t.Errorf("exe changed: %v, want a DeploymentError", err)
	}
}

// TestUpdateStillRestarts: a normal update asks no node anything.
func TestUpdateStillRestarts(t *testing.T) {
	dep := &liveDeployer{}
	r, _ := newLiveRegistry(t, dep)
	if _, err := r.UpdateApplication(context.Background(), "App", liveXML("2", "x", "b", "")); err != nil {
		t.Fatal(err)
	}
	if len(dep.calls) != 0 {
		t.Errorf("UpdateApplication asked the nodes %v, want nothing", dep.calls)
	}
}
