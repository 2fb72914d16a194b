package node

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/internal/descriptor"
)

func expandLive(t *testing.T, xml string) []*descriptor.Server {
	t.Helper()
	app, err := descriptor.Parse("a.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	x, err := descriptor.Expand(app, descriptor.WithNode(func(name string) descriptor.Node {
		return descriptor.Node{Name: name, DataDir: "/data"}
	}))
	if err != nil {
		t.Fatal(err)
	}
	return x.Servers
}

// iceBoxLive has an IceBox with services a (own communicator) and b (shared communicator when
// shared); %[1]s is the value of P in the IceBox's, a's and b's properties, %[2]s of Q in b's.
const iceBoxLive = `<icegrid><application name="A"><node name="n">
<icebox id="Box" exe="icebox">
  <property name="P" value="%[1]s"/>
  <property name="IceBox.UseSharedCommunicator.b" value="1"/>
  <service name="a" entry="a:create"><property name="P" value="%[1]s"/></service>
  <service name="b" entry="b:create"><property name="Q" value="%[2]s"/></service>
</icebox></node></application></icegrid>`

// TestPropertyPushes: each configuration file whose properties changed is pushed to the admin
// facet that serves it, with the properties that changed and the removed ones empty.
func TestPropertyPushes(t *testing.T) {
	conf := func(p, q string) *descriptor.ServerConfig {
		xml := strings.NewReplacer("%[1]s", p, "%[2]s", q).Replace(iceBoxLive)
		return expandLive(t, xml)[0].Config
	}
	got := map[string]map[string]string{}
	for _, p := range propertyPushes(conf("1", "1"), conf("2", "")) {
		got[p.facet] = p.props
	}
	want := map[string]map[string]string{
		"Properties":                           {"P": "2"},
		"IceBox.Service.a.Properties":          {"P": "2"},
		"IceBox.SharedCommunicator.Properties": {"Q": ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("propertyPushes() (-want +got):\n%s", diff)
	}
	if p := propertyPushes(conf("1", "1"), conf("1", "1")); len(p) != 0 {
		t.Errorf("propertyPushes(unchanged) = %v, want none", p)
	}
}

// TestUpdateLiveStopped: a server that does not run takes any update: applied, it has the new
// configuration (written out), so the deployment that follows finds nothing to do; a removed
// server that does not run is no reason to refuse; an unknown one is.
func TestUpdateLiveStopped(t *testing.T) {
	n, err := New(Config{Name: "n", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	xml := func(v string) string {
		return `<icegrid><application name="A"><node name="n"><server id="S" exe="x"><property name="P" value="` + v +
			`"/></server><server id="R" exe="x"/></node></application></icegrid>`
	}
	n.Deploy(expandLive(t, xml("1")))
	v2 := expandLive(t, xml("2"))
	if refused := n.UpdateLive(context.Background(), v2[1:], []string{"R"}, false); len(refused) != 0 {
		t.Fatalf("UpdateLive(check) refused %v", refused)
	}
	if got := n.server("S").spec.Config.Files[0].Dict()["P"]; got != "1" {
		t.Errorf("after a check S has P=%s, want 1: a check changes nothing", got)
	}
	if refused := n.UpdateLive(context.Background(), v2[1:], nil, true); len(refused) != 0 {
		t.Fatalf("UpdateLive(apply) refused %v", refused)
	}
	if s := n.server("S"); s.hash != configHash(v2[1]) {
		t.Error("S's configuration is not the update's: the deployment after it would restart S")
	}
	b, err := os.ReadFile(filepath.Join(n.cfg.DataDir, "servers", "S", "config", "config"))
	if err != nil || !strings.Contains(string(b), "\nP=2\n") {
		t.Errorf("config file of S: %v\n%s", err, b)
	}
	other := expandLive(t, strings.ReplaceAll(xml("2"), `id="S"`, `id="Other"`))
	if refused := n.UpdateLive(context.Background(), other[0:1], nil, false); refused["Other"] != "server not loaded" {
		t.Errorf("UpdateLive(unknown server) refused %v, want Other: server not loaded", refused)
	}
}
