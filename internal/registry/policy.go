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

// order returns up to NReplicas of members in policy order, advancing a round robin; members is
// not modified. intn is the random source (rand.IntN in production); load gives a member's load
// for Adaptive.
func (p Policy) order(members []string, intn func(int) int, load func(member string) float32) []string {
	out := p.sequence(members, intn, true, load)
	return out[:p.count(len(out))]
}

// sequence returns every member in policy order (IceGrid's ReplicaGroupEntry::
// getLocatorAdapterInfo): by ascending priority for Ordered, keeping the members' order among
// equal priorities; rotated by one more position per lookup for RoundRobin when advance is set
// (without it, the rotation the next lookup would use); for Adaptive shuffled, then sorted by
// load (AdapterCache.cpp, so that equal loads come in random order); shuffled otherwise.
// members is not modified.
func (p Policy) sequence(members []string, intn func(int) int, advance bool, load func(member string) float32) []string {
	out := slices.Clone(members)
	switch p.Type {
	case Ordered:
		slices.SortStableFunc(out, func(a, b string) int { return p.Priority[a] - p.Priority[b] })
	case RoundRobin:
		if len(out) > 0 && p.next != nil {
			pos := p.next.Load()
			if advance {
				pos = p.next.Add(1) - 1
			}
			start := int(pos % uint64(len(out)))
			out = append(out[start:], out[:start]...)
		}
	case Adaptive:
		shuffle(out, intn)
		if load == nil {
			break
		}
		loads := make(map[string]float32, len(out)) // one snapshot: loads change while sorting
		for _, m := range out {
			loads[m] = load(m)
		}
		slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(loads[a], loads[b]) })
	default: // Random
		shuffle(out, intn)
	}
	return out
}

// count is how many of n members a lookup returns: NReplicas, or all of them when it is 0.
func (p Policy) count(n int) int {
	if p.NReplicas > 0 && p.NReplicas < n {
		return p.NReplicas
	}
	return n
}

// shuffle is Fisher-Yates with the random source intn.
func shuffle(s []string, intn func(int) int) {
	for i := len(s) - 1; i > 0; i-- {
		j := intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}
