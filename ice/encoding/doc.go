// Package encoding implements the Ice data encoding, versions 1.0 and 1.1: primitives, sizes,
// strings, sequences, dictionaries, encapsulations, optional (tagged) members, user exceptions and
// classes (compact and sliced formats). Reference: reference/ice-protocol.md §3–§5.
//
// Encoders append to a byte slice; decoders keep a sticky error: read a whole structure, then
// check Err once.
//
// Classes and exceptions (§4, §5): a Slice class implements Value and an exception
// UserException; both write and read their slices, most-derived first, between
// StartSlice/EndSlice. WriteValue/ReadValue handle references, sharing and cycles, the 1.0
// pending instances, the 1.1 type-id table, inline instances (compact) and indirection tables
// (sliced); Decoder.ValueFactory makes instances and unknown types are sliced off when the
// format allows it. WriteException/ReadException handle user exceptions. Depth is bounded by
// Decoder.MaxClassDepth. Every size read from the wire is checked against the bytes left before anything
// is allocated. The package knows nothing about messages (see ice/protocol) or proxies (see
// ice/reference).
package encoding
