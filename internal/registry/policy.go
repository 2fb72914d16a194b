package registry

import (
	"cmp"
	"slices"
	"sync/atomic"
)

// PolicyType is a replica group's load-balancing type (reference/icegrid.md §1.1.4).
type PolicyType uint8

// The load-balancing types.
const (
	Random PolicyType = iota
	Ordered
	RoundRobin
	Adaptive
)

// Policy orders a replica group's members for a locate request.
type Policy struct {
	Type PolicyType
	// NReplicas is how many members a locate request returns; 0 means all.
	NReplicas int
	// Priority gives each member's priority for Ordered (lower first; missing = 0).
	Priority map[string]int
	// LoadSample is the load average Adaptive compares: 1, 5 or 15 (minutes).
	LoadSample int
	// next is the round-robin position, per replica (IceGrid does not share it either).
	next *atomic.Uint64
}

// order returns up to NReplicas of members in policy order; members is not modified. intn is
// the random source (rand.IntN in production); load gives a member's load for Adaptive
// (AdapterCache.cpp: shuffle, then sort by load, so that equal loads come in random order).
func (p Policy) order(members []string, intn func(int) int, load func(member string) float32) []string {
	out := slices.Clone(members)
	switch p.Type {
	case Ordered:
		slices.SortStableFunc(out, func(a, b string) int { return p.Priority[a] - p.Priority[b] })
	case RoundRobin:
		if len(out) > 0 && p.next != nil {
			start := int(p.next.Add(1)-1) % len(out)
			out = append(out[start:], out[:start]...)
		}
	case Adaptive:
		shuffle(out, intn)
		loads := make(map[string]float32, len(out)) // one snapshot: loads change while sorting
		for _, m := range out {
			loads[m] = load(m)
		}
		slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(loads[a], loads[b]) })
	default: // Random
		shuffle(out, intn)
	}
	if p.NReplicas > 0 && p.NReplicas < len(out) {
		out = out[:p.NReplicas]
	}
	return out
}

// shuffle is Fisher-Yates with the random source intn.
func shuffle(s []string, intn func(int) int) {
	for i := len(s) - 1; i > 0; i-- {
		j := intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}
