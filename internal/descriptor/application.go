package descriptor

import (
	"slices"
	"strings"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/slice/icegrid"
)

// instantiated is an application as the registry instantiates it (ApplicationHelper).
type instantiated struct {
	def      *icegrid.ApplicationDescriptor
	instance *icegrid.ApplicationDescriptor
	servers  map[string][]*serverInstance // by node
	warnings []string
}

// instantiateApp is ApplicationHelper's constructor with instantiation, followed by its
// uniqueness checks.
func instantiateApp(def *icegrid.ApplicationDescriptor) *instantiated {
	if def.Name == "" {
		failAt(appPath, "invalid application: empty name")
	}
	out := &instantiated{def: def, servers: map[string][]*serverInstance{}}
	r := newAppResolver(def, &out.warnings)
	inst := &icegrid.ApplicationDescriptor{
		Name:             def.Name,
		Variables:        def.Variables,
		ServerTemplates:  def.ServerTemplates,
		ServiceTemplates: def.ServiceTemplates,
		Description:      r.resolve(def.Description, "description", true),
		Distrib:          r.distrib(def.Distrib),
		PropertySets:     r.namedPropertySets(def.PropertySets),
	}
	for i, rg := range def.ReplicaGroups {
		inst.ReplicaGroups = append(inst.ReplicaGroups, r.at(replicaGroupPath(i)).replicaGroup(rg))
	}
	r.addPropertySets(inst.PropertySets)
	out.instance = inst
	for _, name := range sortedKeys(def.Nodes) {
		n, servers := r.instantiateNode(name, def.Nodes[name])
		if inst.Nodes == nil {
			inst.Nodes = map[string]icegrid.NodeDescriptor{}
		}
		inst.Nodes[name] = n
		out.servers[name] = servers
	}
	out.checkUnique(r)
	return out
}

func (r *resolver) replicaGroup(rg icegrid.ReplicaGroupDescriptor) icegrid.ReplicaGroupDescriptor {
	out := icegrid.ReplicaGroupDescriptor{
		ID:           r.asID(rg.ID, "replica group id", false),
		Description:  r.resolve(rg.Description, "replica group description", true),
		ProxyOptions: r.resolve(rg.ProxyOptions, "replica group proxy options", true),
	}
	r.validateProxyOptions(out.ProxyOptions)
	out.Filter = r.resolve(rg.Filter, "replica group filter", true)
	out.Objects = r.objects(rg.Objects, rg.ProxyOptions, "replica group well-known")
	if rg.LoadBalancing == nil {
		r.exception("replica group load balancing is not set")
	}
	out.LoadBalancing = clonePolicy(rg.LoadBalancing)
	n := r.asInt(rg.LoadBalancing.Policy().NReplicas, "replica group number of replicas")
	switch {
	case n == "":
		r.exception("invalid replica group load balancing number of replicas value: empty value")
	case n[0] == '-':
		r.exception("invalid replica group load balancing number of replicas value: inferior to 0")
	}
	out.LoadBalancing.Policy().NReplicas = n
	if al, ok := out.LoadBalancing.(*icegrid.AdaptiveLoadBalancingPolicy); ok {
		al.LoadSample = r.resolve(al.LoadSample, "replica group load sample", true)
		switch al.LoadSample {
		case "", "1", "5", "15":
		default:
			r.exception("invalid load sample value (allowed values are 1, 5 or 15)")
		}
	}
	return out
}

func clonePolicy(p icegrid.Policy) icegrid.Policy {
	switch v := p.(type) {
	case *icegrid.RandomLoadBalancingPolicy:
		c := *v
		return &c
	case *icegrid.OrderedLoadBalancingPolicy:
		c := *v
		return &c
	case *icegrid.RoundRobinLoadBalancingPolicy:
		c := *v
		return &c
	case *icegrid.AdaptiveLoadBalancingPolicy:
		c := *v
		return &c
	}
	c := *p.Policy()
	return &c
}

// checkUnique rejects duplicate server, adapter (and replica group) and object ids across the
// application. Like IceGrid it compares the replica groups' ids and objects as written, before
// substitution.
func (a *instantiated) checkUnique(r *resolver) {
	var serverIDs, adapterIDs []idAt
	var objectIDs []objAt
	for _, name := range sortedKeys(a.servers) {
		for _, s := range a.servers[name] {
			serverIDs = append(serverIDs, idAt{s.id, s.path})
			adapterIDs, objectIDs = communicatorIDs(s, adapterIDs, objectIDs)
		}
	}
	for i, rg := range a.def.ReplicaGroups {
		path := replicaGroupPath(i)
		if slices.ContainsFunc(adapterIDs, func(x idAt) bool { return x.id == rg.ID }) {
			failAt(path, "duplicate replica group `"+rg.ID+"'")
		}
		adapterIDs = append(adapterIDs, idAt{rg.ID, path})
		for _, o := range rg.Objects {
			objectIDs = append(objectIDs, objAt{o.ID, path})
		}
	}
	r = r.at(appPath)
	if d, ok := firstDuplicate(serverIDs, compareIDs); ok {
		r.at(d.path).exception("duplicate server `" + d.id + "'")
	}
	if d, ok := firstDuplicate(adapterIDs, compareIDs); ok {
		r.at(d.path).exception("duplicate adapter `" + d.id + "'")
	}
	if d, ok := firstDuplicate(objectIDs, compareIdentities); ok {
		r.at(d.path).exception("duplicate object `" + reference.IdentityString(d.id) + "'")
	}
}

type idAt struct{ id, path string }

type objAt struct {
	id   encoding.Identity
	path string
}

// communicatorIDs adds the adapter and object ids of a server and its services. An allocatable
// that is also a well-known object of the same adapter counts once.
func communicatorIDs(s *serverInstance, adapters []idAt, objects []objAt) ([]idAt, []objAt) {
	for _, c := range communicators(s.server) {
		for i, a := range c.comm.Adapters {
			path := childPath(c.path(s.path), "adapter", i)
			if a.ID != "" {
				adapters = append(adapters, idAt{a.ID, path})
			}
			ids := map[encoding.Identity]bool{}
			for _, o := range a.Objects {
				ids[o.ID] = true
				objects = append(objects, objAt{o.ID, path})
			}
			for _, o := range a.Allocatables {
				if !ids[o.ID] {
					objects = append(objects, objAt{o.ID, path})
				} else {
					delete(ids, o.ID)
				}
			}
		}
	}
	return adapters, objects
}

// firstDuplicate returns, in cmp order, the second element of the first key given twice.
func firstDuplicate[T any](xs []T, cmp func(a, b T) int) (T, bool) {
	sorted := slices.Clone(xs)
	slices.SortStableFunc(sorted, cmp)
	for i := 1; i < len(sorted); i++ {
		if cmp(sorted[i], sorted[i-1]) == 0 {
			return sorted[i], true
		}
	}
	var zero T
	return zero, false
}

func compareIDs(a, b idAt) int { return strings.Compare(a.id, b.id) }

// compareIdentities orders identities as Ice::Identity's operator< does: name, then category.
func compareIdentities(a, b objAt) int {
	if c := strings.Compare(a.id.Name, b.id.Name); c != 0 {
		return c
	}
	return strings.Compare(a.id.Category, b.id.Category)
}
