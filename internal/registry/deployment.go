package registry

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/descriptor"
	"floe/internal/slice/icegrid"
	"floe/internal/store"
)

// Deployer runs the servers that applications place on nodes (package nodes implements it,
// for the collocated node and `floe node` processes). Its methods must not call back into the
// registry while holding locks.
type Deployer interface {
	// Deploy hands over the whole deployment after each change of the applications; it must
	// not block on the network.
	Deploy(d *Deployment)
	// Activate starts a server unless it runs already; it returns once the process started.
	Activate(ctx context.Context, serverID string) error
	// SetProcess records the Ice::Process proxy a server registered.
	SetProcess(serverID string, proxy *reference.Reference) error
	// Enabled reports whether a server is enabled; a disabled server's adapters are not
	// returned by lookups, even while it runs (IceGrid's ServerAdapterI::getDirectProxy).
	Enabled(serverID string) bool
}

// AdapterObserver may be implemented by a Deployer that wants to know when a deployed adapter
// registers its endpoints: a server is Active once its server-lifetime adapters did
// (reference/icegrid.md §1.5.3). It is called without registry locks held.
type AdapterObserver interface {
	AdapterActivated(serverID, adapterID string)
}

// Deployment is what Deployer.Deploy receives. Deployments are handed over outside the
// registry's locks, so two may arrive out of order: the one with the higher Generation is the
// newer. The deployer must not modify it.
type Deployment struct {
	Generation uint64
	// Servers are every deployed server, configured with the values of Config.Node.
	Servers []*descriptor.Server
	// Applications are the deployed descriptors by name, for nodes that expand their servers
	// themselves.
	Applications map[string]store.Application
}

// ErrServerNotFound is returned for an undeployed server id.
var ErrServerNotFound = errors.New("registry: server not found")

// deployment is what the applications deploy: adapters, replica groups and well-known objects
// from descriptors. Deployed adapters' endpoints live in memory only, as in IceGrid: servers
// register them again when they start.
type deployment struct {
	servers  map[string]*descriptor.Server
	adapters map[string]*deployedAdapter
	groups   map[string]*group
	objects  map[encoding.Identity]*store.Object
	// loadFactors holds, per server id, the load-factor its application gives its node
	// (<node load-factor>), or -1 when none is given (load.go).
	loadFactors map[string]float32
}

type deployedAdapter struct {
	id, server, group string
	priority          int
	activatable       bool // on-demand, always or session
	proxy             *reference.Reference
	// local is set when the endpoints were registered with this replica (not learnt from a
	// peer through the store): a resync never clears them.
	local bool
}

// expand parses and expands a descriptor; the result names the application.
func (r *Registry) expand(data []byte) (*descriptor.Expanded, error) {
	doc, err := descriptor.ParseDocument("descriptor.xml", data)
	if err != nil {
		return nil, err
	}
	opts := []descriptor.ExpandOption{descriptor.WithSource(doc.Source)}
	if r.cfg.Node != nil {
		opts = append(opts, descriptor.WithNode(r.cfg.Node))
	}
	return descriptor.Expand(doc.App, opts...)
}

// rebuildLocked recomputes the deployment from r.expanded; r.mu must be held for writing. The
// endpoints that deployed adapters registered, and the round-robin positions, are kept.
//
// A replica group's members are in IceGrid's order: application by application (by name, the
// order IceGrid loads them in at startup), then by server id, then by adapter id (IceGrid:
// descriptor order within a server). Round robin rotates in this order and ordered keeps it
// among equal priorities.
func (r *Registry) rebuildLocked() *Deployment {
	old := r.dep
	d := &deployment{servers: map[string]*descriptor.Server{}, adapters: map[string]*deployedAdapter{},
		groups: map[string]*group{}, objects: map[encoding.Identity]*store.Object{}, loadFactors: map[string]float32{}}
	var servers []*descriptor.Server
	apps := slices.Sorted(maps.Keys(r.expanded))
	for _, name := range apps { // every group first: members may be in another application
		for _, rg := range r.expanded[name].ReplicaGroups {
			g := &group{id: rg.ID, policy: policyOf(rg)}
			if prev := old.groups[rg.ID]; prev != nil && prev.policy.next != nil {
				g.policy.next = prev.policy.next
			}
			d.groups[rg.ID] = g
		}
	}
	for _, name := range apps {
		x := r.expanded[name]
		for _, s := range x.Servers {
			d.servers[s.ID] = s
			d.loadFactors[s.ID] = parseLoadFactor(x.Instance.Nodes[s.Node].LoadFactor)
			servers = append(servers, s)
		}
		adapters := slices.Clone(x.Adapters) // by adapter id
		slices.SortStableFunc(adapters, func(a, b descriptor.Adapter) int { return strings.Compare(a.Server, b.Server) })
		for _, a := range adapters {
			r.deployAdapterLocked(d, old, a)
		}
		for _, o := range x.Objects {
			if ref := objectProxy(o); ref != nil {
				d.objects[o.ID] = &store.Object{Identity: o.ID, Type: o.Type, Proxy: ref}
			}
		}
	}
	r.dep = d
	r.syncAllocationsLocked(apps)
	descs := make(map[string]store.Application, len(r.apps))
	for name, a := range r.apps {
		descs[name] = *a
	}
	r.depGen++
	return &Deployment{Generation: r.depGen, Servers: servers, Applications: descs}
}

