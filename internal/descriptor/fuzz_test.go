package descriptor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"floe/ice/properties"
)

// FuzzParse feeds arbitrary bytes to the XML front end, then expands what parses: neither may
// panic, errors must be located *Errors, and expanding twice must give the same result.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.xml")
	seeds = append(seeds, corpusSeeds(f)...)
	for _, path := range seeds {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`<icegrid><application name="A"><node name="n"><server id="${x}" exe="$$${y}"/></node></application></icegrid>`))
	f.Add([]byte(`<icegrid><target name="t"><target name="u"/></target></icegrid>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument("fuzz.xml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.xml" || e.Line < 1 || e.Msg == "" {
				t.Fatalf("ParseDocument error %#v is not a located *Error", err)
			}
			return
		}
		x1, err1 := Expand(doc.App, WithSource(doc.Source), WithNode(testNode))
		x2, err2 := Expand(doc.App, WithSource(doc.Source), WithNode(testNode))
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Expand is not deterministic: %v, then %v", err1, err2)
		}
		if err1 != nil {
			var e *Error
			if !errors.As(err1, &e) || e.Msg == "" || err1.Error() != err2.Error() {
				t.Fatalf("Expand errors %v, %v", err1, err2)
			}
			return
		}
		if d1, d2 := dump(doc, x1), dump(doc, x2); d1 != d2 {
			t.Fatalf("Expand is not deterministic:\n%s\n----\n%s", d1, d2)
		}
	})
}

// corpusSeeds returns the ice-demos descriptors, when the shared corpus is present.
func corpusSeeds(f *testing.F) []string {
	f.Helper()
	if _, err := os.Stat(sharedDescriptors); err != nil {
		return nil
	}
	return corpusFiles(f, sharedDescriptors)
}

// FuzzEscapeProperty writes a property as a node's configuration file does (escapeProperty on
// the name and value, as IceGrid's) and reads it back with Ice's rules: servers must get the
// descriptor's name and value. Skipped are what IceGrid's escaping cannot write, copied as is
// so that Floe's files are icegridnode's: line breaks, whitespace at the ends of a name or tabs
// among the blanks at the ends of a value (Ice drops them), a backslash before a space that is not escaped, before
// '=' in a value or at the end of a name (Ice reads an escape), and a value of spaces and one backslash (Ice repeats
// escaped spaces before a final backslash).
func FuzzEscapeProperty(f *testing.F) {
	for _, s := range [][2]string{
		{"Ice.Admin.Endpoints", "tcp -h localhost"}, {"a=b", "c=d"}, {"#x", "#y"}, {`c:\dir`, `c:\#`},
		{`\\server`, `\\server`}, {"k", "  x  "}, {"k", "   "}, {"k", `a\`}, {"k", `a\ `}, {"a b", "a b"},
		{"IceBox.Service.S", `svc:create --Ice.Config='C:\config dir\x'`}, {"k", "\tv"}, {"k", ` \`}, {"k", `\=`}, {"k", " \t0"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		const ice = " \t\r\n"
		if name == "" || strings.ContainsAny(name+value, "\r\n") || strings.Trim(name, ice) != name ||
			edgeTab(value) || strings.Contains(name+"\x00"+value, `\ `) || strings.Contains(value, `\=`) ||
			strings.HasSuffix(name, `\`) || strings.Trim(value, " ") == `\` {
			return
		}
		line := escapeProperty(name, true) + "=" + escapeProperty(value, false)
		p := properties.New()
		if err := p.Load(strings.NewReader(line)); err != nil || p.Get(name) != value || len(p.Names()) != min(len(value), 1) {
			t.Fatalf("%q=%q written as %q reads back as %q, %v", name, value, line, p.Names(), err)
		}
	})
}

// edgeTab reports whether a tab is among the spaces and tabs that start or end s.
func edgeTab(s string) bool {
	lead := s[:len(s)-len(strings.TrimLeft(s, " \t"))]
	trail := s[len(strings.TrimRight(s, " \t")):]
	return strings.Contains(lead+trail, "\t")
}
