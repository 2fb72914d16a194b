// Package reference implements Ice 3.7 proxy references: everything about a proxy except its
// connection. A Reference holds the identity, facet, invocation mode, security flag, protocol and
// encoding versions, and either endpoints (a direct proxy) or an adapter id (an indirect proxy; no
// adapter id and no endpoints makes a well-known proxy).
//
// The package converts references between three forms and keeps them interoperable with ZeroC Ice
// 3.7.8 (the test suite compares against golden data printed by the real Ice):
//
//   - the stringified form (Parse, Reference.String, ParseEndpoint, ParseIdentity, IdentityString),
//     reference/ice-protocol.md §6.3;
//   - the binary form inside Ice-encoded data (Read, Write), §6.1 and §6.2;
//   - Go values (Reference, TCPEndpoint, WSEndpoint, UDPEndpoint, OpaqueEndpoint).
//
// It does not resolve, connect or invoke: locating indirect proxies is the locator's job, sockets
// and requests belong to the runtime built on ice/protocol, and the wire primitives (sizes,
// strings, encapsulations) come from ice/encoding. It parses endpoints as proxy endpoints only;
// object adapter endpoint syntax (-h *, published endpoints) is left to the adapter code.
//
// Known, deliberate differences from Ice 3.7 (all in inputs Ice itself cannot round-trip):
//
//   - Read rejects ports outside 0..65535 (Ice accepts and prints them), and a class instance in a
//     tagged member of an endpoint body (Ice would try to decode it).
//   - String never breaks long opaque base64 values with "\r\n" (Ice does, and then cannot parse
//     its own output); it quotes endpoint hosts, resources and interfaces that contain whitespace or
//     a single quote, facets that start with '-', and writes a final backslash of a quoted
//     identity, facet or adapter id as \134. Ice prints those unquoted or as \\ and cannot parse
//     them back.
//   - Zone names in --sourceAddress are kept as written; Ice checks that the interface exists.
package reference
