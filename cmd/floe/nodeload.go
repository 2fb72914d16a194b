package main

import (
	"floe/internal/node"
	"floe/internal/registry"
)

// collocatedLoad gives the registry the loads it balances adaptive replica groups with: the
// collocated node reports its own; every other node is unreachable (load 999.9).
func collocatedLoad(n *node.Node) func(name string) (registry.LoadInfo, bool) {
	return func(name string) (registry.LoadInfo, bool) {
		if name != n.Name() {
			return registry.LoadInfo{}, false
		}
		l := n.Load()
		return registry.LoadInfo{Avg1: l.Avg1, Avg5: l.Avg5, Avg15: l.Avg15, NProcessors: n.Describe().NProcessors}, true
	}
}
