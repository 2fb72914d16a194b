// Package registry holds a registry replica's view of the grid — adapters, replica groups and
// well-known objects — and makes IceGrid's decisions on it: what a locate request returns, which
// registrations are accepted, how replica groups are ordered. Lookups are answered from memory;
// changes are written to a store.Store first and applied to memory once durable. The package
// does no networking and starts no goroutines; package locator turns Ice requests into calls here
// and maps the errors to Ice exceptions.
package registry

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/allocation"
	"floe/internal/descriptor"
	"floe/internal/store"
)

// Errors returned by the registry; package locator maps them to Ice exceptions.
var (
	ErrAdapterNotFound      = errors.New("registry: adapter not found")
	ErrObjectNotFound       = errors.New("registry: object not found")
	ErrObjectExists         = errors.New("registry: object already registered")
	ErrInvalidReplicaGroup  = errors.New("registry: invalid replica group")
	ErrAdapterAlreadyActive = errors.New("registry: adapter already active")
	ErrInvalidArgument      = errors.New("registry: invalid argument")
)

// Config is the part of the registry configuration the decisions depend on.
type Config struct {
	// DynamicRegistration lets servers register adapters that were not deployed
	// (IceGrid.Registry.DynamicRegistration).
	DynamicRegistration bool
	// ValidateDescriptor checks an application descriptor and returns the application's name;
	// nil means ApplicationName.
	ValidateDescriptor func([]byte) (string, error)
	// Log receives warnings about stored records that are not applied; nil discards them.
	Log *slog.Logger
	// Node gives the ${node.*} values of a node (for expanding descriptors); Deployer runs the
	// deployed servers. Both may be nil (no node: servers are never activated).
	Node     func(name string) descriptor.Node
	Deployer Deployer
	// NodeLoad reports a node's load for adaptive load balancing and
	// Query.findObjectByTypeOnLeastLoadedNode; ok is false for a node that is unknown or
	// unreachable. Nil: every node is unreachable (load.go).
	NodeLoad func(node string) (load LoadInfo, ok bool)
}

// Registry is one replica's state. It is safe for concurrent use.
type Registry struct {
	cfg   Config
	store store.Store
	seed  maphash.Seed
	keyMu [64]sync.Mutex // per-key stripes: a store write and its memory update happen under one; lock order keyMu, then mu

	mu       sync.RWMutex // guards the maps below
	adapters map[string]*store.Adapter
	groups   map[string]*group
	objects  map[encoding.Identity]*store.Object
	byType   map[string]map[encoding.Identity]*store.Object
	builtin  map[encoding.Identity]bool // the registry's own objects: not in the store, not removable
	apps     map[string]*store.Application
	expanded map[string]*descriptor.Expanded // per application
	dep      *deployment                     // derived from expanded
	depGen   uint64                          // bumped by each rebuild of dep
	invalid  map[string]string               // "kind/key" → why the stored record was not applied

	registered chan struct{} // closed and replaced when a deployed adapter registers; guarded by mu

	alloc *allocation.Table // the allocatable objects; lock order mu, then alloc's

	resynced   chan struct{}
	resyncOnce sync.Once
	gen        atomic.Uint64 // bumped by every change applied to memory
}

// Generation changes whenever the registry's stored state changes (for cache writers).
func (r *Registry) Generation() uint64 { return r.gen.Load() }

// group is a replica group. Implicit groups (dynamic registration) exist while they have members
// and use the random policy with every member.
type group struct {
	id      string
	policy  Policy
	members []string // adapter ids in registration order
}

// New returns a registry over s, loaded from it.
func New(ctx context.Context, cfg Config, s store.Store) (*Registry, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	r := &Registry{
		cfg:        cfg,
		store:      s,
		seed:       maphash.MakeSeed(),
		adapters:   map[string]*store.Adapter{},
		groups:     map[string]*group{},
		objects:    map[encoding.Identity]*store.Object{},
		byType:     map[string]map[encoding.Identity]*store.Object{},
		builtin:    map[encoding.Identity]bool{},
		apps:       map[string]*store.Application{},
		expanded:   map[string]*descriptor.Expanded{},
		dep:        &deployment{adapters: map[string]*deployedAdapter{}, servers: map[string]*descriptor.Server{}},
		invalid:    map[string]string{},
		registered: make(chan struct{}),
		resynced:   make(chan struct{}),
	}
	r.alloc = allocation.New(r.enabled)
	snap, err := s.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("registry: load: %w", err)
	}
	for _, a := range snap.Adapters {
		r.applyAdapter(a.ID, a)
	}
	for _, o := range snap.Objects {
		r.applyObject(o.Identity, o)
	}
	for _, a := range snap.Applications {
		_, x, err := r.validate(a.Descriptor)
		if err != nil {
			r.setInvalid(store.KindApplication, a.Name, err)
			continue
		}
		r.applyApplication(a.Name, a, x)
	}
	for k, err := range snap.Invalid {
		r.invalid[k] = err.Error()
	}
	return r, nil
}

