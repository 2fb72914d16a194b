// Package icegrid holds Go types for the IceGrid descriptor Slice (IceGrid/Descriptor.ice) and
// the ServerInfo and ApplicationInfo structs of IceGrid/Admin.ice, with their Ice encoding.
//
// Structs have Write and Read methods; Slice classes implement encoding.Value, and ValueFactory
// makes them when decoding. Class-typed fields hold interfaces (Communicator, Server, Policy) so
// that derived classes fit where the Slice names a base. The wire rules are those of
// reference/ice-protocol.md §3 and §5; IceGrid's registry sends descriptors in the compact
// format (§5.5).
//
// Read methods store class members when the decoder makes them available, which in encoding 1.0
// is at the end of the encapsulation: read into the final location (a variable, a slice element)
// and do not copy the value before EndEncapsulation.
//
// This package only marshals. Parsing and validating IceGrid XML, expanding templates and
// deciding what to deploy belong to internal/descriptor and internal/registry.
package icegrid
