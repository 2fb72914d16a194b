package descriptor

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDescriptors is the ice-demos corpus (branches 3.7 and main), read in place: it is GPL
// and not copied into the repository.
const sharedDescriptors = "../../../shared/testdata"

// corpusFiles returns every .xml file under dir.
func corpusFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".xml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

func testNode(name string) Node {
	return Node{DataDir: "/var/lib/floe/" + name, Locator: "Grid/Locator:tcp -h 127.0.0.1 -p 4061", OS: "Linux",
		Hostname: "host", Release: "6.1", Version: "#1", Machine: "x86_64"}
}

// TestCorpusExpands checks that every real descriptor of ice-demos parses and expands, and
// that every server gets a configuration.
func TestCorpusExpands(t *testing.T) {
	files := corpusFiles(t, sharedDescriptors)
	if len(files) < 58 {
		t.Fatalf("found %d descriptors under %s, want at least 58", len(files), sharedDescriptors)
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, sharedDescriptors+"/"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ParseDocument(f, data)
			if err != nil {
				t.Fatalf("ParseDocument = %v", err)
			}
			x, err := Expand(doc.App, WithSource(doc.Source), WithNode(testNode))
			if err != nil {
				t.Fatalf("Expand = %v", err)
			}
			if len(x.Servers) == 0 {
				t.Fatalf("Expand gave no servers")
			}
			inst, err := Instantiate(doc.App)
			if err != nil || len(inst.Servers) != len(x.Servers) || inst.Servers[0].Config != nil {
				t.Fatalf("Instantiate = %d servers, %v; want %d servers without configuration", len(inst.Servers), err, len(x.Servers))
			}
			for _, s := range x.Servers {
				if s.Config.NodeErr != nil {
					t.Errorf("server %s: node pass: %v", s.ID, s.Config.NodeErr)
				}
				if len(s.Config.Files) == 0 || s.Config.Files[0].Name != "config" {
					t.Errorf("server %s: files %v, want config first", s.ID, s.Config.Files)
				}
			}
		})
	}
}
