package zk

import (
	"slices"
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
	got := s.parseEntry(s.entry(batch))
	want := []logChange{{path: "/G/Adapters/a%2Fb"}, {path: "/G/Objects/o", deleted: true}}
	if !slices.Equal(got, want) {
		t.Errorf("parseEntry(entry) = %v, want %v", got, want)
	}
	if got := s.parseEntry([]byte("garbage\n\n+\n*x\n-Objects/p")); !slices.Equal(got, []logChange{{path: "/G/Objects/p", deleted: true}}) {
		t.Errorf("parseEntry(garbage) = %v", got)
	}
}
