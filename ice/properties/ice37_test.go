package properties

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The golden files of testdata/ice37 are what the real Ice 3.7.8 made of property lines, files
// and command lines (gen.py). Where Ice warns about an invalid entry and skips it, Floe must
// report an error.

func readGolden(tb testing.TB, name string, v any) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ice37", name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

type goldenLine struct {
	Line    string            `json:"line"`
	Invalid bool              `json:"invalid"`
	Props   map[string]string `json:"props"`
}

func TestParseLineIce37(t *testing.T) {
	var lines []goldenLine
	readGolden(t, "lines.json", &lines)
	for _, g := range lines {
		name, value, ok, err := parseLine(g.Line)
		got := map[string]string{}
		if ok && value != "" {
			got[name] = value
		}
		if (err != nil) != g.Invalid || !maps.Equal(got, g.Props) {
			t.Errorf("parseLine(%q) = %q, %q, %v, %v; Ice 3.7: %q, invalid %v", g.Line, name, value, ok, err, g.Props, g.Invalid)
		}
	}
}

func TestLoadIce37(t *testing.T) {
	var files []struct {
		File    string            `json:"file"`
		Invalid int               `json:"invalid"`
		Props   map[string]string `json:"props"`
	}
	readGolden(t, "files.json", &files)
	for _, g := range files {
		p := New()
		err := p.Load(strings.NewReader(g.File))
		if (err != nil) != (g.Invalid > 0) || !maps.Equal(p.m, g.Props) {
			t.Errorf("Load(%q) = %q, %v; Ice 3.7: %q, %d invalid", g.File, p.m, err, g.Props, g.Invalid)
		}
	}
}

func TestParseIce37(t *testing.T) {
	var cmds []struct {
		Args    []string          `json:"args"`
		Rest    []string          `json:"rest"`
		Invalid int               `json:"invalid"`
		Props   map[string]string `json:"props"`
	}
	readGolden(t, "args.json", &cmds)
	for _, g := range cmds {
		p, rest, err := Parse(g.Args, func(string) string { return "" }, IcePrefixes)
		if g.Invalid > 0 {
			if err == nil {
				t.Errorf("Parse(%q) = %q, want an error (Ice 3.7 warns)", g.Args, p.m)
			}
			continue
		}
		if err != nil || !maps.Equal(p.m, g.Props) || !slices.Equal(rest, g.Rest) && len(rest)+len(g.Rest) > 0 {
			t.Errorf("Parse(%q) = %q, rest %q, %v; Ice 3.7: %q, rest %q", g.Args, p.m, rest, err, g.Props, g.Rest)
		}
	}
}
