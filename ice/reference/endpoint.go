package reference

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"floe/ice/encoding"
)

// Endpoint types on the wire (ice-protocol.md §6.2).
const (
	TypeTCP int16 = 1
	TypeSSL int16 = 2
	TypeUDP int16 = 3
	TypeWS  int16 = 4
	TypeWSS int16 = 5
)

// Endpoint is one endpoint of a direct proxy. The implementations are TCPEndpoint, WSEndpoint,
// UDPEndpoint and OpaqueEndpoint, used as values; no other type can implement it.
type Endpoint interface {
	// Type is the endpoint type written before the endpoint body.
	Type() int16
	// String is the endpoint as Ice's proxyToString prints it, e.g. "tcp -h 127.0.0.1 -p 4061 -t 60000".
	String() string

	// writeBody appends the body inside the endpoint encapsulation, in ep.Encoding().
	writeBody(e *encoding.Encoder)
}

// TCPEndpoint is a tcp (type 1) or, with SSL set, an ssl (type 2) endpoint; both share one body.
type TCPEndpoint struct {
	SSL           bool
	Host          string // "" = Ice.Default.Host was empty
	Port          uint16
	Timeout       int32  // ms; -1 = infinite
	Compress      bool   // -z
	SourceAddress string // --sourceAddress, a numeric IP in Ice's canonical form; not sent on the wire
}

// WSEndpoint is a ws (type 4) or, with SSL set, a wss (type 5) endpoint: a TCP body plus the HTTP
// resource.
type WSEndpoint struct {
	TCPEndpoint
	Resource string // -r; "/" when a string leaves it out
}

// UDPEndpoint is a udp (type 3) endpoint. Only Host, Port and Compress are sent on the wire.
type UDPEndpoint struct {
	Host          string
	Port          uint16
	Compress      bool   // -z
	Connect       bool   // -c
	TTL           int32  // --ttl; -1 = unset
	Interface     string // --interface
	SourceAddress string // --sourceAddress
}

// OpaqueEndpoint is an endpoint of a type this package does not interpret (bt, iap, …). Its body
// is kept verbatim so that it can be written back unchanged.
type OpaqueEndpoint struct {
	Kind     int16            // the endpoint type
	Encoding encoding.Version // the version of the endpoint encapsulation
	Bytes    []byte           // the encapsulation data; not modified once in an endpoint
}

// Type returns TypeTCP or TypeSSL.
func (ep TCPEndpoint) Type() int16 {
	if ep.SSL {
		return TypeSSL
	}
	return TypeTCP
}

// Type returns TypeWS or TypeWSS.
func (ep WSEndpoint) Type() int16 {
	if ep.SSL {
		return TypeWSS
	}
	return TypeWS
}

// Type returns TypeUDP.
func (ep UDPEndpoint) Type() int16 { return TypeUDP }

// Type returns the endpoint type.
func (ep OpaqueEndpoint) Type() int16 { return ep.Kind }

// String formats ep as Ice's TcpEndpointI / SSL EndpointI do.
func (ep TCPEndpoint) String() string {
	if ep.SSL {
		return "ssl" + ep.options()
	}
	return "tcp" + ep.options()
}

// options formats the options shared by tcp, ssl, ws and wss.
func (ep TCPEndpoint) options() string {
	var b strings.Builder
	writeIPOptions(&b, ep.Host, ep.Port, ep.SourceAddress)
	if ep.Timeout == -1 {
		b.WriteString(" -t infinite")
	} else {
		b.WriteString(" -t ")
		b.WriteString(strconv.Itoa(int(ep.Timeout)))
	}
	if ep.Compress {
		b.WriteString(" -z")
	}
	return b.String()
}

// String formats ep as Ice's WSEndpoint does.
func (ep WSEndpoint) String() string {
	s := "ws" + ep.options()
	if ep.SSL {
		s = "wss" + ep.options()
	}
	if ep.Resource != "" {
		s += " -r " + formatArg(ep.Resource)
	}
	return s
}

// String formats ep as Ice's UdpEndpointI does.
func (ep UDPEndpoint) String() string {
	var b strings.Builder
	b.WriteString("udp")
	writeIPOptions(&b, ep.Host, ep.Port, ep.SourceAddress)
	if ep.Interface != "" {
		b.WriteString(" --interface ")
		b.WriteString(formatArg(ep.Interface))
	}
	if ep.TTL != -1 {
		b.WriteString(" --ttl ")
		b.WriteString(strconv.Itoa(int(ep.TTL)))
	}
	if ep.Connect {
		b.WriteString(" -c")
	}
	if ep.Compress {
		b.WriteString(" -z")
	}
	return b.String()
}

// String formats ep as Ice's OpaqueEndpointI does, except that the base64 value is never broken
// into lines.
func (ep OpaqueEndpoint) String() string {
	var b strings.Builder
	b.WriteString("opaque")
	if ep.Kind > -1 {
		b.WriteString(" -t ")
		b.WriteString(strconv.Itoa(int(ep.Kind)))
	}
	b.WriteString(" -e ")
	b.WriteString(ep.Encoding.String())
	if len(ep.Bytes) > 0 {
		b.WriteString(" -v ")
		b.WriteString(base64.StdEncoding.EncodeToString(ep.Bytes))
	}
	return b.String()
}

// writeIPOptions writes the IPEndpointI options: -h (when set), -p and --sourceAddress (when set).
func writeIPOptions(b *strings.Builder, host string, port uint16, source string) {
	if host != "" {
		b.WriteString(" -h ")
		b.WriteString(formatArg(host))
	}
	b.WriteString(" -p ")
	b.WriteString(strconv.Itoa(int(port)))
	if source != "" {
		b.WriteString(" --sourceAddress ")
		b.WriteString(formatArg(source))
	}
}

// formatArg formats an endpoint option value. Ice quotes a value only when it contains ':'; this
// also quotes values holding whitespace or a single quote, which Ice prints so that they cannot be
// parsed back. Trailing backslashes stay outside the quotes (inside, \" would escape the closing
// quote). A value holding '"' is printed as Ice prints it: no quoting makes it survive Ice's
// endpoint splitting in every position.
func formatArg(v string) string {
	if !strings.ContainsAny(v, ": \t\n\r'") {
		return v
	}
	if strings.Contains(v, `"`) {
		if strings.Contains(v, ":") {
			return `"` + v + `"`
		}
		return v
	}
	body := strings.TrimRight(v, `\`)
	return `"` + body + `"` + v[len(body):]
}

// EqualEndpoints reports whether a and b are the same endpoint, including the fields that are not
// sent on the wire.
func EqualEndpoints(a, b Endpoint) bool {
	oa, okA := a.(OpaqueEndpoint)
	ob, okB := b.(OpaqueEndpoint)
	if okA || okB {
		return okA && okB && oa.Kind == ob.Kind && oa.Encoding == ob.Encoding && bytes.Equal(oa.Bytes, ob.Bytes)
	}
	return a == b
}
