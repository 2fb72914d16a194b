package locator

import (
	"context"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
)

// LocatorRegistryServant is <instance>/LocatorRegistry, served on the Server endpoints.
type LocatorRegistryServant struct{ *Server }

// IceID returns the most-derived type id.
func (LocatorRegistryServant) IceID() string { return "::Ice::LocatorRegistry" }

// IceIDs returns the type ids, sorted.
func (LocatorRegistryServant) IceIDs() []string {
	return []string{"::Ice::LocatorRegistry", "::Ice::Object"}
}

// Dispatch serves Ice::LocatorRegistry.
func (s LocatorRegistryServant) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, _ *encoding.Encoder) (err error) {
	defer s.observe(cur.Operation, time.Now(), &err)
	switch cur.Operation {
	case "setAdapterDirectProxy":
		id := in.ReadString()
		p := reference.Read(in)
		if in.Err() != nil {
			return in.Err()
		}
		return mapError(s.Registry.SetAdapterDirectProxy(ctx, id, "", p))
	case "setReplicatedAdapterDirectProxy":
		id, group := in.ReadString(), in.ReadString()
		p := reference.Read(in)
		if in.Err() != nil {
			return in.Err()
		}
		if group == "" {
			return &ice.InvalidReplicaGroupIDException{}
		}
		return mapError(s.Registry.SetAdapterDirectProxy(ctx, id, group, p))
	case "setServerProcessProxy":
		id := in.ReadString()
		p := reference.Read(in)
		if in.Err() != nil {
			return in.Err()
		}
		if err := s.Registry.SetServerProcess(id, p); err != nil {
			return &ice.ServerNotFoundException{} // only deployed servers register a process
		}
		return nil
	default:
		return ice.ErrOperationNotExist
	}
}

// QueryServant is <instance>/Query.
type QueryServant struct{ *Server }

// IceID returns the most-derived type id.
func (QueryServant) IceID() string { return "::IceGrid::Query" }

// IceIDs returns the type ids, sorted.
func (QueryServant) IceIDs() []string { return []string{"::Ice::Object", "::IceGrid::Query"} }

// Dispatch serves IceGrid::Query. Not found is a null proxy or an empty sequence, never an
// exception (reference/icegrid.md §1.3).
func (s QueryServant) Dispatch(_ context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) (err error) {
	defer s.observe(cur.Operation, time.Now(), &err)
	switch cur.Operation {
	case "findObjectById":
		ref, _ := s.Registry.FindObject(in.ReadIdentity())
		reference.Write(out, ref)
	case "findObjectByType":
		reference.Write(out, s.Registry.FindObjectByType(in.ReadString()))
	case "findObjectByTypeOnLeastLoadedNode":
		t := in.ReadString()
		e := in.ReadEnum(2) // LoadSample1, LoadSample5, LoadSample15
		if in.Err() != nil {
			return in.Err()
		}
		reference.Write(out, s.Registry.FindObjectByTypeOnLeastLoadedNode(t, [...]int{1, 5, 15}[e]))
	case "findAllObjectsByType":
		refs := s.Registry.FindObjectsByType(in.ReadString())
		out.WriteSize(len(refs))
		for _, r := range refs {
			reference.Write(out, r)
		}
	case "findAllReplicas":
		p, members := s.replicas(reference.Read(in))
		writeReplicas(out, p, members)
	default:
		return ice.ErrOperationNotExist
	}
	return in.Err()
}

// replicas answers findAllReplicas (IceGrid's QueryI): the proxy to answer with and the member
// adapter ids behind it. A proxy without adapter id stands for the well-known object with its
// identity, and the object's registered proxy is used instead; nil members if the adapter id is
// not a replica group.
func (s QueryServant) replicas(p *reference.Reference) (*reference.Reference, []string) {
	if p == nil {
		return nil, nil
	}
	if p.AdapterID == "" {
		o, err := s.Registry.FindObject(p.Identity)
		if err != nil || o == nil {
			return nil, nil
		}
		p = o
	}
	if p.AdapterID == "" {
		return nil, nil
	}
	return p, s.Registry.ReplicaGroupMembers(p.AdapterID)
}

// writeReplicas writes one proxy per member: p with the member's adapter id.
func writeReplicas(out *encoding.Encoder, p *reference.Reference, members []string) {
	out.WriteSize(len(members))
	for _, m := range members {
		r := *p
		r.AdapterID = m
		reference.Write(out, &r)
	}
}

// RegistryServant is <instance>/Registry and <instance>/Registry-<ReplicaName>.
type RegistryServant struct{ *Server }

// IceID returns the most-derived type id.
func (RegistryServant) IceID() string { return "::IceGrid::Registry" }

// IceIDs returns the type ids, sorted.
func (RegistryServant) IceIDs() []string { return []string{"::Ice::Object", "::IceGrid::Registry"} }

// Dispatch serves IceGrid::Registry. Client sessions are package session's; admin sessions
// are not offered: their creation answers PermissionDeniedException with a reason that says so.
func (s RegistryServant) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) (err error) {
	defer s.observe(cur.Operation, time.Now(), &err)
	switch cur.Operation {
	case "getSessionTimeout", "getACMTimeout":
		out.WriteInt(s.SessionTimeout)
	case "createSession":
		user, password := in.ReadString(), in.ReadString()
		if in.Err() != nil {
			return in.Err()
		}
		if s.Sessions == nil {
			return &PermissionDeniedException{Reason: "this registry serves no client sessions"}
		}
		s.createSession(ctx, cur, out, user, password)
	case "createSessionFromSecureConnection":
		if s.Sessions == nil {
			return &PermissionDeniedException{Reason: "this registry serves no client sessions"}
		}
		return mapError(s.Sessions.CreateFromSecureConnection())
	case "createAdminSession", "createAdminSessionFromSecureConnection":
		return &PermissionDeniedException{Reason: "Floe does not offer Ice admin sessions; use floe admin or the HTTP API"}
	default:
		return ice.ErrOperationNotExist
	}
	return nil
}

// verifyTimeout bounds a call to a remote permissions verifier.
const verifyTimeout = 30 * time.Second

// createSession answers from another goroutine: checking the password may call a remote
// permissions verifier, and the Client adapter dispatches inline.
func (s RegistryServant) createSession(ctx context.Context, cur *ice.Current, out *encoding.Encoder, user, password string) {
	done := cur.Defer()
	go func() {
		vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
		defer cancel()
		p, err := s.Sessions.Create(vctx, cur.Conn, user, password)
		if err != nil {
			done(mapError(err))
			return
		}
		ice.WriteProxy(out, p)
		done(nil)
	}()
}

// LocatorFinderServant is Ice/LocatorFinder.
type LocatorFinderServant struct{ *Server }

// IceID returns the most-derived type id.
func (LocatorFinderServant) IceID() string { return "::Ice::LocatorFinder" }

// IceIDs returns the type ids, sorted.
func (LocatorFinderServant) IceIDs() []string {
	return []string{"::Ice::LocatorFinder", "::Ice::Object"}
}

// Dispatch serves Ice::LocatorFinder.
func (s LocatorFinderServant) Dispatch(_ context.Context, cur *ice.Current, _ *encoding.Decoder, out *encoding.Encoder) error {
	if cur.Operation != "getLocator" {
		return ice.ErrOperationNotExist
	}
	ice.WriteProxy(out, s.LocatorPrx)
	return nil
}
