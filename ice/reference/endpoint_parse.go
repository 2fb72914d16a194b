package reference

import (
	"errors"
	"fmt"

	"floe/ice/encoding"
)

// ParseEndpoint parses one stringified proxy endpoint (ice-protocol.md §6.3): "tcp", "ssl", "ws",
// "wss", "udp" or "opaque" followed by options, or "default" for def.Protocol. What the string
// leaves out comes from def. An opaque endpoint of a type this package knows (1 to 5) is decoded
// into that type, as Ice does.
func ParseEndpoint(s string, def Defaults) (Endpoint, error) {
	return parseKnownEndpoint(s, def, false)
}

// ParseAdapterEndpoint parses one object adapter endpoint, as in <adapter>.Endpoints: the syntax
// of ParseEndpoint, except that "-h *" is accepted and means all interfaces (an empty Host, as in
// Ice), "--interface *" likewise gives an empty Interface, and --sourceAddress is rejected.
func ParseAdapterEndpoint(s string, def Defaults) (Endpoint, error) {
	return parseKnownEndpoint(s, def, true)
}

func parseKnownEndpoint(s string, def Defaults, oa bool) (Endpoint, error) {
	ep, err := parseEndpoint(s, s, def, oa)
	if err == nil && ep == nil {
		return nil, parseErrorf(s, "unknown endpoint protocol")
	}
	return ep, err
}

// parseEndpoint parses the endpoint s, part of input, as a proxy endpoint or, if oa is set, as an
// object adapter endpoint. It returns nil and no error for a protocol it does not know, which Parse
// skips as Ice does.
func parseEndpoint(input, s string, def Defaults, oa bool) (Endpoint, error) {
	words, ok := splitWords(s)
	if !ok {
		return nil, endpointError(input, s, errors.New("mismatched quote"))
	}
	if len(words) == 0 {
		return nil, endpointError(input, s, errors.New("value has no non-whitespace characters"))
	}
	proto, args := words[0], words[1:]
	if proto == "default" {
		proto = def.protocol()
	}
	var (
		ep   Endpoint
		rest []string
		err  error
	)
	switch proto {
	case "tcp", "ssl":
		ep, rest, err = parseTCP(args, proto == "ssl", def, oa)
	case "ws", "wss":
		ep, rest, err = parseWS(args, proto == "wss", def, oa)
	case "udp":
		ep, rest, err = parseUDP(args, def, oa)
	case "opaque":
		ep, rest, err = parseOpaque(args)
	default:
		return nil, nil
	}
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unrecognized argument %q", rest[0])
	}
	if err != nil {
		return nil, endpointError(input, s, err)
	}
	return ep, nil
}

func endpointError(input, s string, err error) *ParseError {
	return &ParseError{Input: input, Reason: fmt.Sprintf("invalid endpoint %q", s), Err: err}
}

// ipOptions collects the options of Ice's IPEndpointI: -h, -p and --sourceAddress.
type ipOptions struct {
	host, source string
	port         uint16
}

// check handles the IPEndpointI options, which are matched exactly.
func (o *ipOptions) check(opt, arg string) (bool, error) {
	if opt != "-h" && opt != "-p" && opt != "--sourceAddress" {
		return false, nil
	}
	if arg == "" {
		return true, fmt.Errorf("no argument provided for %s option", opt)
	}
	switch opt {
	case "-h":
		o.host = arg
	case "-p":
		p, ok := parseInt32(arg)
		if !ok || p < 0 || p > 65535 {
			return true, fmt.Errorf("invalid port value %q", arg)
		}
		o.port = uint16(p)
	default:
		a, ok := canonicalAddress(arg)
		if !ok {
			return true, fmt.Errorf("invalid IP address provided for --sourceAddress option: %q", arg)
		}
		o.source = a
	}
	return true, nil
}

// finish applies Ice.Default.Host, turns "-h *" into all interfaces ("") for object adapter
// endpoints and rejects it for proxy endpoints, and rejects --sourceAddress for object adapter
// endpoints (IPEndpointI::initWithOptions).
func (o *ipOptions) finish(def Defaults, oa bool) error {
	switch {
	case o.host == "":
		o.host = def.Host
	case o.host == "*" && oa:
		o.host = ""
	case o.host == "*":
		return errors.New("`-h *' not valid for proxy endpoint")
	}
	if oa && o.source != "" {
		return errors.New("`--sourceAddress' not valid for object adapter endpoint")
	}
	return nil
}

// parseTCP parses tcp and ssl options (TcpEndpointI: -t and -z are matched on their second
// character only, as in Ice) and returns the words it does not know.
func parseTCP(args []string, ssl bool, def Defaults, oa bool) (TCPEndpoint, []string, error) {
	var ip ipOptions
	ep := TCPEndpoint{SSL: ssl, Timeout: def.timeout()}
	rest, err := walkOptions(args, func(opt, arg string) (bool, error) {
		if known, err := ip.check(opt, arg); known || err != nil {
			return known, err
		}
		switch opt[1] {
		case 't':
			t, err := parseTimeout(arg)
			ep.Timeout = t
			return true, err
		case 'z':
			if arg != "" {
				return true, fmt.Errorf("unexpected argument %q provided for -z option", arg)
			}
			ep.Compress = true
			return true, nil
		}
		return false, nil
	})
	if err == nil {
		err = ip.finish(def, oa)
	}
	ep.Host, ep.Port, ep.SourceAddress = ip.host, ip.port, ip.source
	return ep, rest, err
}

