// Package interop holds the interoperability tests between Floe's Go Ice runtime and real
// ZeroC Ice 3.7 peers (Python, from python3-zeroc-ice). The Go side of the Slice in
// testdata/Test.ice is written by hand in the test files.
package interop
