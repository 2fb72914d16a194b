package reference_test

import (
	"encoding/hex"
	"errors"
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// Go-only checks of the binary form; the Ice-verified cases are in golden.json.

const head11 = `01 "a" 00 | 00 | 00 | 00 | 01 00 01 01` // identity "a", no facet, twoway, not secure, 1.0, 1.1

func TestReadRejects(t *testing.T) {
	tests := []struct {
		name string
		enc  encoding.Version
		spec string
	}{
		{"tcp port 70000", encoding.Encoding11, head11 + ` 01 01 00 11 00 00 00 01 01 01 "x" 70 11 01 00 60 ea 00 00 00`},
		{"tcp port -1", encoding.Encoding11, head11 + ` 01 01 00 11 00 00 00 01 01 01 "x" ff ff ff ff 60 ea 00 00 00`},
		{"udp port 65536", encoding.Encoding11, head11 + ` 01 03 00 0d 00 00 00 01 01 01 "x" 00 00 01 00 00`},
		{"ws port 65536", encoding.Encoding11, head11 + ` 01 04 00 13 00 00 00 01 01 01 "x" 00 00 01 00 60 ea 00 00 00 01 "/"`},
		{"tagged class member in endpoint body", encoding.Encoding11, head11 + ` 01 01 00 13 00 00 00 01 01 01 "x" 05 00 00 00 05 00 00 00 00 07 01`},
		{"negative tagged member size", encoding.Encoding11, head11 + ` 01 01 00 16 00 00 00 01 01 01 "x" 05 00 00 00 05 00 00 00 00 06 ff ff ff ff`},
		{"endpoint body too long in 1.1", encoding.Encoding11, head11 + ` 01 01 00 12 00 00 00 01 01 01 "x" 05 00 00 00 05 00 00 00 00 00`},
		{"endpoint encapsulation shorter than 6", encoding.Encoding11, head11 + ` 01 63 00 05 00 00 00 01 01`},
		{"endpoint encapsulation past the end", encoding.Encoding11, head11 + ` 01 63 00 09 00 00 00 01 01 00`},
		{"opaque endpoint in encoding 1.2", encoding.Encoding11, head11 + ` 01 63 00 07 00 00 00 01 02 00`},
		{"opaque endpoint in encoding 2.0", encoding.Encoding10, `01 "a" 00 00 00 00 01 63 00 07 00 00 00 02 00 00`},
		{"two facets", encoding.Encoding11, `01 "a" 00 02 01 "f" 01 "g" 00 00 01 00 01 01 00 00`},
		{"mode 5", encoding.Encoding11, `01 "a" 00 00 05 00 01 00 01 01 00 00`},
		{"2^31-1 endpoints", encoding.Encoding11, head11 + ` ff ff ff ff 7f`},
		{"negative endpoint count", encoding.Encoding11, head11 + ` ff ff ff ff ff`},
		{"adapter id past the end", encoding.Encoding11, head11 + ` 00 05 "abc"`},
		{"empty input", encoding.Encoding11, ``},
		{"category only, truncated", encoding.Encoding11, `00 01`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := encoding.NewDecoder(icetest.Wire(t, tt.spec), tt.enc)
			if r := reference.Read(d); d.Err() == nil {
				t.Fatalf("Read(%s) = %q, want an error", tt.spec, r)
			} else if r != nil {
				t.Errorf("Read(%s) = %q with error %v, want nil", tt.spec, r, d.Err())
			}
		})
	}
}

func TestReadErrorsAreUnmarshalErrors(t *testing.T) {
	for _, spec := range []string{
		head11 + ` 01 01 00 11 00 00 00 01 01 01 "x" 70 11 01 00 60 ea 00 00 00`,
		`01 "a" 00 00 05 00 01 00 01 01 00 00`,
	} {
		d := encoding.NewDecoder(icetest.Wire(t, spec), encoding.Encoding11)
		reference.Read(d)
		if !errors.Is(d.Err(), encoding.ErrUnmarshal) {
			t.Errorf("Read(%s): error %v, want one wrapping encoding.ErrUnmarshal", spec, d.Err())
		}
	}
}

