package registry

import (
	"context"
	"math/rand/v2"

	"floe/ice/reference"
)

// Lookup is an answer to Locator.findAdapterById in the making. For a deployed adapter or
// replica group it follows IceGrid's AdapterRequest and ReplicaGroupRequest (LocatorI.cpp):
// the members are taken in policy order; an active one (registered, its server enabled)
// answers; one whose server is not running but can be activated (on-demand, always or session,
// enabled) has its server started and the walk goes on to the next member without waiting for
// it; any other is skipped. A server that its node refuses to start (a session server that no
// client session holds) answers nothing. The walk stops once n members answered. If it ran out first, the answer waits for
// the started members, each answering as it registers, until n answered or every one of them
// registered or failed to start. The endpoints are the answering members' in policy order.
//
// A Lookup is used by one goroutine: Ready, then Activate (when Starts), then Wait (when not
// Ready) or Endpoints.
type Lookup struct {
	r       *Registry
	n       int            // how many members answer
	members []lookupMember // the members the walk went through, in policy order
	eps     []reference.Endpoint
	static  bool // eps is the answer (dynamic adapters and groups, unknown servers)
}

type lookupMember struct {
	id, server string
	active     bool // registered and enabled when the lookup was made
	start      bool // activatable and not active: the lookup starts its server
	failed     bool // its server could not be started
}

// Locate starts answering findAdapterById for id: an adapter or a replica group, deployed or
// dynamically registered. A round-robin group turns by one position. Unknown ids are
// ErrAdapterNotFound.
func (r *Registry) Locate(id string) (*Lookup, error) { return r.lookup(id, true) }

// FindAdapter answers what findAdapterById would return now without starting or waiting for
// any server and without turning a round robin: the endpoints of an active adapter, or of up to
// N active members of a replica group in policy order. A known adapter that is not active gives
// no endpoints and no error.
func (r *Registry) FindAdapter(id string) ([]reference.Endpoint, error) {
	l, err := r.lookup(id, false)
	if err != nil {
		return nil, err
	}
	return l.Endpoints(), nil
}

func (r *Registry) lookup(id string, advance bool) (*Lookup, error) {
	l := &Lookup{r: r, n: 1}
	r.mu.RLock()
	var ids []string
	switch g, a := r.dep.groups[id], r.dep.adapters[id]; {
	case g != nil:
		ids = g.policy.sequence(g.members, rand.IntN, advance, r.loadOf(g))
		l.n = g.policy.count(len(ids))
	case a != nil:
		ids = []string{id}
	default:
		eps, err := r.findDynamicLocked(id, advance)
		r.mu.RUnlock()
		l.eps, l.static = eps, true
		return l, err
	}
	type snapshot struct {
		id, server              string
		registered, activatable bool
	}
	snap := make([]snapshot, 0, len(ids))
	for _, m := range ids {
		if a := r.dep.adapters[m]; a != nil {
			snap = append(snap, snapshot{m, a.server, a.proxy != nil, a.activatable})
		}
	}
	r.mu.RUnlock()
	// The node is asked outside r.mu (it must not be called with registry locks held).
	answered := 0
	for _, s := range snap {
		if answered == l.n {
			break
		}
		if !r.enabled(s.server) {
			continue
		}
		m := lookupMember{id: s.id, server: s.server}
		switch {
		case s.registered:
			m.active = true
			answered++
		case s.activatable && r.cfg.Deployer != nil:
			m.start = true
		default:
			continue
		}
		l.members = append(l.members, m)
	}
	return l, nil
}

// loadOf returns the load of g's members for its policy. r.mu must be held while it is used.
func (r *Registry) loadOf(g *group) func(member string) float32 {
	return func(m string) float32 { return r.memberLoadLocked(m, g.policy.LoadSample) }
}

// findDynamicLocked answers for a dynamically registered adapter or replica group (all members,
// random order). r.mu must be held.
func (r *Registry) findDynamicLocked(id string, advance bool) ([]reference.Endpoint, error) {
	if g := r.groups[id]; g != nil {
		var eps []reference.Endpoint
		members := g.policy.sequence(g.members, rand.IntN, advance, r.loadOf(g))
		for _, m := range members[:g.policy.count(len(members))] {
			if a := r.adapters[m]; a != nil && a.Proxy != nil {
				eps = append(eps, a.Proxy.Endpoints...)
			}
		}
		return eps, nil
	}
	a := r.adapters[id]
	if a == nil {
		return nil, ErrAdapterNotFound
	}
	if a.Proxy == nil {
		return nil, nil
	}
	return a.Proxy.Endpoints, nil
}

// enabled reports whether a deployed server is enabled (true without a node to ask).
func (r *Registry) enabled(server string) bool {
	return r.cfg.Deployer == nil || r.cfg.Deployer.Enabled(server)
}

// Ready reports whether the answer is known without waiting: enough members are active, or
// none is being started.
func (l *Lookup) Ready() bool {
	if l.static {
		return true
	}
	active, starting := 0, 0
	for _, m := range l.members {
		if m.active {
			active++
		} else if m.start {
			starting++
		}
	}
	return active >= l.n || starting == 0
}

// Starts reports whether the lookup starts servers (Activate does).
func (l *Lookup) Starts() bool {
	for _, m := range l.members {
		if m.start {
			return true
		}
	}
	return false
}

// Activate starts the servers of the members the walk passed that can be activated. It returns
// once the processes started, not when they registered.
func (l *Lookup) Activate(ctx context.Context) {
	for i := range l.members {
		m := &l.members[i]
		if m.start && l.r.cfg.Deployer.Activate(ctx, m.server) != nil {
			m.failed = true // IceGrid answers without it: the next member, or a null proxy
		}
	}
}

// Wait waits, bounded by ctx, until n members answered or every started member registered or
// failed to start, and returns the endpoints.
func (l *Lookup) Wait(ctx context.Context) []reference.Endpoint {
	for {
		l.r.mu.RLock()
		answered, waiting := 0, 0
		for _, m := range l.members {
			switch a := l.r.dep.adapters[m.id]; {
			case m.active || (m.start && a != nil && a.proxy != nil):
				answered++
			case m.start && !m.failed:
				waiting++
			}
		}
		changed := l.r.registered
		l.r.mu.RUnlock()
		if answered >= l.n || waiting == 0 {
			return l.Endpoints()
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return l.Endpoints()
		}
	}
}

// Endpoints returns the answer: the endpoints of up to n answering members, in policy order.
func (l *Lookup) Endpoints() []reference.Endpoint {
	if l.static {
		return l.eps
	}
	l.r.mu.RLock()
	defer l.r.mu.RUnlock()
	var eps []reference.Endpoint
	answered := 0
	for _, m := range l.members {
		if answered == l.n {
			break
		}
		if a := l.r.dep.adapters[m.id]; a != nil && a.proxy != nil && (m.active || m.start) {
			eps = append(eps, a.proxy.Endpoints...)
			answered++
		}
	}
	return eps
}
