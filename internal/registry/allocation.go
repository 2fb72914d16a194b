package registry

import (
	"strconv"

	"floe/ice/reference"
	"floe/internal/allocation"
	"floe/internal/descriptor"
)

// Allocations returns the allocation state of the deployment's allocatable objects, which
// package session serves to client sessions. The registry keeps it in step with the
// applications.
func (r *Registry) Allocations() *allocation.Table { return r.alloc }

// syncAllocationsLocked hands the allocatable objects and the servers of the applications (by
// name) to the allocation table. r.mu must be held.
func (r *Registry) syncAllocationsLocked(apps []string) {
	var objects []allocation.Object
	var servers []allocation.Server
	for _, name := range apps {
		x := r.expanded[name]
		for _, s := range x.Servers {
			d := s.Descriptor.Server()
			servers = append(servers, allocation.Server{ID: s.ID, Allocatable: d.Allocatable || d.Activation == "session",
				Session: d.Activation == "session"})
		}
		for _, o := range x.Allocatables {
			if ref := objectProxy(o); ref != nil {
				objects = append(objects, allocation.Object{ID: o.ID, Type: o.Type, Proxy: ref, Server: o.Server})
			}
		}
	}
	r.alloc.Sync(objects, servers)
}

// objectProxy is a deployed object's proxy, as IceGrid registers it: `identity options @
// adapter`; nil if the options do not parse.
func objectProxy(o descriptor.Object) *reference.Reference {
	proxy := reference.IdentityString(o.ID) + " " + o.ProxyOptions + " @ " + strconv.Quote(o.AdapterID)
	ref, err := reference.Parse(proxy, reference.Defaults{})
	if err != nil {
		return nil
	}
	return ref
}
