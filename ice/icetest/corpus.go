package icetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// SyncCorpus keeps named []byte seeds in the committed seed corpus of a fuzz target,
// testdata/fuzz/<target>/<file name>: with update it (re)writes them, otherwise it reports each
// one that is missing or stale, with rerun telling how to rewrite them.
func SyncCorpus(t *testing.T, target string, seeds map[string][]byte, update bool, rerun string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	for name, b := range seeds {
		path := filepath.Join(dir, name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("seed %s is missing or stale; run %s", path, rerun)
		}
	}
}
