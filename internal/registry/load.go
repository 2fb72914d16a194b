package registry

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"floe/ice/reference"
)

// LoadInfo is what a node reports for load balancing (IceGrid::LoadInfo plus
// NodeInfo.nProcessors): its load averages over 1, 5 and 15 minutes as the kernel gives them,
// negative when unknown, and its number of processor threads.
type LoadInfo struct {
	Avg1, Avg5, Avg15 float32
	NProcessors       int
}

// The loads IceGrid gives what it cannot measure (reference/icegrid.md §1.1.4).
const (
	// unreachableLoad is a replica whose node cannot be asked (AdapterCache.cpp).
	unreachableLoad float32 = 999.9
	// unknownLoad is a node that reports no load average (ServerCache.cpp), and an object
	// that is not on a deployed adapter (Database.cpp getObjectByTypeOnLeastLoadedNode).
	unknownLoad float32 = 1.0
)

// loadSample maps <load-balancing load-sample> to 1, 5 or 15; anything else is 1.
func loadSample(s string) int {
	switch strings.TrimSpace(s) {
	case "5":
		return 5
	case "15":
		return 15
	}
	return 1
}

// parseLoadFactor reads <node load-factor>: -1 (the default factor) when empty, not a number
// or negative.
func parseLoadFactor(s string) float32 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
	if err != nil || f < 0 {
		return -1
	}
	return float32(f)
}

// nodeLoad is ServerEntry::getLoad: the node's load average for sample times the load factor.
// The factor is the application's <node load-factor>, or 1/processors (Unix) when it has none
// (factor < 0). A node that cannot be asked is unreachableLoad; one that reports no average
// is unknownLoad.
func nodeLoad(info LoadInfo, reachable bool, factor float32, sample int) float32 {
	if !reachable {
		return unreachableLoad
	}
	if factor < 0 {
		factor = 1 / float32(max(info.NProcessors, 1))
	}
	avg := info.Avg1
	switch sample {
	case 5:
		avg = info.Avg5
	case 15:
		avg = info.Avg15
	}
	if avg < 0 {
		return unknownLoad
	}
	return avg * factor
}

// serverLoadLocked is the load of the node a deployed server is on. r.mu must be held.
func (r *Registry) serverLoadLocked(serverID string, sample int) float32 {
	s := r.dep.servers[serverID]
	if s == nil || r.cfg.NodeLoad == nil {
		return unreachableLoad
	}
	info, ok := r.cfg.NodeLoad(s.Node)
	return nodeLoad(info, ok, r.dep.loadFactors[serverID], sample)
}

// memberLoadLocked is the load of a replica group member (a deployed adapter). r.mu must be
// held.
func (r *Registry) memberLoadLocked(adapterID string, sample int) float32 {
	if a := r.dep.adapters[adapterID]; a != nil {
		return r.serverLoadLocked(a.server, sample)
	}
	return unreachableLoad
}

// adapterLoadLocked is getLeastLoadedNodeLoad of a deployed adapter, or of a deployed replica
// group (its least loaded member; unreachableLoad with no member); ok is false when id is
// neither. r.mu must be held.
func (r *Registry) adapterLoadLocked(id string, sample int) (load float32, ok bool) {
	if _, ok := r.dep.adapters[id]; ok {
		return r.memberLoadLocked(id, sample), true
	}
	g := r.dep.groups[id]
	if g == nil {
		return 0, false
	}
	load = unreachableLoad
	for _, m := range g.members {
		load = min(load, r.memberLoadLocked(m, sample))
	}
	return load, true
}

// FindObjectByTypeOnLeastLoadedNode answers Query.findObjectByTypeOnLeastLoadedNode: among the
// objects of type t, in random order, the first on the least loaded node for sample (1, 5 or
// 15). An object that is not on a deployed adapter or replica group — a direct proxy, a
// dynamically registered adapter — counts as load 1.0, as in IceGrid. Nil when there is none.
func (r *Registry) FindObjectByTypeOnLeastLoadedNode(t string, sample int) *reference.Reference {
	objs := r.FindObjectsByType(t)
	if len(objs) == 0 {
		return nil
	}
	rand.Shuffle(len(objs), func(i, j int) { objs[i], objs[j] = objs[j], objs[i] })
	r.mu.RLock()
	defer r.mu.RUnlock()
	best, bestLoad := objs[0], float32(0)
	for i, o := range objs {
		load := unknownLoad
		if o.AdapterID != "" {
			if l, ok := r.adapterLoadLocked(o.AdapterID, sample); ok {
				load = l
			}
		}
		if i == 0 || load < bestLoad {
			best, bestLoad = o, load
		}
	}
	return best
}
