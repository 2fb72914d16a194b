// Package protocol implements the framing of Ice protocol 1.0: the 14-byte message header, the
// five message types, request and reply bodies and bzip2-compressed messages. It deals only in
// []byte and io; connections, dispatch and retries live in package ice. Reference:
// reference/ice-protocol.md §1 and §2.
package protocol
