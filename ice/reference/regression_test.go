package reference_test

import (
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// Regression tests for bugs found by the fuzzers and by comparing fuzzer inputs with the real Ice.
// Each input is also in testdata/fuzz/ under a name saying what broke.

// \U escapes with eight hex digits above 0x7fffffff overflowed a rune and were accepted as U+FFFD;
// Ice rejects every code point above U+10FFFF.
func TestRegressionUniversalNameAboveInt32(t *testing.T) {
	for _, s := range []string{`\Uaaaa0000`, `\UFFFFFFFF`, `\U80000000`} {
		if id, err := reference.ParseIdentity(s); err == nil {
			t.Errorf("ParseIdentity(%q) = %+v, want an error", s, id)
		}
		if r, err := reference.Parse("a -f "+s, reference.Defaults{}); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", "a -f "+s, r)
		}
	}
}

// A tagged member of the class format in an endpoint body was rejected; Ice reads it as a class
// reference and ignores a null or a back-reference.
func TestRegressionTaggedClassReferenceInEndpointBody(t *testing.T) {
	for _, tail := range []string{`07 00`, `07 05`, `f7 1f 00`} {
		spec := head11 + ` 01 01 00 ` + sizeByte(17+len(icetest.Wire(t, tail))) + ` 00 00 00 01 01 01 "x" 05 00 00 00 05 00 00 00 00 ` + tail
		d := encoding.NewDecoder(icetest.Wire(t, spec), encoding.Encoding11)
		r := reference.Read(d)
		if err := d.Err(); err != nil || r.String() != "a -t -e 1.1:tcp -h x -p 5 -t 5" {
			t.Errorf("Read(%s) = %q, %v", spec, r, err)
		}
	}
	if _, err := reference.Parse("0:opaque -t 1 -e 1.1 -v AA00AAA00000008", reference.Defaults{}); err != nil {
		t.Errorf("Parse of an opaque tcp endpoint ending in a tagged class reference: %v", err)
	}
}

func sizeByte(n int) string {
	return string("0123456789abcdef"[n>>4]) + string("0123456789abcdef"[n&15])
}
