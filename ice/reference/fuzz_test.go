package reference_test

import (
	"strings"
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// The seed corpora in testdata/fuzz/ hold every proxy string and binary vector of golden.json
// (binary seeds start with a byte that selects the encoding, see decodeFuzzInput) and every input
// the fuzzers found; each finding also has a named regression case in regression_test.go.

// FuzzParse checks that Parse never panics, that String of a parsed reference parses back to an
// equal reference (when the string syntax can express it), and that the binary form round-trips
// everything it carries.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"hello", `a -f x -o -s -e 1.0 @ "b c"`, "a:tcp -h x -p 1:ws -r /x:udp -c --ttl 5",
		"a:opaque -t 99 -v AA==", `"a b"/\u00e9 -p 2.0:ssl -h "::1" --sourceAddress 127.1 -t infinite -z`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := reference.Parse(s, reference.Defaults{})
		if err != nil || r == nil {
			return
		}
		checkStringRoundTrip(t, r)
		for _, v := range []encoding.Version{encoding.Encoding10, encoding.Encoding11} {
			if !opaqueWritable(r) {
				break
			}
			got := rewrite(t, r, v)
			if want := wireOnly(r, v); !got.Equal(want) {
				t.Fatalf("Read(Write(%q)) in %v = %q, want %q", r, v, got, want)
			}
		}
	})
}

// FuzzRead checks that Read never panics, that Write of what it read reads back equal and is
// canonical (writing it again gives the same bytes), and that String parses back when the string
// syntax can express the reference.
func FuzzRead(f *testing.F) {
	f.Add([]byte{1, 0, 0})
	f.Add(append([]byte{1}, icetest.Wire(f, `05 "dummy" 00 00 00 00 01 00 01 01 01 01 00 19 00 00 00 01 01 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, data := decodeFuzzInput(data)
		d := encoding.NewDecoder(data, v)
		r := reference.Read(d)
		if d.Err() != nil {
			return
		}
		e := encoding.NewEncoder(nil, v)
		reference.Write(e, r)
		first := e.Bytes()
		d = encoding.NewDecoder(first, v)
		again := reference.Read(d)
		if err := d.Err(); err != nil || d.Remaining() != 0 || !again.Equal(r) {
			t.Fatalf("Read(Write(%q)) = %q, %v (%d bytes left)", r, again, err, d.Remaining())
		}
		e = encoding.NewEncoder(nil, v)
		reference.Write(e, again)
		if string(e.Bytes()) != string(first) {
			t.Fatalf("Write is not canonical for %q: % x, then % x", r, first, e.Bytes())
		}
		if r != nil {
			checkStringRoundTrip(t, r)
		}
	})
}

// decodeFuzzInput splits a FuzzRead input: the low bit of the first byte selects encoding 1.1
// (set) or 1.0, the rest is the data.
func decodeFuzzInput(data []byte) (encoding.Version, []byte) {
	if len(data) == 0 {
		return encoding.Encoding11, nil
	}
	if data[0]&1 == 0 {
		return encoding.Encoding10, data[1:]
	}
	return encoding.Encoding11, data[1:]
}

// checkStringRoundTrip checks that r.String() parses back to r, unless r holds something the
// string syntax cannot express.
func checkStringRoundTrip(t *testing.T, r *reference.Reference) {
	t.Helper()
	s := r.String()
	if !expressible(r) {
		return
	}
	back, err := reference.Parse(s, reference.Defaults{})
	if err != nil {
		t.Fatalf("Parse(%q.String() = %q): %v", r, s, err)
	}
	if !back.Equal(r) {
		t.Fatalf("Parse(%q) = %#v, want %#v", s, back, r)
	}
	if again := back.String(); again != s {
		t.Fatalf("String is not stable: %q, then %q", s, again)
	}
}

// expressible reports whether the stringified syntax can express r, so that Parse(r.String())
// must give r back. What it cannot express only comes from binary data or opaque endpoints: an
// empty name, version 0.x, a host or resource holding '"' or starting with '-', the host "*", an
// empty ws resource, a timeout of 0 or below other than -1, and opaque endpoints without a type
// or bytes (or of a type that is parsed into a specific endpoint).
func expressible(r *reference.Reference) bool {
	if r.Identity.Name == "" || r.Protocol.Major == 0 || r.Encoding.Major == 0 {
		return false
	}
	for _, ep := range r.Endpoints {
		if !endpointExpressible(ep) {
			return false
		}
	}
	return true
}

func endpointExpressible(ep reference.Endpoint) bool {
	switch ep := ep.(type) {
	case reference.TCPEndpoint:
		return tcpExpressible(ep)
	case reference.WSEndpoint:
		return tcpExpressible(ep.TCPEndpoint) && ep.Resource != "" && argExpressible(ep.Resource)
	case reference.UDPEndpoint:
		return hostExpressible(ep.Host) && ep.Interface != "*" && (ep.Interface == "" || argExpressible(ep.Interface))
	case reference.OpaqueEndpoint:
		known := ep.Kind >= reference.TypeTCP && ep.Kind <= reference.TypeWSS
		return ep.Kind >= 0 && !known && len(ep.Bytes) > 0 && ep.Encoding.Major != 0
	}
	return false
}

func tcpExpressible(ep reference.TCPEndpoint) bool {
	return hostExpressible(ep.Host) && (ep.Timeout == -1 || ep.Timeout > 0)
}

func hostExpressible(h string) bool { return h == "" || h != "*" && argExpressible(h) }

func argExpressible(v string) bool { return !strings.Contains(v, `"`) && !strings.HasPrefix(v, "-") }

// opaqueWritable reports whether every opaque endpoint of r has an encoding Read accepts.
func opaqueWritable(r *reference.Reference) bool {
	for _, ep := range r.Endpoints {
		if op, ok := ep.(reference.OpaqueEndpoint); ok && !op.Encoding.Supported() {
			return false
		}
	}
	return true
}

// wireOnly returns what of r survives the binary form in encoding v: no source addresses, no udp
// connect/ttl/interface, and in 1.0 protocol and encoding 1.0.
func wireOnly(r *reference.Reference, v encoding.Version) *reference.Reference {
	c := r.Clone()
	if v == encoding.Encoding10 {
		c.Protocol, c.Encoding = reference.Protocol10, encoding.Encoding10
	}
	for i, ep := range c.Endpoints {
		switch ep := ep.(type) {
		case reference.TCPEndpoint:
			ep.SourceAddress = ""
			c.Endpoints[i] = ep
		case reference.WSEndpoint:
			ep.SourceAddress = ""
			c.Endpoints[i] = ep
		case reference.UDPEndpoint:
			c.Endpoints[i] = reference.UDPEndpoint{Host: ep.Host, Port: ep.Port, Compress: ep.Compress, TTL: -1}
		}
	}
	return c
}
