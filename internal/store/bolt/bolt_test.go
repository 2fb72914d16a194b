package bolt_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"floe/internal/store"
	"floe/internal/store/bolt"
	"floe/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	open := func(t *testing.T) store.Store {
		t.Helper()
		s, err := bolt.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	storetest.Run(t, open, open)
}

func TestOpenRefusesForeignData(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"garbage file", func(t *testing.T, dir string) {
			t.Helper()
			writeFile(t, filepath.Join(dir, bolt.FileName), strings.Repeat("not a database ", 500))
		}, "open"},
		{"icegrid lmdb", func(t *testing.T, dir string) {
			t.Helper()
			writeFile(t, filepath.Join(dir, "data.mdb"), "lmdb")
		}, "IceGrid LMDB"},
		{"other bbolt database", func(t *testing.T, dir string) {
			t.Helper()
			db, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err })
			_ = db.Close()
		}, "did not create"},
		{"corrupt record", func(t *testing.T, dir string) {
			t.Helper()
			s, err := bolt.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			db, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("adapters")).Put([]byte("X"), []byte("{bad")) })
			_ = db.Close()
		}, `adapter "X"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			s, err := bolt.Open(dir)
			if err == nil {
				_, err = s.Load(t.Context())
				_ = s.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open/Load = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
