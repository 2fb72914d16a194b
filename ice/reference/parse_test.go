package reference_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// Go-only checks of the string forms; the Ice-verified cases are in golden.json.

var (
	enc10 = encoding.Encoding10
	enc11 = encoding.Encoding11
)

func TestParseFields(t *testing.T) {
	def := reference.Defaults{Host: "h", Timeout: -1, Encoding: enc10, Protocol: "ws"}
	tests := []struct {
		in   string
		def  reference.Defaults
		want *reference.Reference
	}{
		{"", reference.Defaults{}, nil},
		{`""`, reference.Defaults{}, nil},
		{" '' ", reference.Defaults{}, nil},
		{"c/n", reference.Defaults{}, &reference.Reference{Identity: encoding.Identity{Name: "n", Category: "c"},
			Protocol: reference.Protocol10, Encoding: enc11}},
		{"n -f f -O -s -p 1.2 -e 1.0 @ ad", reference.Defaults{}, &reference.Reference{Identity: encoding.Identity{Name: "n"},
			Facet: "f", Mode: reference.BatchOneway, Secure: true, Protocol: encoding.Version{Major: 1, Minor: 2},
			Encoding: enc10, AdapterID: "ad"}},
		{"n:default -p 2:tcp:udp -p 3 -c", def, &reference.Reference{Identity: encoding.Identity{Name: "n"},
			Protocol: reference.Protocol10, Encoding: enc10, Endpoints: []reference.Endpoint{
				reference.WSEndpoint{TCPEndpoint: reference.TCPEndpoint{Host: "h", Port: 2, Timeout: -1}, Resource: "/"},
				reference.TCPEndpoint{Host: "h", Timeout: -1},
				reference.UDPEndpoint{Host: "h", Port: 3, Connect: true, TTL: -1},
			}}},
		{"n -e 1.1:tcp -t 5", reference.Defaults{Timeout: -7}, &reference.Reference{Identity: encoding.Identity{Name: "n"},
			Protocol: reference.Protocol10, Encoding: enc11, Endpoints: []reference.Endpoint{reference.TCPEndpoint{Timeout: 5}}}},
		{"n:tcp", reference.Defaults{Timeout: -7}, &reference.Reference{Identity: encoding.Identity{Name: "n"},
			Protocol: reference.Protocol10, Encoding: enc11, Endpoints: []reference.Endpoint{reference.TCPEndpoint{Timeout: 60000}}}},
	}
	for _, tt := range tests {
		got, err := reference.Parse(tt.in, tt.def)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		want reference.Endpoint
	}{
		{"tcp -h 127.0.0.1 -p 4061", reference.TCPEndpoint{Host: "127.0.0.1", Port: 4061, Timeout: 60000}},
		{"ssl -p 1 -t infinite -z --sourceAddress 10.1", reference.TCPEndpoint{SSL: true, Port: 1, Timeout: -1, Compress: true, SourceAddress: "10.0.0.1"}},
		{`wss -h "::1" -r /a`, reference.WSEndpoint{TCPEndpoint: reference.TCPEndpoint{SSL: true, Host: "::1", Timeout: 60000}, Resource: "/a"}},
		{"udp -h 239.0.0.1 -p 5 --ttl 0 --interface lo -z", reference.UDPEndpoint{Host: "239.0.0.1", Port: 5, TTL: 0, Interface: "lo", Compress: true}},
		{"opaque -t 9 -e 1.1 -v AQI=", reference.OpaqueEndpoint{Kind: 9, Encoding: enc11, Bytes: []byte{1, 2}}},
		{"opaque -t 1 -e 1.0 -v AXgFAAAABQAAAAA=", reference.TCPEndpoint{Host: "x", Port: 5, Timeout: 5}},
		{"default", reference.TCPEndpoint{Timeout: 60000}},
	}
	for _, tt := range tests {
		got, err := reference.ParseEndpoint(tt.in, reference.Defaults{})
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseEndpoint(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
		if s := got.String(); tt.in != "default" && !strings.HasPrefix(tt.in, "opaque -t 1") {
			if back, err := reference.ParseEndpoint(s, reference.Defaults{}); err != nil || !reference.EqualEndpoints(back, got) {
				t.Errorf("ParseEndpoint(%q) = %v, %v, want %v", s, back, err, got)
			}
		}
	}
}

func TestParseAdapterEndpoint(t *testing.T) {
	def := reference.Defaults{Host: "h"}
	tests := []struct {
		in   string
		want reference.Endpoint // nil: an error
	}{
		{"tcp -h * -p 4061", reference.TCPEndpoint{Port: 4061, Timeout: 60000}},
		{"tcp -p 4061", reference.TCPEndpoint{Host: "h", Port: 4061, Timeout: 60000}},
		{"ws -h * -r /x", reference.WSEndpoint{TCPEndpoint: reference.TCPEndpoint{Timeout: 60000}, Resource: "/x"}},
		{"udp -h 239.0.0.1 --interface *", reference.UDPEndpoint{Host: "239.0.0.1", TTL: -1}},
		{"tcp -h * --sourceAddress 127.0.0.1", nil},
		{"bt -a x", nil},
	}
	for _, tt := range tests {
		got, err := reference.ParseAdapterEndpoint(tt.in, def)
		if tt.want == nil {
			if err == nil {
				t.Errorf("ParseAdapterEndpoint(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAdapterEndpoint(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseAdapterEndpoint(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
	if ep, err := reference.ParseEndpoint("tcp -h *", def); err == nil {
		t.Errorf("ParseEndpoint(%q) = %v, want an error (-h * is for adapters only)", "tcp -h *", ep)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"a:bt -a x", "a:tcp -h *", "a -x", "a/", `"a`, "a @", "a:opaque -t 1 -v AA==", "a:tcp -p 65536"} {
		_, err := reference.Parse(in, reference.Defaults{})
		var pe *reference.ParseError
		if !errors.As(err, &pe) || pe.Input != in {
			t.Errorf("Parse(%q): error %v, want a *ParseError for the input", in, err)
		}
	}
	for _, in := range []string{"bt -a x", "", "tcp -h", "tcp:udp"} {
		if ep, err := reference.ParseEndpoint(in, reference.Defaults{}); err == nil {
			t.Errorf("ParseEndpoint(%q) = %v, want an error", in, ep)
		}
	}
	// An opaque endpoint of a known type with a bad body fails with the decoding error.
	_, err := reference.Parse("a:opaque -t 1 -e 1.1 -v AA==", reference.Defaults{})
	if !errors.Is(err, encoding.ErrUnmarshal) {
		t.Errorf("Parse of a truncated opaque tcp endpoint: %v, want encoding.ErrUnmarshal", err)
	}
}

// TestStringQuoting checks references whose String differs from Ice's so that it parses back (see
// the package comment), built directly rather than parsed.
func TestStringQuoting(t *testing.T) {
	tcp := func(host string) reference.Endpoint {
		return reference.TCPEndpoint{Host: host, Port: 1, Timeout: 60000}
	}
	base := reference.New(encoding.Identity{Name: "a"})
	tests := []struct {
		r    *reference.Reference
		want string
	}{
		{base.WithEndpoints([]reference.Endpoint{tcp("x y")}), `a -t -e 1.1:tcp -h "x y" -p 1 -t 60000`},
		{base.WithEndpoints([]reference.Endpoint{tcp(`x y\\`)}), `a -t -e 1.1:tcp -h "x y"\\ -p 1 -t 60000`},
		{base.WithEndpoints([]reference.Endpoint{tcp("a'b:c")}), `a -t -e 1.1:tcp -h "a'b:c" -p 1 -t 60000`},
		{base.WithEndpoints([]reference.Endpoint{tcp("::1")}), `a -t -e 1.1:tcp -h "::1" -p 1 -t 60000`},
		{base.WithEndpoints([]reference.Endpoint{reference.WSEndpoint{TCPEndpoint: reference.TCPEndpoint{Timeout: -1}, Resource: "/a\tb"}}),
			"a -t -e 1.1:ws -p 0 -t infinite -r \"/a\tb\""},
		{base.WithEndpoints([]reference.Endpoint{reference.OpaqueEndpoint{Kind: 7, Encoding: enc11, Bytes: make([]byte, 60)}}),
			"a -t -e 1.1:opaque -t 7 -e 1.1 -v " + strings.Repeat("A", 80)},
		{base.WithIdentity(encoding.Identity{Name: `x y\`}), `"x y\134" -t -e 1.1`},
		{&reference.Reference{Identity: encoding.Identity{Name: "a"}, Facet: "-x", Protocol: reference.Protocol10, Encoding: enc11}, `a -f "-x" -t -e 1.1`},
		{base.WithAdapterID(`b @\`), `a -t -e 1.1 @ "b @\134"`},
	}
	for _, tt := range tests {
		s := tt.r.String()
		if s != tt.want {
			t.Errorf("String() = %q, want %q", s, tt.want)
		}
		back, err := reference.Parse(s, reference.Defaults{})
		if err != nil || !back.Equal(tt.r) {
			t.Errorf("Parse(%q) = %q, %v, want %q", s, back, err, tt.r)
		}
	}
}

func TestIdentityBytes(t *testing.T) {
	// Octal escapes can produce invalid UTF-8; it is printed raw, as Ice does, and reads back.
	id, err := reference.ParseIdentity(`\377\303/x`)
	if err != nil || id != (encoding.Identity{Name: "x", Category: "\xff\xc3"}) {
		t.Fatalf("ParseIdentity = %+v, %v", id, err)
	}
	s := reference.IdentityString(id)
	if s != "\xff\xc3/x" {
		t.Errorf("IdentityString(%+v) = %q, want %q", id, s, "\xff\xc3/x")
	}
	if back, err := reference.ParseIdentity(s); err != nil || back != id {
		t.Errorf("ParseIdentity(%q) = %+v, %v, want %+v", s, back, err, id)
	}
}
