// Package hello is the Go side of ice-demos' IceGrid "simple" Slice (Hello.ice):
//
//	module Demo { interface Hello { idempotent void sayHello(); void shutdown(); } }
//
// It provides a client stub and a servant helper, written by hand against floe/ice.
package hello

import (
	"context"

	"floe/ice"
	"floe/ice/encoding"
)

// TypeID is the Slice type id of Demo::Hello.
const TypeID = "::Demo::Hello"

// Prx calls Demo::Hello through a proxy.
type Prx struct{ *ice.Proxy }

// SayHello calls the idempotent sayHello operation.
func (p Prx) SayHello(ctx context.Context) error {
	return p.Invoke(ctx, &ice.Request{Operation: "sayHello", Mode: ice.Idempotent})
}

// Shutdown calls shutdown.
func (p Prx) Shutdown(ctx context.Context) error {
	return p.Invoke(ctx, &ice.Request{Operation: "shutdown", Mode: ice.Normal})
}

// Servant adapts an implementation to ice.Object.
type Servant struct {
	// SayHello and Shutdown implement the two operations.
	SayHello func(ctx context.Context, cur *ice.Current) error
	Shutdown func(ctx context.Context, cur *ice.Current) error
}

// IceID returns the most-derived type id.
func (s *Servant) IceID() string { return TypeID }

// IceIDs returns every type id, sorted.
func (s *Servant) IceIDs() []string { return []string{TypeID, "::Ice::Object"} }

// Dispatch serves one request.
func (s *Servant) Dispatch(ctx context.Context, cur *ice.Current, _ *encoding.Decoder, _ *encoding.Encoder) error {
	switch cur.Operation {
	case "sayHello":
		return s.SayHello(ctx, cur)
	case "shutdown":
		return s.Shutdown(ctx, cur)
	default:
		return ice.ErrOperationNotExist
	}
}
