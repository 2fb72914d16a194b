package e2e

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalise(t *testing.T) {
	e := &env{names: map[int]string{4061: "$CLIENT", 40935: "$S1"}}
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any
	}{
		{"known ports become names",
			map[string]any{"proxy": "DiffGrid/Locator -t -e 1.1:tcp -h 127.0.0.1 -p 4061 -t 60000"},
			map[string]any{"proxy": "DiffGrid/Locator -t -e 1.1:tcp -h 127.0.0.1 -p $CLIENT -t 60000"}},
		{"unknown ports become ?",
			map[string]any{"endpoints": []any{"tcp -h 127.0.0.1 -p 5 -t 60000"}},
			map[string]any{"endpoints": []any{"tcp -h 127.0.0.1 -p ? -t 60000"}}},
		{"lists are sorted after renaming",
			map[string]any{"endpoints": []any{"tcp -p 4061", "tcp -p 40935"}},
			map[string]any{"endpoints": []any{"tcp -p $CLIENT", "tcp -p $S1"}}},
		{"lists under *InOrder keep their order",
			map[string]any{"endpointsInOrder": []any{"tcp -p 40935", "tcp -p 4061"}},
			map[string]any{"endpointsInOrder": []any{"tcp -p $S1", "tcp -p $CLIENT"}}},
		{"other values are kept",
			map[string]any{"null": true, "acmTimeout": float64(30), "ids": map[string]any{"x": "-t"}},
			map[string]any{"null": true, "acmTimeout": float64(30), "ids": map[string]any{"x": "-t"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normaliseValue(e, tt.in); !cmp.Equal(got, tt.want) {
				t.Errorf("normaliseValue(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestCompareRuns checks that an intentional difference is reported with the step it happened
// in and both observations; run with -v to read a sample report.
func TestCompareRuns(t *testing.T) {
	ref := []step{
		{Name: "locate-adapter A1", Result: map[string]any{"endpoints": []any{"tcp -h 127.0.0.1 -p $S1 -t 60000"}}},
		{Name: "locate-adapter nosuch", Result: map[string]any{"exception": "::Ice::AdapterNotFoundException"}},
	}
	differs := []step{ref[0], {Name: "locate-adapter nosuch", Result: map[string]any{"null": true}}}
	tests := []struct {
		name  string
		runs  [][]step
		wants []string // substrings of the one report (cmp's exact layout is not stable); nil: none
	}{
		{"equal", [][]step{ref, ref}, nil},
		{"failed target skipped", [][]step{ref, nil}, nil},
		{"difference", [][]step{ref, differs}, []string{
			"icegrid and floe observed differently (-icegrid +floe)",
			`"locate-adapter nosuch"`,
			`"::Ice::AdapterNotFoundException"`,
			`"null"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports := compareRuns([]string{"icegrid", "floe"}, tt.runs)
			if len(reports) != min(len(tt.wants), 1) {
				t.Fatalf("compareRuns() = %d reports %q, want %d", len(reports), reports, min(len(tt.wants), 1))
			}
			for _, want := range tt.wants {
				if !strings.Contains(reports[0], want) {
					t.Errorf("compareRuns() report lacks %q:\n%s", want, reports[0])
				}
			}
			if len(reports) > 0 {
				t.Logf("sample report:\n%s", reports[0])
			}
		})
	}
}
