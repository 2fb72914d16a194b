// Package ice is a Go runtime for ZeroC Ice 3.7: a Communicator holding properties, outgoing
// connections and a locator; proxies that invoke operations over protocol 1.0 with encodings 1.0
// and 1.1; object adapters that accept connections, dispatch requests to servants and register
// with a locator; and the Ice.Admin Process facet. Real C++, Java and Python Ice 3.7 programs talk
// to it unchanged.
//
// There is no Slice compiler for Go: operations are invoked and dispatched with hand-written
// marshaling code against package encoding. Framing lives in ice/protocol, proxies' stringified and
// binary forms in ice/reference, property files in ice/properties. The package knows nothing of
// IceGrid.
package ice

import (
	"floe/ice/encoding"
	"floe/ice/protocol"
	"floe/ice/reference"
)

// Aliases for the types users meet most, so that one import is enough for a simple program.
type (
	// Identity is Ice::Identity.
	Identity = encoding.Identity
	// OperationMode is Normal, Nonmutating or Idempotent.
	OperationMode = protocol.OperationMode
	// EncodingVersion is an encoding version such as 1.1.
	EncodingVersion = encoding.Version
	// Endpoint is a parsed endpoint (tcp, ssl, ws, wss, udp or opaque).
	Endpoint = reference.Endpoint
)

// The operation modes.
const (
	Normal      = protocol.Normal
	Nonmutating = protocol.Nonmutating
	Idempotent  = protocol.Idempotent
)
