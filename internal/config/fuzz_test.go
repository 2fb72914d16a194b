package config_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"floe/ice/properties"
	"floe/internal/config"
)

// demoConfigs are the ice-demos IceGrid configuration files, when the shared corpus is present.
var demoConfigs = []string{
	"../../../shared/testdata/ice-demos-python-icegrid-simple/config.grid",
	"../../../shared/testdata/ice-demos-python-icegrid-simple/config.client",
}

// duration is a configuration field read from an integer property in unit.
type duration struct {
	name string
	def  int
	unit time.Duration
	got  time.Duration
}

// checkDurations fails unless every field is exactly its property's value in its unit: a value
// too large for a time.Duration must be an error, not wrap around.
func checkDurations(t *testing.T, p *properties.Properties, ds []duration) {
	t.Helper()
	for _, d := range ds {
		n, err := p.GetInt(d.name, d.def)
		if err != nil || d.got%d.unit != 0 || int64(d.got/d.unit) != int64(n) {
			t.Fatalf("%s=%q gave %v", d.name, p.Get(d.name), d.got)
		}
	}
}

// FuzzLoad reads arbitrary property files into registry and node configurations. Errors name
// the package ("config: " or "properties: "); loading is deterministic; what loads is valid:
// durations are the properties' values, the ZooKeeper hosts are not blank, a node has a name
// and registries.
func FuzzLoad(f *testing.F) {
	for _, path := range demoConfigs {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"",
		"IceGrid.InstanceName=DemoIceGrid\nIceGrid.Registry.Client.Endpoints=default -h localhost -p 4061\n" +
			"IceGrid.Registry.LMDB.Path=db/registry\nIceGrid.Registry.Frobnicate=1\nFloe.ZooKeeper.Hosts=a:1,b:2\n",
		"IceGrid.Registry.SessionTimeout=18446744074\n",
		"IceGrid.Node.WaitTime=9223372037\nFloe.ZooKeeper.SessionTimeout=-1\n",
		"Floe.ZooKeeper.Hosts=zk1:2181,, zk2:2181 ,\nFloe.HTTP.Endpoint=\nIceGrid.Registry.DynamicRegistration=yes\n",
		"IceGrid.Node.Name=node1\nIceGrid.Node.Endpoints=tcp -h 127.0.0.1\nIceGrid.Node.Data=db/node\n" +
			"IceGrid.Node.WaitTime=7\nIceGrid.Node.DisableOnFailure=-1\nIceGrid.Node.PrintServersReady=token\n" +
			"Ice.Default.Locator=DemoIceGrid/Locator:default -h localhost -p 4061:tcp -h 127.0.0.1 -p 4062\n",
		"IceGrid.Registry.Client.Endpoints=ssl -p 4061\nIceGrid.Registry.Server.Endpoints=udp -h x\nIceGrid.InstanceName=a b\n",
		"IceGrid.Registry.Client.Endpoints=tcp -p 70000\nIceGrid.Registry.Server.Endpoints=tcp -p 70001\n",
		"IceGrid.Node.CollocateRegistry=1\nIceGrid.Node.Name=.\nIceGrid.Node.DisableOnFailure=x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := properties.New()
		if err := p.Load(bytes.NewReader(data)); err != nil {
			return
		}
		reg, warnings, err := config.LoadRegistry(p.Clone())
		reg2, warnings2, err2 := config.LoadRegistry(p.Clone())
		if !cmp.Equal(reg, reg2) || !cmp.Equal(warnings, warnings2) || !sameError(err, err2) {
			t.Fatalf("LoadRegistry is not deterministic: %v, then %v", err, err2)
		}
		checkError(t, "LoadRegistry", err)
		if err == nil {
			checkDurations(t, p, []duration{
				{"IceGrid.Registry.SessionTimeout", 30, time.Second, reg.SessionTimeout},
				{"IceGrid.Registry.NodeSessionTimeout", 30, time.Second, reg.NodeSessionTimeout},
				{"Floe.ZooKeeper.SessionTimeout", 4000, time.Millisecond, reg.ZooKeeperSessionTimeout},
				{"IceGrid.Node.WaitTime", 60, time.Second, reg.NodeWaitTime},
				{"IceGrid.Node.DisableOnFailure", 0, time.Second, reg.NodeDisableOnFailure},
			})
			for _, h := range reg.ZooKeeperHosts {
				if h == "" || strings.TrimSpace(h) != h {
					t.Fatalf("Floe.ZooKeeper.Hosts=%q gave host %q", p.Get("Floe.ZooKeeper.Hosts"), h)
				}
			}
		}
		node, nwarnings, err := config.LoadNode(p.Clone())
		node2, nwarnings2, err2 := config.LoadNode(p.Clone())
		if !cmp.Equal(node, node2) || !cmp.Equal(nwarnings, nwarnings2) || !sameError(err, err2) {
			t.Fatalf("LoadNode is not deterministic: %v, then %v", err, err2)
		}
		checkError(t, "LoadNode", err)
		if err == nil && !node.CollocateRegistry {
			if node.Name == "" || node.InstanceName == "" || len(node.Registries) == 0 {
				t.Fatalf("LoadNode = %+v", node)
			}
			ds := []duration{{"IceGrid.Node.DisableOnFailure", 0, time.Second, node.DisableOnFailure}}
			if p.Has("IceGrid.Node.WaitTime") {
				ds = append(ds, duration{"IceGrid.Node.WaitTime", 0, time.Second, node.WaitTime})
			}
			checkDurations(t, p, ds)
		}
	})
}

func sameError(a, b error) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Error() == b.Error())
}

func checkError(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && !strings.HasPrefix(err.Error(), "config: ") && !strings.HasPrefix(err.Error(), "properties: ") {
		t.Fatalf("%s error %q does not name its package", what, err)
	}
}
