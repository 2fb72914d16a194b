package descriptor

import (
	"strings"
	"testing"
	"time"
)

const sessionXML = `<icegrid><application name="A"><node name="n">
<server id="S" exe="x" activation="session">
  <property name="Session" value="${session.id}"/>
  <property name="Data" value="${node.data}"/>
</server></node></application></icegrid>`

func expandString(t *testing.T, xml string, node Node) *Expanded {
	t.Helper()
	app, err := Parse("a.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	x, err := Expand(app, WithNode(func(string) Node { return node }))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func configText(c *ServerConfig, file string) string {
	for _, f := range c.Files {
		if f.Name == file {
			_, body, _ := strings.Cut(string(f.Bytes(time.Time{})), "\n\n")
			return body
		}
	}
	return ""
}

// TestSessionServerConfig checks a session server is configured only once a session allocates
// it; before that IceGrid keeps the registry's descriptor, ${node.data} included.
func TestSessionServerConfig(t *testing.T) {
	node := Node{DataDir: "/data"}
	x := expandString(t, sessionXML, node)
	s := x.Servers[0]
	if s.Config.NodeErr == nil || !strings.Contains(configText(s.Config, "config"), "Data=${node.data}\n") {
		t.Errorf("unallocated session server: node error %v, config:\n%s", s.Config.NodeErr, configText(s.Config, "config"))
	}
	c := Configure("A", s.Descriptor, Node{Name: "n", DataDir: "/data"}, "session-1")
	if got := configText(c, "config"); c.NodeErr != nil || !strings.Contains(got, "Session=session-1\nData=/data\n") {
		t.Errorf("allocated session server: node error %v, config:\n%s", c.NodeErr, got)
	}
}

func TestNodeProperties(t *testing.T) {
	xml := `<icegrid><application name="A"><node name="n">
<icebox id="B" exe="icebox"><service name="svc" entry="e"><adapter name="A" endpoints="tcp"/></service></icebox>
<server id="S" exe="x"><property name="Ice.StdErr" value="mine"/><property name="Ice.Default.Locator" value="L"/></server>
</node></application></icegrid>`
	node := Node{DataDir: "/d", OutputDir: "/out", RedirectErrToOut: true, DiscoveryPlugin: "IceLocatorDiscovery:create",
		InstanceName: "Grid", PropertiesOverride: map[string]string{"Z": "1", "A": "2"}}
	x := expandString(t, xml, node)
	box, s := x.Servers[0].Config, x.Servers[1].Config
	want := "Ice.StdErr=/out/B.out\nIce.StdOut=/out/B.out\nIce.Plugin.IceLocatorDiscovery=IceLocatorDiscovery:create\n" +
		"IceLocatorDiscovery.InstanceName=Grid\n# Node properties override\nA=2\nZ=1\n"
	if got := configText(box, "config"); !strings.HasSuffix(got, want) {
		t.Errorf("IceBox config:\n%s\nwant suffix:\n%s", got, want)
	}
	if got := configText(box, "config_svc"); !strings.HasSuffix(got, "IceLocatorDiscovery.InstanceName=Grid\n# Node properties override\nA=2\nZ=1\n") {
		t.Errorf("service config:\n%s", got)
	}
	if len(box.Adapters) != 1 || box.Adapters[0].ServerLifetime {
		t.Errorf("IceBox service adapters = %+v, want server lifetime ignored (admin enabled)", box.Adapters)
	}
	if got := configText(s, "config"); strings.Contains(got, "Ice.StdErr=/out") || strings.Contains(got, "Discovery") ||
		!strings.Contains(got, "Ice.StdOut=/out/S.out") {
		t.Errorf("server config keeps its own Ice.StdErr and locator:\n%s", got)
	}
}

func TestProcessRegistered(t *testing.T) {
	for props, want := range map[string]bool{
		``: true,
		`<property name="Ice.Admin.Enabled" value="0"/>`:     false,
		`<property name="Ice.Admin.Enabled" value="1"/>`:     true,
		`<property name="Ice.Admin.Endpoints" value=""/>`:    false,
		`<property name="Ice.Admin.Endpoints" value="tcp"/>`: true,
	} {
		x := expandString(t, `<icegrid><application name="A"><node name="n"><server id="S" exe="x">`+props+
			`</server></node></application></icegrid>`, Node{})
		if got := x.Servers[0].Config.ProcessRegistered; got != want {
			t.Errorf("%s: ProcessRegistered = %v, want %v", props, got, want)
		}
	}
}