// parseTimeout parses the argument of -t: "infinite" or a positive number of milliseconds.
func parseTimeout(arg string) (int32, error) {
	if arg == "" {
		return 0, errors.New("no argument provided for -t option")
	}
	if arg == "infinite" {
		return -1, nil
	}
	t, ok := parseInt32(arg)
	if !ok || t < 1 {
		return 0, fmt.Errorf("invalid timeout value %q", arg)
	}
	return t, nil
}

// parseWS parses ws and wss: the tcp/ssl options first, then -r (matched on its second character)
// among the words left over, as Ice's WSEndpointFactory does.
func parseWS(args []string, ssl bool, def Defaults, oa bool) (WSEndpoint, []string, error) {
	tcp, rest, err := parseTCP(args, ssl, def, oa)
	if err != nil {
		return WSEndpoint{}, nil, err
	}
	ep := WSEndpoint{TCPEndpoint: tcp}
	rest, err = walkOptions(rest, func(opt, arg string) (bool, error) {
		if opt[1] != 'r' {
			return false, nil
		}
		if arg == "" {
			return true, errors.New("no argument provided for -r option")
		}
		ep.Resource = arg
		return true, nil
	})
	if ep.Resource == "" {
		ep.Resource = "/"
	}
	return ep, rest, err
}

// parseUDP parses udp options (UdpEndpointI, all matched exactly).
func parseUDP(args []string, def Defaults, oa bool) (UDPEndpoint, []string, error) {
	var ip ipOptions
	ep := UDPEndpoint{TTL: -1}
	rest, err := walkOptions(args, func(opt, arg string) (bool, error) {
		if known, err := ip.check(opt, arg); known || err != nil {
			return known, err
		}
		return ep.check(opt, arg)
	})
	if err == nil {
		err = ip.finish(def, oa)
	}
	switch {
	case err == nil && ep.Interface == "*" && oa:
		ep.Interface = ""
	case err == nil && ep.Interface == "*":
		err = errors.New("`--interface *' not valid for proxy endpoint")
	}
	ep.Host, ep.Port, ep.SourceAddress = ip.host, ip.port, ip.source
	return ep, rest, err
}

// check handles the udp-only options -c, -z, -v and -e (obsolete, checked and ignored), --ttl and
// --interface.
func (ep *UDPEndpoint) check(opt, arg string) (bool, error) {
	switch opt {
	case "-c", "-z":
		if arg != "" {
			return true, fmt.Errorf("unexpected argument %q provided for %s option", arg, opt)
		}
		ep.Connect = ep.Connect || opt == "-c"
		ep.Compress = ep.Compress || opt == "-z"
	case "-v", "-e", "--ttl", "--interface":
		if arg == "" {
			return true, fmt.Errorf("no argument provided for %s option", opt)
		}
	default:
		return false, nil
	}
	switch opt {
	case "-v", "-e":
		if _, err := parseVersion(arg); err != nil {
			return true, err
		}
	case "--ttl":
		t, ok := parseInt32(arg)
		if !ok || t < 0 {
			return true, fmt.Errorf("invalid TTL value %q", arg)
		}
		ep.TTL = t
	case "--interface":
		ep.Interface = arg
	}
	return true, nil
}

// parseOpaque parses "opaque -t type -e X.Y -v base64" (options matched on their second
// character) and decodes known types.
func parseOpaque(args []string) (Endpoint, []string, error) {
	op := OpaqueEndpoint{Kind: -1, Encoding: encoding.Encoding10}
	rest, err := walkOptions(args, op.check)
	switch {
	case err != nil:
		return nil, nil, err
	case op.Kind < 0:
		return nil, nil, errors.New("no -t option")
	case len(op.Bytes) == 0:
		return nil, nil, errors.New("no -v option")
	case len(rest) > 0:
		return nil, rest, nil
	}
	ep, err := decodeOpaque(op)
	return ep, nil, err
}

// check handles one opaque option. A type above 32767 becomes negative as in Ice (an int16), which
// later reads as "no -t option".
func (ep *OpaqueEndpoint) check(opt, arg string) (bool, error) {
	switch opt[1] {
	case 't':
		if ep.Kind > -1 {
			return true, errors.New("multiple -t options")
		}
		if arg == "" {
			return true, errors.New("no argument provided for -t option")
		}
		t, ok := parseInt32(arg)
		if !ok || t < 0 || t > 65535 {
			return true, fmt.Errorf("invalid type value %q", arg)
		}
		ep.Kind = int16(t)
	case 'v':
		if len(ep.Bytes) > 0 {
			return true, errors.New("multiple -v options")
		}
		if arg == "" {
			return true, errors.New("no argument provided for -v option")
		}
		for i := range len(arg) {
			if !isBase64(arg[i]) {
				return true, fmt.Errorf("invalid base64 character %q", arg[i])
			}
		}
		ep.Bytes = decodeBase64(arg)
	case 'e':
		if arg == "" {
			return true, errors.New("no argument provided for -e option")
		}
		v, err := parseVersion(arg)
		ep.Encoding = v
		return true, err
	default:
		return false, nil
	}
	return true, nil
}
