package registry

import (
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
	// next is the round-robin position, per replica (IceGrid does not share it either).
	next *atomic.Uint64
}

// order returns up to NReplicas of members in policy order, advancing a round robin; members is
// not modified. intn is the random source (rand.IntN in production).
func (p Policy) order(members []string, intn func(int) int) []string {
	out := p.sequence(members, intn, true)
	return out[:p.count(len(out))]
}

// sequence returns every member in policy order (IceGrid's ReplicaGroupEntry::
// getLocatorAdapterInfo): by ascending priority for Ordered, keeping the members' order among
// equal priorities; rotated by one more position per lookup for RoundRobin when advance is set
// (without it, the rotation the next lookup would use); shuffled otherwise. members is not
// modified.
func (p Policy) sequence(members []string, intn func(int) int, advance bool) []string {
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
	default: // Random; Adaptive without load information is random too
		for i := len(out) - 1; i > 0; i-- {
			j := intn(i + 1)
			out[i], out[j] = out[j], out[i]
		}
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
