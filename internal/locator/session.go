package locator

import (
	"context"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/session"
)

// SessionServant is one client session, <instance>/<UUID> on the Client endpoints:
// IceGrid::Session and Glacier2::Session. Like IceGrid's SessionServantManager, it answers only
// the connection that created the session; a request from another one is answered
// ObjectNotExistException (Ice's built-in operations excepted: the Go runtime answers those
// before the servant sees them).
type SessionServant struct {
	*Server
	Session *session.Session
}

// IceID returns the most-derived type id.
func (SessionServant) IceID() string { return "::IceGrid::Session" }

// IceIDs returns the type ids, sorted.
func (SessionServant) IceIDs() []string {
	return []string{"::Glacier2::Session", "::Ice::Object", "::IceGrid::Session"}
}

// Dispatch serves IceGrid::Session. Allocations, releases and destroy may wait (for an object,
// or for a session server's node to stop it) and answer from another goroutine.
func (s SessionServant) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) (err error) {
	defer s.observe("Session."+cur.Operation, time.Now(), &err)
	if cur.Conn != s.Session.Conn() {
		return ice.ErrObjectNotExist
	}
	sess := s.Session
	switch cur.Operation {
	case "keepAlive":
		return mapError(sess.KeepAlive())
	case "setAllocationTimeout":
		ms := in.ReadInt()
		if in.Err() != nil {
			return in.Err()
		}
		sess.SetAllocationTimeout(ms)
	case "allocateObjectById":
		id := in.ReadIdentity()
		if in.Err() != nil {
			return in.Err()
		}
		answer(ctx, cur, out, func(ctx context.Context) (*reference.Reference, error) { return sess.AllocateByID(ctx, id) })
	case "allocateObjectByType":
		typ := in.ReadString()
		if in.Err() != nil {
			return in.Err()
		}
		answer(ctx, cur, out, func(ctx context.Context) (*reference.Reference, error) { return sess.AllocateByType(ctx, typ) })
	case "releaseObject":
		id := in.ReadIdentity()
		if in.Err() != nil {
			return in.Err()
		}
		later(ctx, cur, func(ctx context.Context) error { return sess.Release(ctx, id) })
	case "destroy":
		later(ctx, cur, sess.Destroy)
	default:
		return ice.ErrOperationNotExist
	}
	return nil
}

// answer runs an allocation on its own goroutine and answers with the proxy it returns.
func answer(ctx context.Context, cur *ice.Current, out *encoding.Encoder, f func(context.Context) (*reference.Reference, error)) {
	done := cur.Defer()
	go func() {
		p, err := f(ctx)
		if err != nil {
			done(mapError(err))
			return
		}
		reference.Write(out, p)
		done(nil)
	}()
}

// later runs f on its own goroutine and answers with its error.
func later(ctx context.Context, cur *ice.Current, f func(context.Context) error) {
	done := cur.Defer()
	go func() { done(mapError(f(ctx))) }()
}
