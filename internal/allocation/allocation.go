// Package allocation is IceGrid's allocation state (Allocatable.cpp, AllocatableObjectCache.cpp
// in IceGrid 3.7): which client session holds which allocatable object and server, and the
// requests waiting for one. An allocatable object is held by one session at a time. When its
// server is allocatable (allocatable="true", or activation="session") the session holding the
// object holds the server too, for as long as it holds any of the server's objects, and the
// server's other objects can then be allocated by that session only. A request that cannot be
// satisfied at once waits, in arrival order, until a release lets it through or its caller
// cancels it (the session's allocation timeout).
//
// The package is a pure state machine: no goroutines, no clocks, no I/O. Package session waits
// for requests, applies the allocation timeouts and takes the changes of owner of `session`
// servers (TakeChanges) to their nodes; package registry feeds it the deployment (Sync).
package allocation

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// Errors of allocations and releases; package locator maps them to IceGrid's exceptions.
var (
	ErrNotRegistered = errors.New("allocation: object not registered") // ObjectNotRegisteredException
	ErrTimeout       = errors.New("allocation: timed out")             // AllocationTimeoutException
)

// NotRegisteredError is IceGrid's ObjectNotRegisteredException: no allocatable object has the
// identity. It matches ErrNotRegistered.
type NotRegisteredError struct{ ID encoding.Identity }

func (e *NotRegisteredError) Error() string {
	return ErrNotRegistered.Error() + ": " + reference.IdentityString(e.ID)
}

// Is reports whether target is ErrNotRegistered.
func (e *NotRegisteredError) Is(target error) bool { return target == ErrNotRegistered }

// Error is IceGrid's AllocationException: an allocation or release refused, with IceGrid's
// reason.
type Error struct{ Reason string }

func (e *Error) Error() string { return "allocation: " + e.Reason }

// Owner is a client session as the table knows it. Owners are compared by pointer.
type Owner struct {
	User      string // the session's user id: ${session.id} of the servers it holds
	destroyed bool   // guarded by the table's mutex
}

// Object is an allocatable object of the deployment.
type Object struct {
	ID     encoding.Identity
	Type   string
	Proxy  *reference.Reference // what an allocation returns
	Server string               // the server whose adapter it is on
}

// Server is a deployed server, as far as allocation cares.
type Server struct {
	ID string
	// Allocatable servers are held with their objects (allocatable="true" or activation="session").
	Allocatable bool
	// Session servers (activation="session") have their changes of owner reported by TakeChanges.
	Session bool
}

// Change is a session server's new owner; Owner nil: released.
type Change struct {
	Server string
	Owner  *Owner
}

type object struct {
	Object
	owner *Owner
}

type server struct {
	Server
	owner *Owner
	count int // objects of the server the owner holds
}

// Table is the allocation state. It is safe for concurrent use.
type Table struct {
	enabled func(server string) bool

	mu      sync.Mutex // guards the fields below
	objects map[encoding.Identity]*object
	servers map[string]*server
	pending []*Request // in arrival order
	changes []Change   // not taken yet, in order
}

// New returns an empty table. enabled tells whether a server is enabled (allocations by type
// skip the objects of disabled servers); it is called with the table's lock held and must not
// call back into the table.
func New(enabled func(server string) bool) *Table {
	if enabled == nil {
		enabled = func(string) bool { return true }
	}
	return &Table{enabled: enabled, objects: map[encoding.Identity]*object{}, servers: map[string]*server{}}
}

// Sync replaces the deployment: objects and servers. An object that is gone or changed (type,
// proxy or server) loses its owner, as IceGrid removes and re-adds an updated allocatable; the
// requests waiting for an object that is gone fail with ErrNotRegistered, those waiting for a
// type that is gone with IceGrid's AllocationException.
func (t *Table) Sync(objects []Object, servers []Server) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.servers
	t.servers = make(map[string]*server, len(servers))
	for _, s := range servers {
		t.servers[s.ID] = &server{Server: s}
	}
	prev := t.objects
	t.objects = make(map[encoding.Identity]*object, len(objects))
	for _, o := range objects {
		n := &object{Object: o}
		if p := prev[o.ID]; p != nil && sameObject(p.Object, o) {
			n.owner = p.owner
		}
		t.objects[o.ID] = n
	}
	for _, o := range t.sortedObjects() { // the servers' owners follow from their objects'
		if srv := t.parentOf(o); srv != nil && o.owner != nil {
			if srv.owner != nil && srv.owner != o.owner {
				o.owner = nil // a server that just became allocatable: the first holder keeps it
				continue
			}
			srv.owner = o.owner
			srv.count++
		}
	}
	for id, s := range old {
		if n := t.servers[id]; s.owner != nil && (n == nil || n.owner != s.owner) && s.Session {
			t.changes = append(t.changes, Change{Server: id})
		}
	}
	for id, s := range t.servers {
		if s.owner != nil && s.Session && (old[id] == nil || old[id].owner != s.owner) {
			t.changes = append(t.changes, Change{Server: id, Owner: s.owner})
		}
	}
	t.pump()
}

func sameObject(a, b Object) bool {
	return a.Type == b.Type && a.Server == b.Server && a.Proxy.String() == b.Proxy.String()
}

// sortedObjects returns the objects by identity.
func (t *Table) sortedObjects() []*object {
	out := make([]*object, 0, len(t.objects))
	for _, o := range t.objects {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *object) int {
		return strings.Compare(a.ID.Category+"/"+a.ID.Name, b.ID.Category+"/"+b.ID.Name)
	})
	return out
}

// parentOf returns the server an object is allocated with, or nil if its server is not
// allocatable.
func (t *Table) parentOf(o *object) *server {
	if s := t.servers[o.Server]; s != nil && s.Allocatable {
		return s
	}
	return nil
}

// Holder returns the session that holds an object, or nil.
func (t *Table) Holder(id encoding.Identity) *Owner {
	t.mu.Lock()
	defer t.mu.Unlock()
	if o := t.objects[id]; o != nil {
		return o.owner
	}
	return nil
}

// TakeChanges returns, in order, the changes of owner of session servers since the last call.
func (t *Table) TakeChanges() []Change {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.changes
	t.changes = nil
	return out
}
