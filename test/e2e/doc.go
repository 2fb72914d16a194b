// Package e2e holds Floe's differential end-to-end tests: the same scenarios, driven by real
// Python Ice 3.7 programs (testdata/probe.py and ../interop/testdata/server.py), run against the
// real icegridregistry 3.7.8 and against the built `floe registry` binary — or, for deployed
// applications, icegridnode 3.7.8 and floe registry each with a collocated node — and the
// normalised observations of every target must be equal. Everything is driven through processes on
// 127.0.0.1; the package imports no Floe code. The tests are in the _test.go files; see README.md.
package e2e
