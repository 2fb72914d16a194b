package descriptor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
