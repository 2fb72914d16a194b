// Package descriptors holds the differential tests of internal/descriptor: every descriptor of
// the ice-demos corpus and of internal/descriptor/testdata is loaded into a real IceGrid 3.7.8
// (icegridnode with a collocated registry plus two more nodes, on 127.0.0.1), and what IceGrid
// shows — server ids, "server describe", adapters, replica groups, well-known objects and the
// configuration files its nodes write — must equal Floe's expansion of the same file. Invalid
// descriptors must be rejected by both, at the same line or with the same reason. The tests are
// in the _test.go files; without the IceGrid binaries they skip, and fail when CI is set.
package descriptors
