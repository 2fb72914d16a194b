package store

import (
	"strings"
	"testing"

	"floe/ice/reference"
)

// TestMarshalNotUTF8: JSON replaced bytes that are not UTF-8 with U+FFFD, so a record read back
// was not the one written (another adapter id, another descriptor). Marshal refuses them.
func TestMarshalNotUTF8(t *testing.T) {
	p, err := reference.Parse("dummy:tcp -h 127.0.0.1 -p 1", recordDefaults)
	if err != nil {
		t.Fatal(err)
	}
	for name, marshal := range map[string]func() ([]byte, error){
		"adapter id":  func() ([]byte, error) { return MarshalAdapter(&Adapter{ID: "A\x91", Proxy: p}) },
		"object type": func() ([]byte, error) { return MarshalObject(&Object{Identity: p.Identity, Type: "::T\xff", Proxy: p}) },
		"descriptor": func() ([]byte, error) {
			return MarshalApplication(&Application{Name: "A", Descriptor: []byte("<!-- caf\xe9 -->")})
		},
	} {
		if b, err := marshal(); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
			t.Errorf("%s not UTF-8: Marshal = %s, %v; want an error", name, b, err)
		}
	}
}

// TestUnmarshalInvalidKeys: records with keys the registry never writes ("." as an adapter id,
// a replica group id with NUL, an identity that is not UTF-8) were accepted.
func TestUnmarshalInvalidKeys(t *testing.T) {
	for _, rec := range []string{
		`{"id":".","proxy":"x:tcp -p 1"}`,
		`{"id":"A","replicaGroupId":"a\u0000b","proxy":"x:tcp -p 1"}`,
		`{"id":"A","proxy":"\"\\200\":tcp -p 1"}`,
	} {
		if a, err := UnmarshalAdapter([]byte(rec)); err == nil {
			t.Errorf("UnmarshalAdapter(%s) = %+v, want an error", rec, a)
		}
	}
	for _, rec := range []string{
		`{"identity":"\\200","proxy":"x:tcp -p 1"}`,
		`{"identity":"x","type":"` + strings.Repeat("t", MaxKeyLen+1) + `","proxy":"x:tcp -p 1"}`,
	} {
		if o, err := UnmarshalObject([]byte(rec)); err == nil {
			t.Errorf("UnmarshalObject(%.60s) = %+v, want an error", rec, o)
		}
	}
}
