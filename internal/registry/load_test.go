package registry

import "testing"

func TestNodeLoad(t *testing.T) {
	info := LoadInfo{Avg1: 1, Avg5: 2, Avg15: 4, NProcessors: 4}
	tests := []struct {
		name      string
		info      LoadInfo
		reachable bool
		factor    float32
		sample    int
		want      float32
	}{
		{"1 min, default factor 1/processors", info, true, -1, 1, 0.25},
		{"5 min", info, true, -1, 5, 0.5},
		{"15 min", info, true, -1, 15, 1},
		{"descriptor load-factor", info, true, 0.5, 15, 2},
		{"no processor count", LoadInfo{Avg1: 3}, true, -1, 1, 3},
		{"no load average", LoadInfo{Avg1: -1, NProcessors: 2}, true, -1, 1, unknownLoad},
		{"unreachable node", info, false, -1, 1, unreachableLoad},
	}
	for _, tt := range tests {
		if got := nodeLoad(tt.info, tt.reachable, tt.factor, tt.sample); got != tt.want {
			t.Errorf("%s: nodeLoad(%+v, %v, %v, %d) = %v, want %v", tt.name, tt.info, tt.reachable, tt.factor, tt.sample, got, tt.want)
		}
	}
}

func TestParseLoadFactorAndSample(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float32
	}{{"", -1}, {"0.5", 0.5}, {" 2\t", 2}, {"x", -1}, {"-3", -1}} {
		in, want := tt.in, tt.want
		if got := parseLoadFactor(in); got != want {
			t.Errorf("parseLoadFactor(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]int{"1": 1, "5": 5, "15": 15, "": 1, "10": 1} {
		if got := loadSample(in); got != want {
			t.Errorf("loadSample(%q) = %v, want %v", in, got, want)
		}
	}
}
