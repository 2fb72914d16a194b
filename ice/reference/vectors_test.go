package reference_test

import (
	"strings"
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// The proxy vectors of ice-protocol.md §6.1, §6.2 and §7, all captured from Ice 3.7.8.
var protocolVectors = []struct {
	name   string
	enc    encoding.Version
	prefix string // wire bytes of the parameters before the proxy, skipped by the test
	proxy  string // the proxy's wire bytes
	str    string // its stringified form; "" for the null proxy
}{
	{"6.1 null 1.1", encoding.Encoding11, "", `00 00`, ""},
	{"6.1 null 1.0", encoding.Encoding10, "", `00 00`, ""},
	{"6.1 direct 1.1", encoding.Encoding11, "",
		`05 "dummy" 00 | 00 | 00 | 00 | 01 00 01 01 | 01 | 01 00 | 19 00 00 00 01 01 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`,
		`dummy -t -e 1.1:tcp -h 127.0.0.1 -p 12011 -t 60000`},
	{"6.1 direct 1.0", encoding.Encoding10, "",
		`05 "dummy" 00 | 00 | 00 | 00 | 01 | 01 00 | 19 00 00 00 01 00 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`,
		`dummy -t -e 1.0:tcp -h 127.0.0.1 -p 12011 -t 60000`},
	{"6.1 indirect", encoding.Encoding11, "",
		`05 "hello" 00 | 00 | 00 | 00 | 01 00 01 01 | 00 | 09 "MyAdapter"`, `hello -t -e 1.1 @ MyAdapter`},
	{"7.1 findAdapterById reply", encoding.Encoding11, "",
		`05 64 75 6d 6d 79 00 00 00 00 01 00 01 01 01 01 00 19 00 00 00 01 01 09 31 32 37 2e 30 2e 30 2e 31 eb 2e 00 00 60 ea 00 00 00`,
		`dummy -t -e 1.1:tcp -h 127.0.0.1 -p 12011 -t 60000`},
	{"7.1 findAdapterById reply 1.0", encoding.Encoding10, "",
		`05 "dummy" 00 00 00 00 01 01 00 19 00 00 00 01 00 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`,
		`dummy -t -e 1.0:tcp -h 127.0.0.1 -p 12011 -t 60000`},
	{"7.2 setAdapterDirectProxy", encoding.Encoding11, `09 "MyAdapter"`,
		`05 "dummy" 00 00 00 00 01 00 01 01 01 01 00 19 00 00 00 01 01 09 "127.0.0.1" eb 2e 00 00 60 ea 00 00 00`,
		`dummy -t -e 1.1:tcp -h 127.0.0.1 -p 12011 -t 60000`},
	{"7.2 setAdapterDirectProxy null", encoding.Encoding11, `09 "MyAdapter"`, `00 00`, ""},
	{"7.2 setReplicatedAdapterDirectProxy null", encoding.Encoding11, `0b "MyAdapter.1" 07 "MyGroup"`, `00 00`, ""},
	{"7.3 setServerProcessProxy", encoding.Encoding11, `08 "MyServer"`,
		`05 "admin" 0d "MyServerAdmin" 01 07 "Process" 00 00 01 00 01 01 01 01 00 19 00 00 00 01 01 09 "127.0.0.1" f5 2e 00 00 60 ea 00 00 00`,
		`MyServerAdmin/admin -f Process -t -e 1.1:tcp -h 127.0.0.1 -p 12021 -t 60000`},
	{"7.4 findAllReplicas", encoding.Encoding11, "",
		`05 "hello" 00 00 00 00 01 00 01 01 00 09 "MyAdapter"`, `hello -t -e 1.1 @ MyAdapter`},
}

func TestProtocolVectors(t *testing.T) {
	for _, v := range protocolVectors {
		t.Run(v.name, func(t *testing.T) {
			prefix, proxy := icetest.Wire(t, v.prefix), icetest.Wire(t, v.proxy)
			d := encoding.NewDecoder(append(append([]byte(nil), prefix...), proxy...), v.enc)
			d.ReadBytes(len(prefix))
			r := reference.Read(d)
			if err := d.Err(); err != nil {
				t.Fatalf("Read: %v", err)
			}
			if d.Remaining() != 0 {
				t.Errorf("Read left %d bytes", d.Remaining())
			}
			if got := r.String(); got != v.str {
				t.Errorf("Read(%s).String() = %q, want %q", v.proxy, got, v.str)
			}
			e := encoding.NewEncoder(nil, v.enc)
			reference.Write(e, r)
			if got := e.Bytes(); !equalBytes(got, proxy) {
				t.Errorf("Write(%q) = % x, want % x", r, got, proxy)
			}
			if v.str == "" {
				return
			}
			parsed, err := reference.Parse(v.str, reference.Defaults{})
			if err != nil || !parsed.Equal(r) {
				t.Errorf("Parse(%q) = %q, %v, want %q", v.str, parsed, err, r)
			}
		})
	}
}

// TestEndpointBodyVector checks the TCP body example of ice-protocol.md §6.2.
func TestEndpointBodyVector(t *testing.T) {
	body := icetest.Wire(t, `19 00 00 00 01 01 | 09 "127.0.0.1" | eb 2e 00 00 | 60 ea 00 00 | 00`)
	ep := reference.TCPEndpoint{Host: "127.0.0.1", Port: 12011, Timeout: 60000}
	r := reference.New(encoding.Identity{Name: "dummy"}).WithEndpoints([]reference.Endpoint{ep})
	e := encoding.NewEncoder(nil, encoding.Encoding11)
	reference.Write(e, r)
	if got := e.Bytes(); !strings.HasSuffix(string(got), "\x01\x00"+string(body)) {
		t.Errorf("Write(%q) = % x, want it to end with 01 00 % x", r, got, body)
	}
}

func equalBytes(a, b []byte) bool { return string(a) == string(b) }
