package reference

import (
	"fmt"
	"strings"
)

// options parses the proxy options that follow the identity, up to the first ':' or '@' or the
// end. Each option is exactly two characters; an argument, possibly quoted, follows unless the next
// word starts with '@', ':' or '-'.
func (p *proxyParser) options(r *Reference) error {
	for {
		beg := p.skipDelims(p.pos)
		if beg < 0 || p.s[beg] == ':' || p.s[beg] == '@' {
			p.pos = len(p.s)
			if beg >= 0 {
				p.pos = beg
			}
			return nil
		}
		end := strings.IndexAny(p.s[beg:], proxyDelims+":@")
		if end < 0 {
			end = len(p.s) - beg
		}
		opt := p.s[beg : beg+end]
		p.pos = beg + end
		if len(opt) != 2 || opt[0] != '-' {
			return parseErrorf(p.s, "expected a proxy option but found %q", opt)
		}
		arg, err := p.argument(opt)
		if err != nil {
			return err
		}
		if err := p.apply(r, opt, arg); err != nil {
			return err
		}
	}
}

// argument reads the argument of opt, or returns "" if there is none.
func (p *proxyParser) argument(opt string) (string, error) {
	beg := p.skipDelims(p.pos)
	if beg < 0 {
		return "", nil
	}
	switch p.s[beg] {
	case '@', ':', '-':
		return "", nil
	}
	return p.token(beg, proxyDelims+":@", "value for "+opt+" option")
}

// apply sets the field of r that opt controls.
func (p *proxyParser) apply(r *Reference, opt, arg string) error {
	switch opt[1] {
	case 'f':
		if arg == "" {
			return parseErrorf(p.s, "no argument provided for -f option")
		}
		f, err := unescape(arg, "")
		if err != nil {
			return &ParseError{Input: p.s, Reason: "invalid facet", Err: err}
		}
		r.Facet = f
		return nil
	case 'e', 'p':
		if arg == "" {
			return parseErrorf(p.s, "no argument provided for %s option", opt)
		}
		v, err := parseVersion(arg)
		if err != nil {
			return &ParseError{Input: p.s, Reason: fmt.Sprintf("invalid version for %s option", opt), Err: err}
		}
		if opt[1] == 'e' {
			r.Encoding = v
		} else {
			r.Protocol = v
		}
		return nil
	}
	mode, ok := modeOptions[opt[1]]
	if !ok {
		return parseErrorf(p.s, "unknown option %q", opt)
	}
	if arg != "" {
		return parseErrorf(p.s, "unexpected argument %q provided for %s option", arg, opt)
	}
	if opt[1] == 's' {
		r.Secure = true
	} else {
		r.Mode = mode
	}
	return nil
}

// modeOptions maps the argument-less options to the mode they select (-s selects none).
var modeOptions = map[byte]Mode{'t': Twoway, 'o': Oneway, 'O': BatchOneway, 'd': Datagram, 'D': BatchDatagram, 's': Twoway}
