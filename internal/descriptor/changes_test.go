package descriptor

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/internal/slice/icegrid"
)

// changesApp is an application whose servers each differ in one way between two versions;
// %[1]s is "1" or "2".
const changesApp = `<icegrid><application name="A">
<variable name="v" value="%[1]s"/>
<server-template id="T"><parameter name="id"/>
  <server id="${id}" exe="x"><property name="P" value="%[1]s"/></server>
</server-template>
<node name="n1">
  <server id="Same" exe="x"><option>a</option><property name="P" value="1"/></server>
  <server id="Prop" exe="x"><property name="P" value="${v}"/></server>
  <server id="PropAdded" exe="x"><property name="Q%[1]s" value="q"/></server>
  <server id="Exe" exe="x%[1]s"><property name="P" value="1"/></server>
  <server id="Option" exe="x"><option>%[1]s</option></server>
  <server id="Env" exe="x"><env>E=%[1]s</env></server>
  <server id="Activation" exe="x" activation="%[2]s"/>
  <server id="AdapterEndpoints" exe="x"><adapter name="A" endpoints="tcp -p %[1]s"/></server>
  <server id="AdapterID" exe="x"><adapter name="A" id="A%[1]s" endpoints="tcp"/></server>
  <server id="Object" exe="x"><adapter name="O" endpoints="tcp"><object identity="o%[1]s"/></adapter></server>
  <server-instance template="T" id="Templated"/>
  <icebox id="Box" exe="icebox"><service name="s" entry="e"><property name="P" value="%[1]s"/></service></icebox>
  <icebox id="BoxEntry" exe="icebox"><service name="s" entry="e%[1]s"/></icebox>
  <server id="Only%[1]s" exe="x"/>
  %[3]s
</node>
<node name="n%[1]s"><server id="Moved" exe="x"/></node>
</application></icegrid>`

func changesVersion(t *testing.T, v, activation, extra string) *Expanded {
	t.Helper()
	app, err := Parse("a.xml", []byte(fmt.Sprintf(changesApp, v, activation, extra)))
	if err != nil {
		t.Fatal(err)
	}
	x, err := Instantiate(app)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestChanges: which servers icegridadmin's `application diff -s` and a no-restart update see
// as added, removed, updated (restart required) or with only their properties updated.
func TestChanges(t *testing.T) {
	old := changesVersion(t, "1", "manual", "")
	updated := changesVersion(t, "2", "on-demand", "")
	got := map[string]string{}
	for _, c := range Changes(old, updated) {
		got[c.ID] = c.Change.String()
		if (c.Old == nil) != (c.Change == Added) || (c.New == nil) != (c.Change == Removed) {
			t.Errorf("Changes: %s %v has Old %v, New %v", c.ID, c.Change, c.Old != nil, c.New != nil)
		}
	}
	want := map[string]string{
		"Prop":             "properties updated (no restart required)",
		"PropAdded":        "properties updated (no restart required)",
		"AdapterEndpoints": "properties updated (no restart required)", // endpoints are a property
		"Templated":        "properties updated (no restart required)",
		"Box":              "properties updated (no restart required)",
		"Exe":              "updated (restart required)",
		"Option":           "updated (restart required)",
		"Env":              "updated (restart required)",
		"Activation":       "updated (restart required)",
		"AdapterID":        "updated (restart required)",
		"Object":           "updated (restart required)",
		"BoxEntry":         "updated (restart required)",
		"Moved":            "updated (restart required)",
		"Only1":            "removed",
		"Only2":            "added",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Changes() (-want +got):\n%s", diff)
	}
	if c := Changes(old, changesVersion(t, "1", "manual", "")); len(c) != 0 {
		t.Errorf("Changes(v1, v1) = %v, want none", c)
	}
}

// TestChangesOrder: the changes come by server id, whatever their kind.
func TestChangesOrder(t *testing.T) {
	var ids []string
	for _, c := range Changes(changesVersion(t, "1", "manual", ""), changesVersion(t, "2", "manual", `<server id="AAA" exe="x"/>`)) {
		ids = append(ids, c.ID)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Fatalf("Changes() ids = %v, want them sorted", ids)
		}
	}
}

func TestPropertyDelta(t *testing.T) {
	tests := []struct {
		name     string
		old, new map[string]string
		want     map[string]string
	}{
		{"unchanged", map[string]string{"A": "1"}, map[string]string{"A": "1"}, map[string]string{}},
		{"changed", map[string]string{"A": "1", "B": "2"}, map[string]string{"A": "1", "B": "3"}, map[string]string{"B": "3"}},
		{"added", map[string]string{}, map[string]string{"A": "1"}, map[string]string{"A": "1"}},
		{"removed as empty", map[string]string{"A": "1", "B": "2"}, map[string]string{"A": "1"}, map[string]string{"B": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PropertyDelta(tt.old, tt.new); !cmp.Equal(got, tt.want) {
				t.Errorf("PropertyDelta(%v, %v) = %v, want %v", tt.old, tt.new, got, tt.want)
			}
		})
	}
}

// TestDict: a configuration file's properties as Ice reads them.
func TestDict(t *testing.T) {
	f := ConfigFile{Name: "config", Properties: []icegrid.PropertyDescriptor{
		prop("# comment", ""), prop("A", "1"), prop("B", "2"), prop("A", "3"), prop("B", ""),
	}}
	if got, want := f.Dict(), map[string]string{"A": "3"}; !cmp.Equal(got, want) {
		t.Errorf("Dict() = %v, want %v", got, want)
	}
}

// TestSameButProperties: what a node accepts without a restart, on top of the registry's check:
// a property that turns the admin object on or off changes whether a Process object is expected.
func TestSameButProperties(t *testing.T) {
	node := Node{Name: "n", DataDir: "/d"}
	conf := func(props string) *ServerConfig {
		return expandString(t, `<icegrid><application name="A"><node name="n">
<server id="S" exe="x"><adapter name="A" endpoints="tcp"/>`+props+`</server></node></application></icegrid>`, node).Servers[0].Config
	}
	base := conf(`<property name="P" value="1"/>`)
	tests := []struct {
		name  string
		props string
		want  bool
	}{
		{"a property", `<property name="P" value="2"/>`, true},
		{"a new property", `<property name="P" value="1"/><property name="Q" value="1"/>`, true},
		{"admin disabled", `<property name="P" value="1"/><property name="Ice.Admin.Enabled" value="0"/>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SameButProperties(base, conf(tt.props)); got != tt.want {
				t.Errorf("SameButProperties(P=1, %s) = %v, want %v", tt.props, got, tt.want)
			}
		})
	}
}
