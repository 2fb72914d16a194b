package zk

import (
	"slices"
	"strings"
	"testing"
)

func TestEntryNames(t *testing.T) {
	if got := entryName(42); got != "e-0000000042" {
		t.Errorf("entryName(42) = %q", got)
	}
	for _, n := range []int64{0, 1, 9999999999} {
		if got, ok := entrySeq(entryName(n)); !ok || got != n {
			t.Errorf("entrySeq(entryName(%d)) = %d, %v", n, got, ok)
		}
	}
	for _, bad := range []string{"e-12", "e-+000000001", "e-00000000x1", "c-0000000001", "e--000000001", "", "e-"} {
		if _, ok := entrySeq(bad); ok {
			t.Errorf("entrySeq(%q) accepted", bad)
		}
	}
	got := entries([]string{"e-0000000003", "junk", "e-0000000001", "k+x-0000000002", "e-0000000010"})
	if !slices.Equal(got, []int64{1, 3, 10}) {
		t.Errorf("entries = %v, want [1 3 10]", got)
	}
	for in, want := range map[string]int64{"": 0, "17": 17, "-3": 0, "x": 0, "9223372036854775808": 0} {
		if got := parseLow([]byte(in)); got != want {
			t.Errorf("parseLow(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestEntryRoundTrip(t *testing.T) {
	s := &Store{paths: newPaths("/G")}
	s.paths.myLog = "/G/Changes/r1"
	batch := []*write{{path: "/G/Adapters/a%2Fb", data: []byte(`{"id":"a/b"}`)}, {path: "/G/Objects/o"}, {path: "/G/Adapters/e", data: []byte{}}}
	got, err := s.parseEntry(s.entryContent(batch))
	want := []logChange{{path: "/G/Adapters/a%2Fb", data: []byte(`{"id":"a/b"}`)}, {path: "/G/Objects/o", deleted: true}, {path: "/G/Adapters/e", data: []byte{}}}
	if err != nil || len(got) != len(want) {
		t.Fatalf("parseEntry(entry) = %v, %v; want %v", got, err, want)
	}
	for i := range want {
		if got[i].path != want[i].path || got[i].deleted != want[i].deleted || string(got[i].data) != string(want[i].data) {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A malformed entry gives the changes before the damage and an error.
	content := s.entryContent(batch[:2])
	for _, bad := range [][]byte{append(slices.Clone(content), '*'), append(slices.Clone(content), '+', 5, 'x'), append(slices.Clone(content), '-', 0)} {
		got, err := s.parseEntry(bad)
		if err == nil || len(got) != 2 {
			t.Errorf("parseEntry(%q) = %d changes, %v; want 2 and an error", bad, len(got), err)
		}
	}
	if got := s.entryPath(7); got != "/G/Changes/r1/e-0000000007" {
		t.Errorf("entryPath(7) = %q", got)
	}
}

// TestApplied: versions of one key learned out of order keep the newest.
func TestApplied(t *testing.T) {
	var a applied
	c := func(v string) logChange { return logChange{path: "/G/Adapters/k", data: []byte(v)} }
	if !a.offer(c("v10"), 10) {
		t.Fatal("first version refused")
	}
	if a.offer(c("v5"), 5) {
		t.Error("an older version from another log was accepted")
	}
	if p, ok := a.take("/G/Adapters/k"); !ok || string(p.data) != "v10" {
		t.Errorf("take = %+v, %v; want v10", p, ok)
	}
	if _, ok := a.take("/G/Adapters/k"); ok {
		t.Error("a version was taken twice")
	}
	// This replica's own write at 20 supersedes a pending version at 15 from a peer.
	a.offer(c("v15"), 15)
	a.seen("/G/Adapters/k", 20)
	if p, ok := a.take("/G/Adapters/k"); ok {
		t.Errorf("a version older than this replica's own write is pending: %+v", p)
	}
	if a.offer(c("v18"), 18) || !a.offer(c("v21"), 21) {
		t.Error("offers around an own write misordered")
	}
	// A read that found the record missing counts as the newest zxid seen.
	a.seen("/G/Adapters/k", 0)
	if _, ok := a.take("/G/Adapters/k"); ok {
		t.Error("a read did not supersede a pending version no newer than what was seen")
	}
	if a.offer(c("v21again"), 21) {
		t.Error("a version no newer than a read was accepted")
	}
	a.offer(logChange{path: "/G/Adapters/x"}, 30)
	a.clear()
	if _, ok := a.take("/G/Adapters/x"); ok {
		t.Error("clear left a pending version")
	}
}

// FuzzChangeLog feeds log entry names, contents and low-water marks, which any ZooKeeper
// client could write, to the reader's decoders: they must never panic, what they return must
// name a path under the root, and what decodes re-encodes to the same bytes.
func FuzzChangeLog(f *testing.F) {
	s := &Store{paths: newPaths("/G")}
	f.Add("e-0000000001", s.entryContent([]*write{{path: "/G/Adapters/a", data: []byte("{}")}, {path: "/G/Objects/o"}}))
	f.Add("e-000000000x", []byte("garbage"))
	f.Add("k-", []byte(nil))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		cs, err := s.parseEntry(data)
		batch := make([]*write, len(cs))
		for i, c := range cs {
			if !strings.HasPrefix(c.path, "/G/") {
				t.Fatalf("change %q outside the root", c.path)
			}
			batch[i] = &write{path: c.path, data: c.data}
			if !c.deleted && c.data == nil {
				batch[i].data = []byte{}
			}
		}
		if err == nil && string(s.entryContent(batch)) != string(data) {
			t.Fatalf("parseEntry(%q) re-encodes to %q", data, s.entryContent(batch))
		}
		if n, ok := entrySeq(name); ok && (n < 0 || entryName(n) != name) {
			t.Fatalf("entrySeq(%q) = %d, which names %q", name, n, entryName(n))
		}
		if parseLow(data) < 0 {
			t.Fatalf("parseLow(%q) < 0", data)
		}
		entries([]string{name, "e-0000000001"})
	})
}
