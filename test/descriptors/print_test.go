package descriptors_test

import (
	"strings"
	"time"

	"floe/ice/reference"
	"floe/internal/descriptor"
	"floe/internal/slice/icegrid"
)

var timeZero = time.Time{}

func identityText(o descriptor.Object) string { return reference.IdentityString(o.ID) }

// replicaGroupsBlock prints replica groups as ApplicationHelper::print does (the proxy options
// and filter lines land inside the load balancing quote, as in IceGrid).
func replicaGroupsBlock(groups []icegrid.ReplicaGroupDescriptor) string {
	var b strings.Builder
	for i, rg := range groups {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("        id = `" + rg.ID + "' load balancing = `" + policyName(rg.LoadBalancing))
		if rg.ProxyOptions != "" {
			b.WriteString("\n        proxy options = `" + rg.ProxyOptions + "'")
		}
		if rg.Filter != "" {
			b.WriteString("\n        filter = `" + rg.Filter + "'")
		}
		b.WriteString("'")
	}
	return b.String()
}

func policyName(p icegrid.Policy) string {
	switch p.(type) {
	case nil:
		return "default (return all endpoints)"
	case *icegrid.RandomLoadBalancingPolicy:
		return "random"
	case *icegrid.OrderedLoadBalancingPolicy:
		return "<unknown load balancing policy>" // what icegridadmin 3.7.8 prints for "ordered"
	case *icegrid.RoundRobinLoadBalancingPolicy:
		return "round-robin"
	case *icegrid.AdaptiveLoadBalancingPolicy:
		return "adaptive"
	}
	return "<unknown load balancing policy>"
}