// lockKey serialises writes to one key: the store write and the memory update happen in the
// same order for concurrent writers of that key.
func (r *Registry) lockKey(kind byte, key string) func() {
	var h maphash.Hash
	h.SetSeed(r.seed)
	_ = h.WriteByte(kind)
	_, _ = h.WriteString(key)
	m := &r.keyMu[h.Sum64()%uint64(len(r.keyMu))]
	m.Lock()
	return m.Unlock
}

// RegisteredProxy returns the proxy an active adapter (not a replica group) registered, as
// IceGrid answers findAdapterById with it unchanged; nil otherwise, and for a deployed adapter
// whose server is disabled.
func (r *Registry) RegisteredProxy(id string) *reference.Reference {
	r.mu.RLock()
	if _, ok := r.groups[id]; ok {
		r.mu.RUnlock()
		return nil
	}
	if a := r.adapters[id]; a != nil {
		r.mu.RUnlock()
		return a.Proxy
	}
	a := r.dep.adapters[id]
	if a == nil || a.proxy == nil {
		r.mu.RUnlock()
		return nil
	}
	proxy, server := a.proxy, a.server
	r.mu.RUnlock()
	if !r.enabled(server) {
		return nil
	}
	return proxy
}

// ReplicaGroupMembers answers Query.findAllReplicas: the member adapter ids of a replica group,
// or nil if id is not a replica group.
func (r *Registry) ReplicaGroupMembers(id string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if g := r.dep.groups[id]; g != nil {
		return append([]string(nil), g.members...)
	}
	if g := r.groups[id]; g != nil {
		return append([]string(nil), g.members...)
	}
	return nil
}

// Adapters returns every adapter, for listing.
func (r *Registry) Adapters() []store.Adapter {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]store.Adapter, 0, len(r.adapters)+len(r.dep.adapters))
	for _, a := range r.adapters {
		out = append(out, *a)
	}
	for _, a := range r.dep.adapters {
		out = append(out, store.Adapter{ID: a.id, ReplicaGroup: a.group, Proxy: a.proxy})
	}
	return out
}

// Adapter returns one adapter.
func (r *Registry) Adapter(id string) (store.Adapter, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if a := r.adapters[id]; a != nil {
		return *a, true
	}
	if a := r.dep.adapters[id]; a != nil {
		return store.Adapter{ID: a.id, ReplicaGroup: a.group, Proxy: a.proxy}, true
	}
	return store.Adapter{}, false
}

// ReplicaGroups returns every replica group id with its members.
func (r *Registry) ReplicaGroups() map[string][]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string][]string, len(r.groups)+len(r.dep.groups))
	for id, g := range r.groups {
		out[id] = append([]string(nil), g.members...)
	}
	for id, g := range r.dep.groups {
		out[id] = append([]string(nil), g.members...)
	}
	return out
}

