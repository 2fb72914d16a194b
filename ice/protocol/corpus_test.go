package protocol_test

import (
	"flag"
	"strings"
	"testing"

	"floe/ice/icetest"
)

var updateCorpus = flag.Bool("update", false, "rewrite the golden seeds of testdata/fuzz")

// namedSeeds returns the golden messages of the package by name: the seeds of FuzzRequest, and,
// with the header error cases, of FuzzParseHeader.
func namedSeeds(tb testing.TB) map[string][]byte {
	tb.Helper()
	seeds := map[string][]byte{
		"validate-connection": icetest.Wire(tb, validateConnectionWire),
		"close-connection":    icetest.Wire(tb, closeConnectionWire),
		"compressed-request":  capturedCompressed(tb),
		"zip-bomb":            zipBomb(tb),
	}
	for _, g := range goldenRequests {
		seeds["request-"+seedName(g.name)] = icetest.Wire(tb, g.wire)
	}
	for _, g := range goldenReplies {
		seeds["reply-"+seedName(g.name)] = icetest.Wire(tb, string(g.wire))
	}
	return seeds
}

func seedName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r - 'A' + 'a'
		}
		return '-'
	}, s)
}

// TestFuzzCorpus keeps the golden messages in the committed seed corpora (-update rewrites them).
func TestFuzzCorpus(t *testing.T) {
	headerSeeds := namedSeeds(t)
	for name, b := range namedSeeds(t) {
		if len(b) > 14 {
			headerSeeds[name] = b[:14]
		}
	}
	headerSeeds["error-encoding-1.1"] = icetest.Wire(t, `49 63 65 50 01 00 01 01 00 00 41 00 00 00`)
	headerSeeds["error-protocol-2.0"] = icetest.Wire(t, `49 63 65 50 02 00 01 00 00 00 41 00 00 00`)
	headerSeeds["error-size-13"] = icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 0d 00 00 00`)
	headerSeeds["error-size-over-limit"] = icetest.Wire(t, `49 63 65 50 01 00 01 00 00 00 01 00 10 00`)
	headerSeeds["error-validate-size-15"] = icetest.Wire(t, `49 63 65 50 01 00 01 00 03 00 0f 00 00 00`)
	for target, seeds := range map[string]map[string][]byte{"FuzzParseHeader": headerSeeds, "FuzzRequest": namedSeeds(t)} {
		named := map[string][]byte{}
		for name, b := range seeds {
			named["seed-"+name] = b
		}
		icetest.SyncCorpus(t, target, named, *updateCorpus, "go test -run TestFuzzCorpus -update")
	}
}
