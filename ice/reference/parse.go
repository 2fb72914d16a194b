package reference

import (
	"strings"
)

// Parse parses a stringified proxy as Ice 3.7's Communicator::stringToProxy does
// (ice-protocol.md §6.3):
//
//	identity [-f facet] [-t|-o|-O|-d|-D] [-s] [-e X.Y] [-p X.Y] [:endpoint[:endpoint…] | @ adapter]
//
// The identity, facet and adapter id may be quoted with ' or " and use the escapes of
// ParseIdentity. Endpoints are separated by ':' (not inside double quotes); endpoints of unknown
// protocols are skipped as long as one endpoint is known. What the string leaves out comes from
// def. An empty string, or an empty identity with nothing after it (`""`), is a null proxy: Parse
// returns nil and no error. Errors are *ParseError.
func Parse(s string, def Defaults) (*Reference, error) {
	if s == "" {
		return nil, nil
	}
	p := proxyParser{s: s, def: def}
	return p.parse()
}

// proxyParser walks a stringified proxy the way IceInternal::ReferenceFactory::create does.
type proxyParser struct {
	s   string
	def Defaults
	pos int // next byte to look at
}

func (p *proxyParser) parse() (*Reference, error) {
	beg := p.skipDelims(0)
	if beg < 0 {
		return nil, parseErrorf(p.s, "no non-whitespace characters found")
	}
	idstr, err := p.token(beg, proxyDelims+":@", "identity")
	if err != nil {
		return nil, err
	}
	if p.pos == beg {
		return nil, parseErrorf(p.s, "no identity")
	}
	id, err := ParseIdentity(idstr)
	if err != nil {
		return nil, &ParseError{Input: p.s, Reason: "invalid identity", Err: err}
	}
	if id.Name == "" {
		if id.Category != "" {
			return nil, parseErrorf(p.s, "illegal identity: empty name with category %q", id.Category)
		}
		if p.skipDelims(p.pos) >= 0 {
			return nil, parseErrorf(p.s, "invalid characters after identity")
		}
		return nil, nil
	}
	r := &Reference{Identity: id, Protocol: Protocol10, Encoding: p.def.encoding()}
	if err := p.options(r); err != nil {
		return nil, err
	}
	return p.tail(r)
}

// skipDelims returns the index of the first non-delimiter at or after i, or -1.
func (p *proxyParser) skipDelims(i int) int {
	for ; i < len(p.s); i++ {
		if strings.IndexByte(proxyDelims, p.s[i]) < 0 {
			return i
		}
	}
	return -1
}

// token reads the word starting at beg: a quoted string (without its quotes) or the bytes up to the
// next byte in stops. It leaves p.pos after the word.
func (p *proxyParser) token(beg int, stops, what string) (string, error) {
	end := checkQuote(p.s, beg)
	switch {
	case end < 0:
		return "", parseErrorf(p.s, "mismatched quotes around %s", what)
	case end == 0:
		end = strings.IndexAny(p.s[beg:], stops)
		if end < 0 {
			end = len(p.s)
		} else {
			end += beg
		}
		p.pos = end
		return p.s[beg:end], nil
	}
	p.pos = end + 1
	return p.s[beg+1 : end], nil
}

// tail parses what follows the options: nothing, endpoints or an adapter id.
func (p *proxyParser) tail(r *Reference) (*Reference, error) {
	beg := p.skipDelims(p.pos)
	if beg < 0 {
		return r, nil
	}
	if p.s[beg] == '@' {
		return p.adapter(r, beg)
	}
	eps, err := p.endpoints(beg)
	if err != nil {
		return nil, err
	}
	r.Endpoints = eps
	return r, nil
}

// adapter parses "@ adapter", which must end the string.
func (p *proxyParser) adapter(r *Reference, at int) (*Reference, error) {
	beg := p.skipDelims(at + 1)
	if beg < 0 {
		return nil, parseErrorf(p.s, "missing adapter id")
	}
	raw, err := p.token(beg, proxyDelims, "adapter id")
	if err != nil {
		return nil, err
	}
	if p.skipDelims(p.pos) >= 0 {
		return nil, parseErrorf(p.s, "invalid trailing characters after adapter id")
	}
	a, err := unescape(raw, "")
	if err != nil {
		return nil, &ParseError{Input: p.s, Reason: "invalid adapter id", Err: err}
	}
	if a == "" {
		return nil, parseErrorf(p.s, "empty adapter id")
	}
	r.AdapterID = a
	return r, nil
}

// endpoints parses the endpoint list starting at the ':' at colon.
func (p *proxyParser) endpoints(colon int) ([]Endpoint, error) {
	var (
		eps     []Endpoint
		unknown []string
	)
	for _, es := range splitEndpoints(p.s, colon) {
		ep, err := parseEndpoint(p.s, es, p.def, false)
		if err != nil {
			return nil, err
		}
		if ep == nil {
			unknown = append(unknown, es)
			continue
		}
		eps = append(eps, ep)
	}
	if len(eps) == 0 {
		return nil, parseErrorf(p.s, "invalid endpoint %q", unknown[0])
	}
	return eps, nil
}

// splitEndpoints splits s after the ':' at colon into endpoint strings, as ReferenceFactory does:
// a ':' separates endpoints unless an odd number of '"' precede it within the current endpoint and
// another '"' follows it somewhere in s.
func splitEndpoints(s string, colon int) []string {
	lastQuote := strings.LastIndexByte(s, '"')
	var out []string
	beg, quotes := colon+1, 0
	for i := beg; i < len(s); i++ {
		switch s[i] {
		case '"':
			quotes++
		case ':':
			if quotes%2 == 1 && lastQuote > i {
				continue
			}
			out = append(out, s[beg:i])
			beg, quotes = i+1, 0
		}
	}
	return append(out, s[beg:])
}
