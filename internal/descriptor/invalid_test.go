package descriptor

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// wantErrorRE reads the first line of an invalid descriptor: <!-- error: LINE: MESSAGE -->.
var wantErrorRE = regexp.MustCompile(`^<!-- error: (\d+): (.*) -->\n`)

// load parses and expands a file the way the tests and icegridadmin do.
func load(t *testing.T, path string) (*Expanded, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseDocument(path, data, ReadFile(os.ReadFile))
	if err != nil {
		return nil, err
	}
	return Expand(doc.App, WithSource(doc.Source), WithNode(testNode))
}

// TestInvalidDescriptors checks each descriptor of testdata/invalid (one fault each; the same
// files are checked against IceGrid by test/descriptors) is rejected at the expected line.
func TestInvalidDescriptors(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.xml")
	if len(files) < 20 {
		t.Fatalf("found %d invalid descriptors, want at least 20", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, _ := os.ReadFile(f)
			m := wantErrorRE.FindSubmatch(data)
			if m == nil {
				t.Fatalf("%s does not start with <!-- error: LINE: MESSAGE -->", f)
			}
			line, _ := strconv.Atoi(string(m[1]))
			want := &Error{File: f, Line: line, Msg: string(m[2])}
			_, err := load(t, f)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("load(%s) = %v, want %v", f, err, want)
			}
			if *got != *want {
				t.Errorf("load(%s) = %v, want %v", f, got, want)
			}
		})
	}
}
