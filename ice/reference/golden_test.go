package reference_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// testdata/golden.json is printed by the real Ice 3.7.8. To regenerate it after changing the case
// lists in testdata/gen.py, run from the repository root (needs /usr/bin/python3 with `import Ice`):
//
//	/usr/bin/python3 ice/reference/testdata/gen.py > ice/reference/testdata/golden.json

type golden struct {
	Proxies          []goldenProxy    `json:"proxies"`
	Binary           []goldenBinary   `json:"binary"`
	AdapterEndpoints []goldenProxy    `json:"adapterEndpoints"` // only In and Err
	Identities       []goldenIdentity `json:"identities"`
	IdentityStrings  []goldenIdentity `json:"identityStrings"`
}

type goldenProxy struct {
	In       string `json:"in"`
	Defaults string `json:"defaults"`
	Err      string `json:"err"`  // Ice exception name
	Null     bool   `json:"null"` // Ice returned a null proxy
	Out      string `json:"out"`  // proxyToString
	V11      string `json:"v11"`  // binary form in encoding 1.1 (hex), or "ERR <exception>"
	V10      string `json:"v10"`
	Back11   string `json:"back11"` // proxyToString of what Ice decodes from V11
	Back10   string `json:"back10"`
}

type goldenBinary struct {
	Enc  string `json:"enc"`
	Hex  string `json:"hex"`
	Err  string `json:"err"`
	Null bool   `json:"null"`
	Out  string `json:"out"`
}