// deployAdapterLocked adds adapter a to d, after its server and as the next member of its
// replica group. It keeps the endpoints the adapter had in old or, for a newly deployed
// adapter, those it registered dynamically, which it then no longer is. r.mu must be held for
// writing.
func (r *Registry) deployAdapterLocked(d, old *deployment, a descriptor.Adapter) {
	da := &deployedAdapter{id: a.ID, server: a.Server, group: a.ReplicaGroupID}
	da.priority, _ = strconv.Atoi(a.Priority)
	if s := d.servers[a.Server]; s != nil {
		act := s.Descriptor.Server().Activation
		// A session server's node refuses to start it while no client session holds it, as
		// IceGrid's node does (ServerI::isAdapterActivatable): the node decides, so that a
		// replica other than the one that holds the sessions answers for it too.
		da.activatable = act == "on-demand" || act == "always" || act == "session"
	}
	if prev := old.adapters[a.ID]; prev != nil {
		da.proxy, da.local = prev.proxy, prev.local
	} else if dyn := r.adapters[a.ID]; dyn != nil {
		// Its endpoints, shared by another replica, came before its application.
		da.proxy = dyn.Proxy
		if dyn.ReplicaGroup != "" {
			r.leaveGroupLocked(dyn.ReplicaGroup, a.ID)
		}
		delete(r.adapters, a.ID)
	}
	d.adapters[a.ID] = da
	if g := d.groups[a.ReplicaGroupID]; g != nil {
		g.members = append(g.members, a.ID)
		g.policy.Priority[a.ID] = da.priority
	}
}

// policyOf turns a replica group's <load-balancing> into a Policy (reference/icegrid.md §1.1.4).
func policyOf(rg icegrid.ReplicaGroupDescriptor) Policy {
	p := Policy{Type: Random, Priority: map[string]int{}, next: new(atomic.Uint64)}
	if rg.LoadBalancing == nil {
		return p // no <load-balancing>: random over all members
	}
	p.NReplicas = 1
	if n, err := strconv.Atoi(strings.TrimSpace(rg.LoadBalancing.Policy().NReplicas)); err == nil {
		p.NReplicas = max(n, 0)
		if n < 0 {
			p.NReplicas = 1
		}
	}
	switch lb := rg.LoadBalancing.(type) {
	case *icegrid.OrderedLoadBalancingPolicy:
		p.Type = Ordered
	case *icegrid.RoundRobinLoadBalancingPolicy:
		p.Type = RoundRobin
	case *icegrid.AdaptiveLoadBalancingPolicy:
		p.Type = Adaptive
		p.LoadSample = loadSample(lb.LoadSample)
	}
	return p
}

// deploy tells the deployer about the deployment (outside r.mu).
func (r *Registry) deploy(d *Deployment) {
	if r.cfg.Deployer != nil {
		r.cfg.Deployer.Deploy(d)
	}
}

// setEndpointsLocked sets a deployed adapter's endpoints (nil: none) and wakes the lookups
// waiting for a registration; local tells whether they were registered with this replica.
// r.mu must be held for writing.
func (r *Registry) setEndpointsLocked(a *deployedAdapter, proxy *reference.Reference, local bool) {
	a.proxy, a.local = proxy, local
	if proxy != nil {
		close(r.registered)
		r.registered = make(chan struct{})
	}
}

// setDeployedProxy records (or, with nil, clears) a deployed adapter's endpoints; ok is false
// when id is not deployed.
func (r *Registry) setDeployedProxy(id, groupID string, proxy *reference.Reference) (ok bool, err error) {
	r.mu.Lock()
	a := r.dep.adapters[id]
	if a == nil {
		r.mu.Unlock()
		return false, nil
	}
	if a.group != groupID {
		r.mu.Unlock()
		return true, ErrInvalidReplicaGroup
	}
	r.setEndpointsLocked(a, proxy, proxy != nil)
	server := a.server
	r.mu.Unlock()
	if o, ok := r.cfg.Deployer.(AdapterObserver); ok && proxy != nil {
		o.AdapterActivated(server, id)
	}
	return true, nil
}

// SetServerProcess answers LocatorRegistry.setServerProcessProxy.
func (r *Registry) SetServerProcess(id string, proxy *reference.Reference) error {
	r.mu.RLock()
	_, ok := r.dep.servers[id]
	r.mu.RUnlock()
	if !ok || r.cfg.Deployer == nil {
		return fmt.Errorf("%w: %q", ErrServerNotFound, id)
	}
	return r.cfg.Deployer.SetProcess(id, proxy)
}
