// Package locator implements the Ice servants a registry serves to ordinary Ice clients and
// servers — Ice::Locator / IceGrid::Locator, Ice::LocatorRegistry, IceGrid::Query,
// IceGrid::Registry, IceGrid::Session and Ice::LocatorFinder — by decoding each request, asking
// package registry (or package session, for client sessions), and mapping their errors to the
// Ice exceptions IceGrid raises (mapError is the one place that does it). It holds no state of
// its own.
package locator

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/allocation"
	"floe/internal/registry"
	"floe/internal/session"
)

// Observer receives one call per served request; nil is allowed.
type Observer interface {
	ObserveRequest(op, result string, d time.Duration)
}

// Server holds what the servants share.
type Server struct {
	Registry       *registry.Registry
	Log            *slog.Logger
	Observer       Observer
	SessionTimeout int32            // seconds, IceGrid.Registry.SessionTimeout
	Sessions       *session.Manager // client sessions; nil: createSession is refused
	// WaitTime bounds how long a lookup waits for an on-demand server to register
	// (IceGrid.Node.WaitTime); 0 means 60 s.
	WaitTime time.Duration

	// Proxies of the registry's own objects, set by whoever creates the adapters.
	LocatorPrx, QueryPrx, RegistryPrx, LocalRegistryPrx, LocatorRegistryPrx *ice.Proxy
}

// observe wraps a servant body with metrics and logging of unexpected errors.
// err points at the servant's named result, read when the deferred call runs.
func (s *Server) observe(op string, start time.Time, err *error) {
	if s.Observer == nil {
		return
	}
	s.Observer.ObserveRequest(op, resultLabel(*err), time.Since(start))
}

func resultLabel(err error) string {
	var ue encoding.UserException
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ue):
		return ue.TypeID()
	default:
		return "error"
	}
}

// mapError turns registry, session and allocation errors into the Ice exceptions IceGrid
// raises. Errors that have no Ice counterpart become UnknownException (the Ice runtime does that
// for any other error).
func mapError(err error) error {
	var (
		denied        *session.PermissionDeniedError
		notRegistered *allocation.NotRegisteredError
		refused       *allocation.Error
	)
	switch {
	case errors.As(err, &denied):
		return &PermissionDeniedException{Reason: denied.Reason}
	case errors.Is(err, session.ErrDestroyed):
		return ice.ErrObjectNotExist
	case errors.As(err, &notRegistered):
		return &ObjectNotRegisteredException{ID: notRegistered.ID}
	case errors.Is(err, allocation.ErrTimeout):
		return &AllocationTimeoutException{}
	case errors.As(err, &refused):
		return &AllocationException{Reason: refused.Reason}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, registry.ErrAdapterNotFound), errors.Is(err, registry.ErrInvalidArgument):
		return &ice.AdapterNotFoundException{}
	case errors.Is(err, registry.ErrInvalidReplicaGroup):
		return &ice.InvalidReplicaGroupIDException{}
	case errors.Is(err, registry.ErrAdapterAlreadyActive):
		return &ice.AdapterAlreadyActiveException{}
	case errors.Is(err, registry.ErrObjectNotFound):
		return &ice.ObjectNotFoundException{}
	}
	return err
}

// adapterProxy is what findAdapterById returns: the endpoints under the placeholder identity
// "dummy", encoding 1.1 (ice-protocol.md §7.1).
func adapterProxy(eps []reference.Endpoint) *reference.Reference {
	if len(eps) == 0 {
		return nil
	}
	return &reference.Reference{Identity: encoding.Identity{Name: "dummy"}, Protocol: encoding.Version{Major: 1},
		Encoding: encoding.Encoding11, Endpoints: eps}
}

// waitTime is WaitTime or its default.
func (s *Server) waitTime() time.Duration {
	if s.WaitTime <= 0 {
		return 60 * time.Second
	}
	return s.WaitTime
}

// activate answers findAdapterById once l is complete: it starts the servers l needs and waits,
// bounded by WaitTime, for their adapters to register, without holding up the connection (the
// Client adapter dispatches inline).
func (s LocatorServant) activate(ctx context.Context, cur *ice.Current, out *encoding.Encoder, l *registry.Lookup) {
	done := cur.Defer()
	go func() {
		wctx, cancel := context.WithTimeout(ctx, s.waitTime())
		defer cancel()
		l.Activate(wctx)
		reference.Write(out, adapterProxy(l.Wait(wctx)))
		done(nil)
	}()
}

// startInBackground starts the servers of an answered lookup, as IceGrid activates a replica
// group's inactive members that come before the ones that answered.
func (s LocatorServant) startInBackground(l *registry.Lookup) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.waitTime())
		defer cancel()
		l.Activate(ctx)
	}()
}

// LocatorServant is <instance>/Locator.
type LocatorServant struct{ *Server }

// IceID returns the most-derived type id.
func (LocatorServant) IceID() string { return "::IceGrid::Locator" }

// IceIDs returns the type ids, sorted, as the real registry answers.
func (LocatorServant) IceIDs() []string {
	return []string{"::Ice::Locator", "::Ice::Object", "::IceGrid::Locator"}
}

// Dispatch serves Ice::Locator and IceGrid::Locator.
func (s LocatorServant) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) (err error) {
	defer s.observe(cur.Operation, time.Now(), &err)
	switch cur.Operation {
	case "findAdapterById":
		id := in.ReadString()
		if in.Err() != nil {
			return in.Err()
		}
		if p := s.Registry.RegisteredProxy(id); p != nil {
			reference.Write(out, p) // the proxy as the server registered it, as IceGrid answers
			return nil
		}
		l, err := s.Registry.Locate(id)
		if err != nil {
			return mapError(err)
		}
		if !l.Ready() {
			s.activate(ctx, cur, out, l) // waits for servers: answered from another goroutine
			return nil
		}
		reference.Write(out, adapterProxy(l.Endpoints()))
		if l.Starts() {
			s.startInBackground(l)
		}
	case "findObjectById":
		id := in.ReadIdentity()
		if in.Err() != nil {
			return in.Err()
		}
		ref, err := s.Registry.FindObject(id)
		if err != nil {
			return mapError(err)
		}
		reference.Write(out, ref)
	case "getRegistry":
		ice.WriteProxy(out, s.LocatorRegistryPrx)
	case "getLocalRegistry":
		ice.WriteProxy(out, s.LocalRegistryPrx)
	case "getLocalQuery":
		ice.WriteProxy(out, s.QueryPrx)
	default:
		return ice.ErrOperationNotExist
	}
	return nil
}