// SetAdapterDirectProxy answers LocatorRegistry.set(Replicated)AdapterDirectProxy for a
// dynamically registered adapter: proxy nil unregisters. With dynamic registration off every
// undeployed adapter is ErrAdapterNotFound. Joining a replica group under another group than the
// one the adapter is registered in replaces its membership (last writer wins, as IceGrid).
func (r *Registry) SetAdapterDirectProxy(ctx context.Context, id, groupID string, proxy *reference.Reference) error {
	if id == "" {
		return nil // IceGrid ignores an empty adapter id
	}
	if deployed, err := r.setDeployedProxy(id, groupID, proxy); deployed {
		if err != nil {
			return err
		}
		r.shareDeployed(ctx, id, groupID, proxy)
		return nil
	}
	if !r.cfg.DynamicRegistration {
		return ErrAdapterNotFound
	}
	if !store.ValidKey(id) || (groupID != "" && !store.ValidKey(groupID)) {
		return fmt.Errorf("%w: adapter id %.40q / replica group %.40q", ErrInvalidArgument, id, groupID)
	}
	if proxy != nil && !store.ValidProxy(proxy) {
		return fmt.Errorf("%w: adapter %.40q: proxy %.80q is not UTF-8", ErrInvalidArgument, id, proxy.String())
	}
	r.mu.RLock()
	_, isGroup := r.groups[id]
	_, isAdapter := r.adapters[groupID]
	_, deployedGroup := r.dep.groups[groupID]
	r.mu.RUnlock()
	if isGroup || (groupID != "" && isAdapter) || deployedGroup {
		// Since 3.7.1 a server cannot dynamically join a replica group deployed by descriptors.
		return ErrInvalidReplicaGroup // an id cannot be both an adapter and a replica group
	}
	unlock := r.lockKey('a', id)
	defer unlock()
	if proxy == nil {
		r.mu.RLock()
		_, known := r.adapters[id]
		r.mu.RUnlock()
		if !known {
			return nil
		}
		if err := r.store.DeleteAdapter(ctx, id); err != nil {
			return fmt.Errorf("registry: unregister adapter %q: %w", id, err)
		}
		r.applyAdapter(id, nil)
		return nil
	}
	a := &store.Adapter{ID: id, ReplicaGroup: groupID, Proxy: proxy}
	if err := r.store.PutAdapter(ctx, a); err != nil {
		return fmt.Errorf("registry: register adapter %q: %w", id, err)
	}
	r.applyAdapter(id, a)
	return nil
}

// RemoveAdapter deletes a dynamically registered adapter (admin "adapter remove").
func (r *Registry) RemoveAdapter(ctx context.Context, id string) error {
	unlock := r.lockKey('a', id)
	defer unlock()
	r.mu.RLock()
	_, known := r.adapters[id]
	r.mu.RUnlock()
	if !known {
		return ErrAdapterNotFound
	}
	if err := r.store.DeleteAdapter(ctx, id); err != nil {
		return fmt.Errorf("registry: remove adapter %q: %w", id, err)
	}
	r.applyAdapter(id, nil)
	return nil
}

// shareDeployed writes a deployed adapter's endpoints to a replicated store, so that every
// replica answers for a server whichever replica it registered with (ZooKeeper mode; a
// standalone registry keeps them in memory, as IceGrid does). It is best effort: the
// registration stands on this replica even when ZooKeeper cannot take it, as a server's
// registration with IceGrid does not depend on replication.
func (r *Registry) shareDeployed(ctx context.Context, id, groupID string, proxy *reference.Reference) {
	if _, ok := r.store.(store.Replicated); !ok {
		return
	}
	unlock := r.lockKey('a', id)
	defer unlock()
	var err error
	if proxy == nil {
		err = r.store.DeleteAdapter(ctx, id)
	} else {
		err = r.store.PutAdapter(ctx, &store.Adapter{ID: id, ReplicaGroup: groupID, Proxy: proxy})
	}
	if err != nil {
		r.cfg.Log.WarnContext(ctx, "deployed adapter registered here only: the other replicas cannot learn it now",
			"adapter", id, "err", err)
	}
}

// applyAdapter sets (a != nil) or deletes the adapter id in memory, keeping groups in step. A
// record of a deployed adapter (written by another replica) sets its endpoints.
func (r *Registry) applyAdapter(id string, a *store.Adapter) {
	r.gen.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if d := r.dep.adapters[id]; d != nil {
		var proxy *reference.Reference
		if a != nil {
			proxy = a.Proxy
		}
		r.setEndpointsLocked(d, proxy, false)
		return
	}
	if old := r.adapters[id]; old != nil && old.ReplicaGroup != "" && (a == nil || a.ReplicaGroup != old.ReplicaGroup) {
		r.leaveGroupLocked(old.ReplicaGroup, id)
	}
	if a == nil {
		delete(r.adapters, id)
		return
	}
	old := r.adapters[id]
	r.adapters[id] = a
	if a.ReplicaGroup != "" && (old == nil || old.ReplicaGroup != a.ReplicaGroup) {
		g := r.groups[a.ReplicaGroup]
		if g == nil {
			g = &group{id: a.ReplicaGroup, policy: Policy{Type: Random}}
			r.groups[a.ReplicaGroup] = g
		}
		g.members = append(g.members, id)
	}
}

func (r *Registry) leaveGroupLocked(groupID, id string) {
	g := r.groups[groupID]
	if g == nil {
		return
	}
	for i, m := range g.members {
		if m == id {
			g.members = append(g.members[:i:i], g.members[i+1:]...)
			break
		}
	}
	if len(g.members) == 0 {
		delete(r.groups, groupID)
	}
}
