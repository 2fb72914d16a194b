package descriptor

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"floe/internal/slice/icegrid"
)

func parseString(t *testing.T, xml string, opts ...Option) (*Document, error) {
	t.Helper()
	return ParseDocument("app.xml", []byte(xml), opts...)
}

func TestVariablesOption(t *testing.T) {
	doc, err := parseString(t, `<icegrid><application name="A">
  <variable name="v" value="xml"/><variable name="w" value="xml"/>
  <node name="n"><variable name="v" value="node"/><variable name="x" value="node"/></node>
</application></icegrid>`, Variables(map[string]string{"v": "cli"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doc.App.Variables, (map[string]string{"v": "cli", "w": "xml"}); !equalMaps(got, want) {
		t.Errorf("application variables = %v, want %v", got, want)
	}
	if got, want := doc.App.Nodes["n"].Variables, (map[string]string{"x": "node"}); !equalMaps(got, want) {
		t.Errorf("node variables = %v, want %v", got, want)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

const targetsXML = `<icegrid><application name="A"><node name="n">
  <target name="debug"><server id="D" exe="x"/></target>
  <server id="S" exe="x">
    <target name="trace"><property name="Trace" value="1"/></target>
  </server>
</node></application></icegrid>`

func TestTargets(t *testing.T) {
	tests := []struct {
		targets []string
		servers int
		props   int
	}{
		{nil, 1, 0},
		{[]string{"debug"}, 2, 0},
		{[]string{"trace"}, 1, 1},
		{[]string{"A.n.S.trace"}, 1, 1},
		{[]string{"A.trace"}, 1, 1},
		{[]string{"A.n.debug"}, 2, 0},
		{[]string{"B.n.debug", "n.S.trace"}, 1, 0},
	}
	for _, tt := range tests {
		doc, err := parseString(t, targetsXML, Targets(tt.targets...))
		if err != nil {
			t.Fatalf("targets %v: %v", tt.targets, err)
		}
		servers := doc.App.Nodes["n"].Servers
		s := servers[len(servers)-1].Server()
		if len(servers) != tt.servers || len(s.PropertySet.Properties) != tt.props {
			t.Errorf("targets %v: %d servers, %d properties, want %d, %d", tt.targets, len(servers),
				len(s.PropertySet.Properties), tt.servers, tt.props)
		}
	}
}

func TestIncludes(t *testing.T) {
	files := map[string]string{
		"dir/app.xml":   `<icegrid><application name="A"><include file="sub/n.xml"/></application></icegrid>`,
		"dir/sub/n.xml": `<icegrid><node name="n"><include file="/abs/s.xml"/></node></icegrid>`,
		"/abs/s.xml":    `<icegrid><server id="S" exe="x"/></icegrid>`,
		"loop.xml":      `<icegrid><include file="loop.xml"/></icegrid>`,
		"bad.xml":       `<icegrid><node name="n"><foo/></node></icegrid>`,
		"top.xml":       `<icegrid><application name="A"><include file="bad.xml"/></application></icegrid>`,
	}
	read := func(path string) ([]byte, error) {
		if s, ok := files[path]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	doc, err := ParseDocument("dir/app.xml", []byte(files["dir/app.xml"]), ReadFile(read))
	if err != nil || len(doc.App.Nodes["n"].Servers) != 1 {
		t.Fatalf("nested includes: %v, %+v", err, doc)
	}
	_, err = ParseDocument("loop.xml", []byte(files["loop.xml"]), ReadFile(read))
	wantError(t, err, &Error{File: "loop.xml", Line: 1, Msg: "include nesting deeper than 32 files"})
	_, err = ParseDocument("top.xml", []byte(files["top.xml"]), ReadFile(read))
	wantError(t, err, &Error{File: "bad.xml", Line: 1, Msg: "unknown element `foo'"})
	_, err = ParseDocument("top.xml", []byte(files["top.xml"]))
	wantError(t, err, &Error{File: "top.xml", Line: 1, Msg: "unable to open file `bad.xml': includes are not enabled"})
}

func wantError(t *testing.T, err error, want *Error) {
	t.Helper()
	var got *Error
	if !errors.As(err, &got) || *got != *want {
		t.Errorf("error = %v, want %v", err, want)
	}
}

func TestXMLWellFormedness(t *testing.T) {
	tests := []struct{ name, xml, msg string }{
		{"junk after root", "<icegrid/>\n<icegrid/>", "junk after document element"},
		{"text after root", "<icegrid/>\ntext", "junk after document element"},
		{"text before root", "text<icegrid/>", "syntax error"},
		{"duplicate attribute", "<icegrid>\n<application name='a' name='b'/></icegrid>", "duplicate attribute"},
		{"declaration not first", "\n<?xml version='1.0'?><icegrid/>", "XML or text declaration not at start of entity"},
		{"empty", "", "no element found"},
		{"unclosed", "<icegrid><application name='A'>", "no element found"},
		{"unknown encoding", "<?xml version='1.0' encoding='EBCDIC'?><icegrid/>", ""},
	}
	for _, tt := range tests {
		_, err := parseString(t, tt.xml)
		var e *Error
		if !errors.As(err, &e) || (tt.msg != "" && e.Msg != tt.msg) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.msg)
		}
	}
}

func TestEncodings(t *testing.T) {
	for name, data := range map[string]string{
		"bom":    "\xEF\xBB\xBF<icegrid><application name='\u00e9t\u00e9'/></icegrid>",
		"latin1": "<?xml version='1.0' encoding='ISO-8859-1'?><icegrid><application name='\xe9t\xe9'/></icegrid>",
	} {
		app, err := Parse(name, []byte(data))
		if err != nil || app.Name != "été" {
			t.Errorf("%s: Parse = %+v, %v, want application été", name, app, err)
		}
	}
}

func TestAttributeWhitespaceIsNormalized(t *testing.T) {
	app, err := Parse("a.xml", []byte("<icegrid><application name='A'><node name='n'>"+
		"<server id='S' exe='x'><option>a\n b</option><property name='p' value='1\n\t2'/></server></node></application></icegrid>"))
	if err != nil {
		t.Fatal(err)
	}
	s := app.Nodes["n"].Servers[0].Server()
	if got := s.PropertySet.Properties[0].Value; got != "1  2" {
		t.Errorf("attribute value = %q, want %q", got, "1  2")
	}
	if got := s.Options[0]; got != "a\n b" {
		t.Errorf("element text = %q, want %q", got, "a\n b")
	}
}

func TestDistribIsAWarning(t *testing.T) {
	doc, err := parseString(t, `<icegrid><application name="A">
<distrib><directory>d</directory></distrib>
<node name="n"><server id="S" exe="x"><distrib icepatch="P"/></server></node></application></icegrid>`)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != 2 || doc.Warnings[0].Line != 2 || !strings.Contains(doc.Warnings[0].Msg, "IcePatch2") {
		t.Errorf("warnings = %v, want two IcePatch2 warnings", doc.Warnings)
	}
	want := icegrid.DistributionDescriptor{Icepatch: "${application}.IcePatch2/server", Directories: []string{"d"}}
	if got := doc.App.Distrib; got.Icepatch != want.Icepatch || len(got.Directories) != 1 {
		t.Errorf("application distrib = %+v, want %+v", got, want)
	}
}

func TestParseDefaultTemplates(t *testing.T) {
	app, warnings, err := ParseDefaultTemplates("t.xml", []byte(`<icegrid><application name="T">
<description>d</description><variable name="v"/><replica-group id="R"/>
<server-template id="S"><server id="s" exe="x"/></server-template>
<node name="n"/></application></icegrid>`))
	if err != nil {
		t.Fatal(err)
	}
	if app.Name != "" || app.Nodes != nil || app.ReplicaGroups != nil || app.Description != "" ||
		app.Variables != nil || len(app.ServerTemplates) != 1 || len(warnings) != 4 {
		t.Errorf("ParseDefaultTemplates = %+v, warnings %v", app, warnings)
	}
}
