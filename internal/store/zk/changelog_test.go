package zk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNewEntries(t *testing.T) {
	tests := []struct {
		names []string
		last  int64
		fresh []string
		gap   bool
	}{
		{nil, -1, nil, false},
		{[]string{"c-0000000000"}, -1, []string{"c-0000000000"}, false}, // ZooKeeper's first entry is 0
		{[]string{"c-0000000000", "c-0000000001"}, 0, []string{"c-0000000001"}, false},
		{[]string{"c-0000000003", "c-0000000001", "junk", "c-0000000002"}, -1, []string{"c-0000000001", "c-0000000002", "c-0000000003"}, false},
		{[]string{"c-0000000003", "c-0000000001", "c-0000000002"}, 2, []string{"c-0000000003"}, false},
		{[]string{"c-0000000003"}, 3, nil, false},
		// The last entry read was trimmed away and later ones remain: some may be lost.
		{[]string{"c-0000000010", "c-0000000011"}, 5, []string{"c-0000000010", "c-0000000011"}, true},
		// Older entries remain: nothing newer than last was trimmed.
		{[]string{"c-0000000004", "c-0000000006"}, 5, []string{"c-0000000006"}, false},
		{[]string{"c-0000000005", "c-0000000009"}, 5, []string{"c-0000000009"}, false},
		{[]string{"c-x", "c--3", "d-0000000001"}, -1, nil, false},
	}
	for _, tt := range tests {
		fresh, gap := newEntries(tt.names, tt.last)
		if !slices.Equal(fresh, tt.fresh) || gap != tt.gap {
			t.Errorf("newEntries(%v, %d) = %v, %v; want %v, %v", tt.names, tt.last, fresh, gap, tt.fresh, tt.gap)
		}
	}
	if got := lastSeq([]string{"c-0000000002", "c-0000000010", "x"}); got != 10 {
		t.Errorf("lastSeq = %d, want 10", got)
	}
	if got := lastSeq(nil); got != -1 {
		t.Errorf("lastSeq(nil) = %d, want -1", got)
	}
}

func TestEntryRoundTrip(t *testing.T) {
	s := &Store{paths: newPaths("/G")}
	batch := []*write{{path: "/G/Adapters/a%2Fb", data: []byte("{}")}, {path: "/G/Objects/o"}}
	got := s.parseEntry(entryContent(s.entryLines(batch)))
	want := []logChange{{path: "/G/Adapters/a%2Fb"}, {path: "/G/Objects/o", deleted: true}}
	if !slices.Equal(got, want) {
		t.Errorf("parseEntry(entry) = %v, want %v", got, want)
	}
	if got := s.parseEntry([]byte("garbage\n\n+\n*x\n-Objects/p")); !slices.Equal(got, []logChange{{path: "/G/Objects/p", deleted: true}}) {
		t.Errorf("parseEntry(garbage) = %v", got)
	}
}

func TestInlineEntries(t *testing.T) {
	s := &Store{paths: newPaths("/G")}
	s.paths.myLog = "/G/Changes/r1"
	batch := []*write{{path: "/G/Adapters/a%2Fb,c-d", data: []byte("{}")}, {path: "/G/Objects/o%20x"}}
	prefix, data := s.entryPath(batch)
	if data != nil || !strings.HasPrefix(prefix, "/G/Changes/r1/k") || !strings.HasSuffix(prefix, "-") {
		t.Fatalf("entryPath(small batch) = %q, %q; want the changes in the name", prefix, data)
	}
	name := strings.TrimPrefix(prefix, "/G/Changes/r1/") + "0000000042" // as ZooKeeper names it
	if seq, ok := entrySeq(name); !ok || seq != 42 {
		t.Errorf("entrySeq(%q) = %d, %v", name, seq, ok)
	}
	got, ok := s.inlineChanges(name)
	want := []logChange{{path: "/G/Adapters/a%2Fb,c-d"}, {path: "/G/Objects/o%20x", deleted: true}}
	if !ok || !slices.Equal(got, want) {
		t.Errorf("inlineChanges(%q) = %v, %v; want %v", name, got, ok, want)
	}
	var big []*write
	for i := range 40 {
		big = append(big, &write{path: fmt.Sprintf("/G/Adapters/adapter-number-%d", i), data: []byte("{}")})
	}
	if prefix, data := s.entryPath(big); prefix != "/G/Changes/r1/c-" || len(data) == 0 {
		t.Errorf("entryPath(big batch) = %q, %d bytes; want the changes in the content", prefix, len(data))
	}
	if _, ok := s.inlineChanges("c-0000000001"); ok {
		t.Error("inlineChanges of a content entry: ok")
	}
	for _, bad := range []string{"k%zz-0000000001", "k-0000000001", "kx,,y-0000000003"} {
		if _, ok := s.inlineChanges(bad); !ok {
			t.Errorf("inlineChanges(%q): not ok", bad)
		}
	}
	if _, ok := entrySeq("k-12"); ok {
		t.Error("entrySeq accepted a short sequence")
	}
}

// FuzzChangeLog feeds log entry names and contents, which any ZooKeeper client could write,
// to the reader's decoders: they must never panic, and what they return must name a path
// under the root.
func FuzzChangeLog(f *testing.F) {
	f.Add("k%2BAdapters%2Fa,-Objects%2Fo-0000000001", []byte("+Adapters/a\n-Objects/o\n"))
	f.Add("c-0000000007", []byte("garbage"))
	f.Add("k-", []byte(nil))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		s := &Store{paths: newPaths("/G")}
		cs, _ := s.inlineChanges(name)
		cs = append(cs, s.parseEntry(data)...)
		for _, c := range cs {
			if !strings.HasPrefix(c.path, "/G/") {
				t.Fatalf("change %q outside the root", c.path)
			}
		}
		entrySeq(name)
		newEntries([]string{name, "c-0000000001"}, 0)
	})
}
