package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"floe/internal/config"
)

func TestLoadNode(t *testing.T) {
	c, warnings, err := config.LoadNode(props(
		"IceGrid.Node.Name=node1",
		"IceGrid.Node.Endpoints=tcp -h 127.0.0.1",
		"IceGrid.Node.Data=db/node",
		"IceGrid.Node.WaitTime=7",
		"IceGrid.Node.DisableOnFailure=-1",
		"IceGrid.Node.Trace.Activator=1",
		"IceGrid.Node.PrintServersReady=token",
		"IceGrid.Registry.Client.Endpoints=default -h localhost -p 4061", // a shared file: the registry's
		"Ice.Default.Locator=DemoIceGrid/Locator:default -h localhost -p 4061:tcp -h 127.0.0.1 -p 4062",
	))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Node{Name: "node1", Endpoints: "tcp -h 127.0.0.1", DataDir: "db/node",
		Locator: "DemoIceGrid/Locator:default -h localhost -p 4061:tcp -h 127.0.0.1 -p 4062", InstanceName: "DemoIceGrid",
		Registries: []string{"tcp -h localhost -p 4061 -t 60000", "tcp -h 127.0.0.1 -p 4062 -t 60000"},
		WaitTime:   7 * time.Second, DisableOnFailure: -time.Second}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("LoadNode differs (-want +got):\n%s", diff)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "IceGrid.Node.PrintServersReady is not implemented") {
		t.Errorf("warnings = %q, want one for IceGrid.Node.PrintServersReady", warnings)
	}
}

func TestLoadNodeErrors(t *testing.T) {
	base := []string{"IceGrid.Node.Name=n", "IceGrid.Node.Endpoints=tcp -h 127.0.0.1", "IceGrid.Node.Data=d",
		"Ice.Default.Locator=IceGrid/Locator:tcp -h 127.0.0.1 -p 4061"}
	for _, tc := range []struct{ name, set, want string }{
		{"no name", "IceGrid.Node.Name=", "IceGrid.Node.Name is required"},
		{"no data", "IceGrid.Node.Data=", "IceGrid.Node.Data is required"},
		{"no locator", "Ice.Default.Locator=", "Ice.Default.Locator is required"},
		{"bad name", "IceGrid.Node.Name=a/b", "not a valid node name"},
		{"bad endpoints", "IceGrid.Node.Endpoints=bogus -x", "IceGrid.Node.Endpoints"},
		{"indirect locator", "Ice.Default.Locator=IceGrid/Locator@Adapter", "must be <InstanceName>/Locator with endpoints"},
		{"no category", "Ice.Default.Locator=Locator:tcp -p 1", "must be <InstanceName>/Locator with endpoints"},
		{"bad wait time", "IceGrid.Node.WaitTime=0", "IceGrid.Node.WaitTime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := props(append(append([]string(nil), base...), tc.set)...)
			if _, _, err := config.LoadNode(p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadNode with %s = %v, want an error containing %q", tc.set, err, tc.want)
			}
		})
	}
}

func TestLoadNodeCollocated(t *testing.T) {
	c, _, err := config.LoadNode(props("IceGrid.Node.CollocateRegistry=1"))
	if err != nil || !c.CollocateRegistry {
		t.Errorf("LoadNode(CollocateRegistry=1) = %+v, %v; want CollocateRegistry and no error", c, err)
	}
}