type goldenIdentity struct {
	In       string `json:"in"`
	Err      string `json:"err"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Out      string `json:"out"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// goldenDefaults are the Ice.Default.* settings gen.py used for each environment.
var goldenDefaults = map[string]reference.Defaults{
	"std": {},
	"alt": {Host: "h.example", Timeout: 1234, Encoding: encoding.Encoding10, Protocol: "ssl"},
}

// outputDeviations maps proxyToString outputs of Ice that Ice cannot parse back to what String
// prints instead (see the package comment). The keys use "-e 1.1"; the same holds with "-e 1.0".
// gen.py also feeds each value to Ice, and TestGoldenDeviationsParseInIce checks that Ice reads it
// back as the proxy it printed as the key.
var outputDeviations = map[string]string{
	`a -f -x -t -e 1.1`:                           `a -f "-x" -t -e 1.1`,
	`- -f - -t -e 1.1`:                            `- -f "-" -t -e 1.1`,
	`a -f - -t -e 1.1`:                            `a -f "-" -t -e 1.1`,
	`"x y\\" -t -e 1.1`:                           `"x y\134" -t -e 1.1`,
	`a -f "b c\\" -t -e 1.1`:                      `a -f "b c\134" -t -e 1.1`,
	`a -t -e 1.1 @ "b c\\"`:                       `a -t -e 1.1 @ "b c\134"`,
	`a -t -e 1.1:tcp -h a b -p 0 -t 60000`:        `a -t -e 1.1:tcp -h "a b" -p 0 -t 60000`,
	`a -t -e 1.1:ws -h x -p 5 -t 5 -r / b`:        `a -t -e 1.1:ws -h x -p 5 -t 5 -r "/ b"`,
	`a -t -e 1.1:tcp -h x y -p 0 -t 60000`:        `a -t -e 1.1:tcp -h "x y" -p 0 -t 60000`,
	`a -t -e 1.1:tcp -h x\y z -p 0 -t 60000`:      `a -t -e 1.1:tcp -h "x\y z" -p 0 -t 60000`,
	`a -t -e 1.1:tcp -h x y\\ -p 0 -t 60000`:      `a -t -e 1.1:tcp -h "x y"\\ -p 0 -t 60000`,
	`a -t -e 1.1:tcp -h a'b -p 0 -t 60000`:        `a -t -e 1.1:tcp -h "a'b" -p 0 -t 60000`,
	`a -t -e 1.1:tcp -h 'x -p 0 -t 60000`:         `a -t -e 1.1:tcp -h "'x" -p 0 -t 60000`,
	`a -t -e 1.1:ws -p 0 -t 60000 -r a b`:         `a -t -e 1.1:ws -p 0 -t 60000 -r "a b"`,
	`a -t -e 1.1:udp -h x y -p 0 --interface p q`: `a -t -e 1.1:udp -h "x y" -p 0 --interface "p q"`,
	`a -t -e 1.1:udp -h x y -p 0`:                 `a -t -e 1.1:udp -h "x y" -p 0`,
}

// floeString is Ice's proxyToString output as String prints it: without the line breaks Ice puts
// into long base64 values, and with the outputDeviations applied.
func floeString(ice string) string {
	ice = strings.ReplaceAll(ice, "\r\n", "")
	for _, v := range []string{"-e 1.1", "-e 1.0"} {
		if floe, ok := outputDeviations[strings.Replace(ice, v, "-e 1.1", 1)]; ok {
			return strings.Replace(floe, "-e 1.1", v, 1)
		}
	}
	return ice
}

// parseDeviations are inputs Ice accepts and Parse rejects: ports above 65535 inside opaque
// endpoints of known types.
var parseDeviations = map[string]bool{
	`a:opaque -t 1 -e 1.0 -v AXgAAAEABQAAAAA=`: true,
}

func TestGoldenProxies(t *testing.T) {
	for _, c := range loadGolden(t).Proxies {
		t.Run(c.Defaults+"/"+c.In, func(t *testing.T) {
			r, err := reference.Parse(c.In, goldenDefaults[c.Defaults])
			switch {
			case c.Err != "" || parseDeviations[c.In]:
				if err == nil {
					t.Fatalf("Parse(%q) = %q, want error (Ice: %s)", c.In, r, c.Err)
				}
				return
			case err != nil:
				t.Fatalf("Parse(%q): %v, want %q", c.In, err, c.Out)
			case c.Null:
				if r != nil {
					t.Fatalf("Parse(%q) = %q, want nil", c.In, r)
				}
				return
			}
			if got, want := r.String(), floeString(c.Out); got != want {
				t.Errorf("Parse(%q).String() = %q, want %q", c.In, got, want)
			}
			checkGoldenBinary(t, r, encoding.Encoding11, c.V11, c.Back11)
			checkGoldenBinary(t, r, encoding.Encoding10, c.V10, c.Back10)
		})
	}
}

// checkGoldenBinary compares Write(r) with Ice's bytes, and Read of those bytes with what Ice
// decoded from them.
func checkGoldenBinary(t *testing.T, r *reference.Reference, v encoding.Version, wantHex, back string) {
	t.Helper()
	if wantHex == "" || strings.HasPrefix(wantHex, "ERR") {
		return // Ice cannot marshal it (opaque endpoint in an unsupported encoding)
	}
	e := encoding.NewEncoder(nil, v)
	reference.Write(e, r)
	if got := hex.EncodeToString(e.Bytes()); got != wantHex {
		t.Errorf("Write(%v, %q) = %s, want %s", v, r, got, wantHex)
	}
	want, _ := hex.DecodeString(wantHex)
	d := encoding.NewDecoder(want, v)
	got := reference.Read(d)
	if err := d.Err(); err != nil {
		t.Fatalf("Read(%v, %s): %v", v, wantHex, err)
	}
	if s := got.String(); s != floeString(back) {
		t.Errorf("Read(%v, %s).String() = %q, want %q", v, wantHex, s, floeString(back))
	}
}

// TestGoldenDeviationsParseInIce checks that Ice parses each deviating String output back to the
// proxy it prints as the corresponding key of outputDeviations.
func TestGoldenDeviationsParseInIce(t *testing.T) {
	byInput := map[string]goldenProxy{}
	for _, c := range loadGolden(t).Proxies {
		if c.Defaults == "std" {
			byInput[c.In] = c
		}
	}
	for ice, floe := range outputDeviations {
		c, ok := byInput[floe]
		if !ok {
			t.Errorf("golden.json lacks %q: add it to gen.py", floe)
			continue
		}
		if c.Err != "" || c.Out != ice {
			t.Errorf("Ice parses %q as %q (%s), want %q", floe, c.Out, c.Err, ice)
		}
	}
}

var binaryDeviations = map[string]bool{ // port -1 and 70000 in endpoint bodies: Ice accepts them
	"016100000000010001010101001100000001010178ffffffff60ea000000": true,
}

func TestGoldenBinary(t *testing.T) {
	for _, c := range loadGolden(t).Binary {
		t.Run(c.Enc+"/"+c.Hex, func(t *testing.T) {
			data, err := hex.DecodeString(c.Hex)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := encoding.ParseVersion(c.Enc)
			d := encoding.NewDecoder(data, v)
			r := reference.Read(d)
			switch {
			case c.Err != "" || binaryDeviations[c.Hex]:
				if d.Err() == nil {
					t.Fatalf("Read(%s) = %q, want error (Ice: %s)", c.Hex, r, c.Err)
				}
				return
			case d.Err() != nil:
				t.Fatalf("Read(%s): %v, want %q", c.Hex, d.Err(), c.Out)
			case c.Null:
				if r != nil {
					t.Fatalf("Read(%s) = %q, want nil", c.Hex, r)
				}
				return
			}
			if got := r.String(); got != floeString(c.Out) {
				t.Errorf("Read(%s).String() = %q, want %q", c.Hex, got, floeString(c.Out))
			}
			if again := rewrite(t, r, v); !again.Equal(r) {
				t.Errorf("Read(Write(Read(%s))) = %q, want %q", c.Hex, again, r)
			}
		})
	}
}

// rewrite writes r in encoding v and reads it back.
func rewrite(t *testing.T, r *reference.Reference, v encoding.Version) *reference.Reference {
	t.Helper()
	e := encoding.NewEncoder(nil, v)
	reference.Write(e, r)
	d := encoding.NewDecoder(e.Bytes(), v)
	got := reference.Read(d)
	if err := d.Err(); err != nil {
		t.Fatalf("Read(Write(%q)) in %v: %v", r, v, err)
	}
	return got
}

func TestGoldenAdapterEndpoints(t *testing.T) {
	for _, c := range loadGolden(t).AdapterEndpoints {
		ep, err := reference.ParseAdapterEndpoint(c.In, reference.Defaults{})
		if (err != nil) != (c.Err != "") {
			t.Errorf("ParseAdapterEndpoint(%q) = %v, %v; Ice: %q", c.In, ep, err, c.Err)
		}
	}
}

func TestGoldenIdentities(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Identities {
		id, err := reference.ParseIdentity(c.In)
		if c.Err != "" {
			if err == nil {
				t.Errorf("ParseIdentity(%q) = %+v, want error (Ice: %s)", c.In, id, c.Err)
			}
			continue
		}
		want := encoding.Identity{Name: c.Name, Category: c.Category}
		if err != nil || id != want {
			t.Errorf("ParseIdentity(%q) = %+v, %v, want %+v", c.In, id, err, want)
		}
		if got := reference.IdentityString(id); got != c.Out {
			t.Errorf("IdentityString(%+v) = %q, want %q", id, got, c.Out)
		}
	}
	for _, c := range g.IdentityStrings {
		id := encoding.Identity{Name: c.Name, Category: c.Category}
		if got := reference.IdentityString(id); got != c.Out {
			t.Errorf("IdentityString(%+v) = %q, want %q", id, got, c.Out)
		}
	}
}
