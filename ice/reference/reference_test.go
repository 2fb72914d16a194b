package reference_test

import (
	"testing"

	"floe/ice/encoding"
	"floe/ice/reference"
)

func TestNew(t *testing.T) {
	r := reference.New(encoding.Identity{Name: "hello"})
	if got, want := r.String(), "hello -t -e 1.1"; got != want {
		t.Errorf("New(hello).String() = %q, want %q", got, want)
	}
	if !r.IsIndirect() || !r.IsWellKnown() {
		t.Errorf("New(hello): IsIndirect %v, IsWellKnown %v, want both", r.IsIndirect(), r.IsWellKnown())
	}
}

func TestDerive(t *testing.T) {
	tcp := reference.TCPEndpoint{Host: "h", Port: 1, Timeout: 60000}
	eps := []reference.Endpoint{tcp}
	r := reference.New(encoding.Identity{Name: "a"}).WithAdapterID("A")
	if got, want := r.String(), "a -t -e 1.1 @ A"; got != want || !r.IsIndirect() || r.IsWellKnown() {
		t.Errorf("WithAdapterID: %q (indirect %v, well-known %v), want %q", got, r.IsIndirect(), r.IsWellKnown(), want)
	}
	direct := r.WithEndpoints(eps)
	eps[0] = reference.TCPEndpoint{Host: "changed"}
	if got, want := direct.String(), "a -t -e 1.1:tcp -h h -p 1 -t 60000"; got != want || direct.AdapterID != "" {
		t.Errorf("WithEndpoints: %q, adapter %q, want %q and no adapter", got, direct.AdapterID, want)
	}
	if r.String() != "a -t -e 1.1 @ A" {
		t.Errorf("WithEndpoints changed its receiver: %q", r)
	}
	renamed := direct.WithIdentity(encoding.Identity{Name: "b", Category: "c"})
	if got, want := renamed.String(), "c/b -t -e 1.1:tcp -h h -p 1 -t 60000"; got != want {
		t.Errorf("WithIdentity: %q, want %q", got, want)
	}
	back := direct.WithAdapterID("B")
	if len(back.Endpoints) != 0 || back.AdapterID != "B" || len(direct.Endpoints) != 1 {
		t.Errorf("WithAdapterID on a direct proxy: %q (receiver %q)", back, direct)
	}
	c := direct.Clone()
	c.Endpoints[0] = reference.UDPEndpoint{}
	if !reference.EqualEndpoints(direct.Endpoints[0], tcp) {
		t.Errorf("Clone shares its endpoints with the original: %q", direct)
	}
	if (*reference.Reference)(nil).Clone() != nil {
		t.Error("nil.Clone() != nil")
	}
}

func TestEqual(t *testing.T) {
	op := func(b ...byte) reference.Endpoint {
		return reference.OpaqueEndpoint{Kind: 9, Encoding: encoding.Encoding11, Bytes: b}
	}
	base := reference.New(encoding.Identity{Name: "a"})
	withOp := base.WithEndpoints([]reference.Endpoint{op(1, 2)})
	withUDP := base.WithEndpoints([]reference.Endpoint{reference.UDPEndpoint{TTL: -1}})
	tests := []struct {
		name string
		a, b *reference.Reference
		want bool
	}{
		{"nil nil", nil, nil, true},
		{"nil non-nil", nil, base, false},
		{"same", base, base.Clone(), true},
		{"facet", base, &reference.Reference{Identity: base.Identity, Facet: "f", Protocol: base.Protocol, Encoding: base.Encoding}, false},
		{"adapter", base, base.WithAdapterID("x"), false},
		{"adapter ignored when direct", withOp, func() *reference.Reference { c := withOp.Clone(); c.AdapterID = "x"; return c }(), true},
		{"opaque bytes equal", withOp, base.WithEndpoints([]reference.Endpoint{op(1, 2)}), true},
		{"opaque bytes differ", withOp, base.WithEndpoints([]reference.Endpoint{op(1, 3)}), false},
		{"endpoint types differ", withOp, withUDP, false},
		{"endpoint count differs", withUDP, base.WithEndpoints(append(withUDP.Endpoints, withUDP.Endpoints...)), false},
		{"encoding", base, func() *reference.Reference { c := base.Clone(); c.Encoding = encoding.Encoding10; return c }(), false},
	}
	for _, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.want {
			t.Errorf("%s: Equal(%q, %q) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.Equal(tt.a); got != tt.want {
			t.Errorf("%s: Equal(%q, %q) = %v, want %v", tt.name, tt.b, tt.a, got, tt.want)
		}
	}
}
