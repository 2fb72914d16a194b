package properties_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"floe/ice/properties"
)

func TestLoad(t *testing.T) {
	in := `# comment
IceGrid.InstanceName=DemoIceGrid
  Spaced.Name  =  value with spaces  
Escaped\=Name=a\#b # trailing comment
Empty.Value=
Hash.In.Value=x#y
Backslash=C:\\dir
Trailing.Escaped=v\ 
`
	p := properties.New()
	p.Set("Empty.Value", "was set")
	if err := p.Load(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"IceGrid.InstanceName": "DemoIceGrid",
		"Spaced.Name":          "value with spaces",
		"Escaped=Name":         "a#b",
		"Hash.In.Value":        "x",
		"Backslash":            `C:\dir`,
		"Trailing.Escaped":     "v ", // an escaped space at the end of a value is kept
	}
	for k, v := range want {
		if got := p.Get(k); got != v {
			t.Errorf("Get(%q) = %q, want %q", k, got, v)
		}
	}
	if p.Has("Empty.Value") {
		t.Error("an empty value did not remove the property")
	}
}

func TestLoadErrors(t *testing.T) {
	for _, in := range []string{"no equals sign\n", "=value\n", "ok=1\n  \nbad line\n"} {
		err := properties.New().Load(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("Load(%q) = %v, want an error with a line number", in, err)
		}
	}
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "a.cfg")
	if err := os.WriteFile(cfg, []byte("A.B=file\nC.D=file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(string) string { return "" }
	p, rest, err := properties.Parse([]string{"--Ice.Config=" + cfg, "--C.D=arg", "--Ice.Trace.Network", "positional", "--Other.X=1"},
		env, properties.IcePrefixes)
	if err != nil {
		t.Fatal(err)
	}
	if p.Get("A.B") != "file" || p.Get("Ice.Trace.Network") != "1" {
		t.Errorf("Parse: A.B=%q Ice.Trace.Network=%q", p.Get("A.B"), p.Get("Ice.Trace.Network"))
	}
	// C.D is not an Ice prefix: left to the application, the file value stays.
	if p.Get("C.D") != "file" || !slices.Equal(rest, []string{"--C.D=arg", "positional", "--Other.X=1"}) {
		t.Errorf("Parse: C.D=%q rest=%q", p.Get("C.D"), rest)
	}
	// With no prefix filter every --Name=Value is taken and overrides the file.
	p, rest, _ = properties.Parse([]string{"--Ice.Config=" + cfg, "--C.D=arg"}, env, nil)
	if p.Get("C.D") != "arg" || len(rest) != 0 {
		t.Errorf("Parse(nil prefixes): C.D=%q rest=%q", p.Get("C.D"), rest)
	}
	// ICE_CONFIG is read when no --Ice.Config is given.
	p, _, _ = properties.Parse(nil, func(k string) string {
		if k == "ICE_CONFIG" {
			return cfg
		}
		return ""
	}, nil)
	if p.Get("A.B") != "file" {
		t.Errorf("ICE_CONFIG not read: A.B=%q", p.Get("A.B"))
	}
	if _, _, err := properties.Parse([]string{"--Ice.Config=" + filepath.Join(dir, "missing")}, env, nil); err == nil {
		t.Error("a missing config file is not an error")
	}
}

// TestParseIceConfig: --Ice.Config as Ice 3.7 reads it: the last argument wins, its value is a
// property line (comments, trimmed), the list takes quotes and skips empty elements, and a bare
// --Ice.Config means ICE_CONFIG.
func TestParseIceConfig(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"a,b.cfg": "A=1\n", "c.cfg": "C=3\n", "d.cfg": "D=4\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a, c, d := filepath.Join(dir, "a,b.cfg"), filepath.Join(dir, "c.cfg"), filepath.Join(dir, "d.cfg")
	env := func(k string) string {
		if k == "ICE_CONFIG" {
			return d
		}
		return ""
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--Ice.Config='" + a + "', " + c + ",, # comment"}, []string{"A", "C"}},
		{[]string{"--Ice.Config=" + c, "--Ice.Config=" + d}, []string{"D"}},
		{[]string{"--Ice.Config"}, []string{"D"}},
		{[]string{"--Ice.Config="}, []string{"D"}},
		{nil, []string{"D"}},
	} {
		p, _, err := properties.Parse(tt.args, env, nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.args, err)
			continue
		}
		var got []string
		for _, n := range p.Names() {
			if n != "Ice.Config" {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q) loaded %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestParseArgumentErrors(t *testing.T) {
	for _, a := range []string{"--=x", "--Ice.Q#=1", "--Ice.Config#=x"} {
		if _, _, err := properties.Parse([]string{a}, nil, nil); err == nil || !strings.Contains(err.Error(), "argument") {
			t.Errorf("Parse(%q) = %v, want an error naming the argument", a, err)
		}
	}
}

func TestLoadLongLine(t *testing.T) {
	err := properties.New().Load(strings.NewReader("A=" + strings.Repeat("x", 2<<20) + "\n"))
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("Load(2 MiB line) = %v, want a too long error", err)
	}
}
