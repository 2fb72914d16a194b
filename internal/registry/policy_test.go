package registry

import (
	"slices"
	"sync/atomic"
	"testing"
)

func TestPolicyOrder(t *testing.T) {
	members := []string{"a", "b", "c"}
	noShuffle := func(n int) int { return n - 1 } // Fisher-Yates with j = i keeps the order
	tests := []struct {
		name   string
		policy Policy
		calls  int
		want   [][]string
	}{
		{"random all", Policy{Type: Random}, 1, [][]string{{"a", "b", "c"}}},
		{"random n=1", Policy{Type: Random, NReplicas: 1}, 1, [][]string{{"a"}}},
		{"ordered by priority", Policy{Type: Ordered, Priority: map[string]int{"a": 2, "b": 0, "c": 1}}, 1,
			[][]string{{"b", "c", "a"}}},
		{"round robin", Policy{Type: RoundRobin, NReplicas: 2, next: new(atomic.Uint64)}, 4,
			[][]string{{"a", "b"}, {"b", "c"}, {"c", "a"}, {"a", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.calls {
				got := tt.policy.order(members, noShuffle, nil)
				if !slices.Equal(got, tt.want[i]) {
					t.Errorf("call %d: order = %v, want %v", i, got, tt.want[i])
				}
			}
			if !slices.Equal(members, []string{"a", "b", "c"}) {
				t.Errorf("order modified its input: %v", members)
			}
		})
	}
}

// TestPolicyOrderAdaptive: adaptive sorts by load; equal loads keep the shuffled order.
func TestPolicyOrderAdaptive(t *testing.T) {
	loads := map[string]float32{"a": 0.5, "b": 0.1, "c": 0.5, "d": 999.9}
	load := func(m string) float32 { return loads[m] }
	noShuffle := func(n int) int { return n - 1 }
	reverse := func(int) int { return 0 } // Fisher-Yates with j = 0 rotates; a different shuffle
	members := []string{"a", "b", "c", "d"}
	if got, want := (Policy{Type: Adaptive}).order(members, noShuffle, load), []string{"b", "a", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("adaptive order = %v, want %v", got, want)
	}
	got := (Policy{Type: Adaptive, NReplicas: 2}).order(members, reverse, load)
	if len(got) != 2 || got[0] != "b" || (got[1] != "a" && got[1] != "c") {
		t.Errorf("adaptive order, 2 replicas = %v, want b then a or c", got)
	}
}
