package properties

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// demoConfigs are real property files: the ice-demos IceGrid configuration, when the shared
// corpus is present.
var demoConfigs = []string{
	"../../../shared/testdata/ice-demos-python-icegrid-simple/config.grid",
	"../../../shared/testdata/ice-demos-python-icegrid-simple/config.client",
}

// fileSeeds are the golden lines and files of testdata/ice37 (the lines in files of 16, small
// enough for the fuzzer to minimize what it finds quickly), the demo configurations and a
// registry configuration written by hand.
func fileSeeds(f *testing.F) [][]byte {
	f.Helper()
	var lines []goldenLine
	readGolden(f, "lines.json", &lines)
	var seeds [][]byte
	for len(lines) > 0 {
		var chunk []string
		for _, l := range lines[:min(16, len(lines))] {
			chunk = append(chunk, l.Line)
		}
		seeds = append(seeds, []byte(strings.Join(chunk, "\n")))
		lines = lines[len(chunk):]
	}
	var files []struct {
		File string `json:"file"`
	}
	readGolden(f, "files.json", &files)
	for _, g := range files {
		seeds = append(seeds, []byte(g.File))
	}
	for _, path := range demoConfigs {
		if b, err := os.ReadFile(path); err == nil {
			seeds = append(seeds, b)
		}
	}
	return append(seeds, []byte("\ufeff# Registry\r\nIceGrid.InstanceName = Demo\\ Grid\\ \r\n"+
		"IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p 4061 # the locator\n"+
		"IceBox.Service.S=svc:create --Ice.Config='C:\\\\dir\\\\config\\ '\nEscaped\\=Name\\#1 = a\\\\\\#b\n"+
		"IceMX.Metrics.Debug.Reject.parent=Ice\\.Admin\nEmpty=\n\\ \n"))
}

// escape writes s so that parseLine reads it back: '#' escaped, '=' too in a name, a backslash
// doubled before a character it would escape and at the end (before a name's '=', or where a
// lone one would repeat the escaped spaces before it, an Ice quirk), and spaces at the ends of a value escaped.
// (parseLine never returns a name with whitespace at its ends, nor a value with whitespace
// other than escaped spaces there, unless after a backslash, which keeps it.)
func escape(s string, name bool) string {
	var b strings.Builder
	lead := len(s) - len(strings.TrimLeft(s, " "))
	trail := len(strings.TrimRight(s, " "))
	for i := range len(s) {
		switch c := s[i]; {
		case c == '\\' && (i+1 < len(s) && strings.IndexByte(`\\#= `, s[i+1]) >= 0 || i+1 == len(s)),
			c == '#', c == '=' && name, c == ' ' && !name && (i < lead || i >= trail):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// maxFuzzInput bounds the files FuzzLoad reads: lines are independent, and the fuzzer takes
// minutes to minimize a large input (it tries removing each byte).
const maxFuzzInput = 16 << 10

// FuzzLoad reads arbitrary property files. Load must agree with parseLine applied to each line
// (the BOM skipped, lines ending at '\n'): the first line parseLine rejects is the error, by
// number; otherwise the last value of each name wins and empty ones remove it. Every property
// read back must survive being written out escaped and read again, as a file line and as a
// command-line option.
func FuzzLoad(f *testing.F) {
	for _, s := range fileSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		p := New()
		err := p.Load(bytes.NewReader(data))
		want, wantErr := map[string]string{}, ""
		for i, line := range strings.Split(strings.TrimPrefix(string(data), utf8BOM), "\n") {
			if len(line) > maxLine {
				wantErr = "read: "
				break
			}
			name, value, ok, err := parseLine(line)
			if err != nil {
				wantErr = fmt.Sprintf("line %d: ", i+1)
				break
			}
			switch {
			case ok && value != "":
				want[name] = value
			case ok:
				delete(want, name)
			}
		}
		if wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), wantErr) {
				t.Fatalf("Load(%q) = %v, want an error starting %q", data, err, wantErr)
			}
			return
		}
		if err != nil || !maps.Equal(p.m, want) {
			t.Fatalf("Load(%q) = %q, %v; want %q", data, p.m, err, want)
		}
		for name, value := range want {
			line := escape(name, true) + "=" + escape(value, false)
			if n, v, ok, err := parseLine(line); n != name || v != value || !ok || err != nil {
				t.Fatalf("%q=%q written as %q reads back as %q=%q, %v, %v", name, value, line, n, v, ok, err)
			}
			q := New()
			if err := q.setOption("--" + line); err != nil || q.Get(name) != value || len(q.m) != 1 {
				t.Fatalf("%q=%q as option %q reads back as %q, %v", name, value, "--"+line, q.m, err)
			}
		}
	})
}

// FuzzParse reads arbitrary command lines (arguments separated by NUL) over a property file.
// Arguments Parse leaves are returned unchanged and in order; the others are options, which
// override the file as parseLine reads them. Errors are prefixed "properties: ". --Ice.Config
// arguments are replaced by the path of the fuzzed file, so that nothing else is read.
func FuzzParse(f *testing.F) {
	f.Add("--Ice.Trace.Network=1\x00positional\x00--IceGrid.X\\=Y= a\\ \x00--Other.X=1", []byte("IceGrid.X\\=Y=file\n"), false)
	f.Add("--Ice.Trace.Network= 2 # comment\x00--Ice\x00--Ice.\x00--Ice.Q#=1", []byte("Ice.Trace.Network=3"), false)
	f.Add("--A.B\x00--C=d=e\x00--=x\x00-x\x00--", []byte("A.B=0\n"), true)
	f.Add("--Ice.Config\x00--IceGrid.InstanceName=Demo", []byte("IceGrid.InstanceName=File\nIce.Config=x\n"), true)
	cfg := filepath.Join(f.TempDir(), "a.cfg") // not t.TempDir: its name has '#', a comment
	f.Fuzz(func(t *testing.T, line string, file []byte, anyPrefix bool) {
		if len(line)+len(file) > maxFuzzInput {
			return
		}
		if err := os.WriteFile(cfg, file, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--Ice.Config=" + cfg}
		for a := range strings.SplitSeq(line, "\x00") {
			if !strings.HasPrefix(a, "--Ice.Config") {
				args = append(args, a)
			}
		}
		prefixes := IcePrefixes
		if anyPrefix {
			prefixes = nil
		}
		p, rest, err := Parse(args, nil, prefixes)
		want := New()
		if lerr := want.Load(bytes.NewReader(file)); lerr != nil {
			if err == nil || !strings.HasPrefix(err.Error(), "properties: "+cfg+": ") {
				t.Fatalf("Parse over a bad file = %v, want its error %v", err, lerr)
			}
			return
		}
		want.Set("Ice.Config", cfg)
		var wantRest []string
		for _, a := range args[1:] {
			switch {
			case !isOption(a, prefixes):
				wantRest = append(wantRest, a)
			case want.setOption(a) != nil:
				if err == nil || !strings.HasPrefix(err.Error(), "properties: argument ") {
					t.Fatalf("Parse(%q) = %v, want an error about %q", args, err, a)
				}
				return
			}
		}
		if err != nil {
			t.Fatalf("Parse(%q) = %v", args, err)
		}
		if !maps.Equal(p.m, want.m) || strings.Join(rest, "\x00") != strings.Join(wantRest, "\x00") {
			t.Fatalf("Parse(%q) = %q, rest %q; want %q, rest %q", args, p.m, rest, want.m, wantRest)
		}
	})
}
