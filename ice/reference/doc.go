// Package reference implements Ice 3.7 proxy references: everything about a proxy except its
// connection. A Reference holds the identity, facet, invocation mode, security flag, protocol and
// encoding versions, and either endpoints (a direct proxy) or an adapter id (an indirect proxy; no
// adapter id and no endpoints makes a well-known proxy).
//
// The package converts references between three forms and keeps them interoperable with ZeroC Ice
// 3.7.8 (the tests compare against golden data printed by the real Ice, see testdata/gen.py):
//
//   - the stringified form (Parse, Reference.String, ParseEndpoint, ParseAdapterEndpoint,
//     ParseIdentity, IdentityString), reference/ice-protocol.md §6.3;
//   - the binary form inside Ice-encoded data (Read, Write), §6.1 and §6.2;
//   - Go values (Reference, TCPEndpoint, WSEndpoint, UDPEndpoint, OpaqueEndpoint).
//
// It does not resolve, connect or invoke: locating indirect proxies is the locator's job, sockets
// and requests belong to the runtime built on ice/protocol, and the wire primitives (sizes,
// strings, encapsulations) come from ice/encoding. It knows the endpoint types tcp, ssl, udp, ws
// and wss (as an Ice with IceSSL loaded does); other types are kept opaque.
//
// String output parses back to an equal Reference, except for values the string syntax cannot
// express, which only binary data or opaque endpoint bodies can produce: an empty name, a version
// 0.x, a host, resource or interface that holds '"' or starts with '-', the host "*", an empty ws
// resource, a timeout of 0 or below other than -1 (infinite).
//
// Deliberate differences from Ice 3.7:
//
//   - Read (and Parse, for opaque endpoints of a known type) rejects ports outside 0..65535, which
//     Ice accepts, and a class instance in a tagged member of an endpoint body, which Ice would
//     try to decode.
//   - String never breaks long opaque base64 values with "\r\n"; it quotes endpoint hosts,
//     resources and interfaces that contain whitespace or a single quote, and facets that start
//     with '-'; it writes the final backslash of a quoted identity, facet or adapter id as \134.
//     Ice prints those so that it cannot parse them back.
package reference