// TestReadTruncated checks that every strict prefix of a valid proxy is an error.
func TestReadTruncated(t *testing.T) {
	full := icetest.Wire(t, `05 "admin" 0d "MyServerAdmin" 01 07 "Process" 00 00 01 00 01 01 02 01 00 19 00 00 00 01 01 09 "127.0.0.1" f5 2e 00 00 60 ea 00 00 00 63 00 08 00 00 00 01 01 ab cd`)
	for n := range full {
		d := encoding.NewDecoder(full[:n], encoding.Encoding11)
		if r := reference.Read(d); d.Err() == nil {
			t.Errorf("Read(% x) = %q, want an error", full[:n], r)
		}
	}
	d := encoding.NewDecoder(full, encoding.Encoding11)
	if r := reference.Read(d); d.Err() != nil || len(r.Endpoints) != 2 {
		t.Errorf("Read(% x) = %q, %v, want two endpoints", full, r, d.Err())
	}
}

// TestReadAllocations checks that a huge endpoint count is rejected before anything is allocated
// for it.
func TestReadAllocations(t *testing.T) {
	data := icetest.Wire(t, head11+` ff fe ff ff 7f 01 00 06 00 00 00 01 01`)
	allocs := testing.AllocsPerRun(100, func() {
		d := encoding.NewDecoder(data, encoding.Encoding11)
		reference.Read(d)
	})
	if allocs > 10 {
		t.Errorf("Read of a 2^31 endpoint count: %v allocations, want at most 10", allocs)
	}
}

func TestReadDoesNotAliasInput(t *testing.T) {
	data := icetest.Wire(t, head11+` 01 63 00 08 00 00 00 01 01 ab cd`)
	d := encoding.NewDecoder(data, encoding.Encoding11)
	r := reference.Read(d)
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	for i := range data {
		data[i] = 0
	}
	op := r.Endpoints[0].(reference.OpaqueEndpoint)
	if r.Identity.Name != "a" || hex.EncodeToString(op.Bytes) != "abcd" {
		t.Errorf("after clearing the input, Read gave %q", r)
	}
}

func TestWrite(t *testing.T) {
	udp := reference.UDPEndpoint{Host: "x", Port: 5, Compress: true, TTL: 3, Connect: true, Interface: "eth0"}
	opaque10 := reference.OpaqueEndpoint{Kind: 99, Encoding: encoding.Encoding10, Bytes: []byte{0xab}}
	direct := reference.New(encoding.Identity{Name: "a"}).WithEndpoints([]reference.Endpoint{udp})
	direct.AdapterID = "ignored"
	tests := []struct {
		name string
		enc  encoding.Version
		r    *reference.Reference
		want string
	}{
		{"nil", encoding.Encoding11, nil, `00 00`},
		{"nil 1.0", encoding.Encoding10, nil, `00 00`},
		{"empty identity", encoding.Encoding11, &reference.Reference{Facet: "f", AdapterID: "x"}, `00 00`},
		{"udp 1.1, adapter id ignored", encoding.Encoding11, direct,
			head11 + ` 01 03 00 0d 00 00 00 01 01 01 "x" 05 00 00 00 01`},
		{"udp 1.0 carries protocol and encoding", encoding.Encoding10, direct,
			`01 "a" 00 00 00 00 01 03 00 11 00 00 00 01 00 01 "x" 05 00 00 00 01 00 01 00 01`},
		{"opaque keeps its encoding", encoding.Encoding11, direct.WithEndpoints([]reference.Endpoint{opaque10}),
			head11 + ` 01 63 00 07 00 00 00 01 00 ab`},
		{"facet, mode, secure, versions", encoding.Encoding11,
			&reference.Reference{Identity: encoding.Identity{Name: "n", Category: "c"}, Facet: "f", Mode: reference.BatchDatagram,
				Secure: true, Protocol: encoding.Version{Major: 1, Minor: 2}, Encoding: encoding.Version{Major: 3, Minor: 4}, AdapterID: "ad"},
			`01 "n" 01 "c" 01 01 "f" 04 01 01 02 03 04 00 02 "ad"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := encoding.NewEncoder(nil, tt.enc)
			reference.Write(e, tt.r)
			if got, want := e.Bytes(), icetest.Wire(t, tt.want); !equalBytes(got, want) {
				t.Errorf("Write(%q) = % x, want % x", tt.r, got, want)
			}
		})
	}
}
