package reference

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// escape mirrors IceUtilInternal::escapeString in the 3.7 default ToStringMode "Unicode": the
// backslash, both quotes and the C control escapes are written with a backslash, bytes in special
// are preceded by a backslash, other ASCII control bytes become \u00xx, and everything else
// (including non-ASCII and invalid UTF-8) is copied (ice-protocol.md §6.3).
func escape(s, special string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := range len(s) {
		c := s[i]
		switch c {
		case '\\', '\'', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\v':
			b.WriteString(`\v`)
		default:
			switch {
			case strings.IndexByte(special, c) >= 0:
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 32 || c == 127:
				fmt.Fprintf(&b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// unescape mirrors IceUtilInternal::unescapeString: it decodes \\ \' \" \? \a \b \f \n \r \t \v,
// \uXXXX and \UXXXXXXXX (no surrogates, at most U+10FFFF), \x with one or two hex digits and octal
// escapes of up to three digits (at most 255). A backslash before a byte in special yields that
// byte; before any other byte the backslash is kept, as is a trailing backslash. Raw ASCII
// control bytes are rejected.
func unescape(s, special string) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		if err := checkControl(s); err != nil {
			return "", err
		}
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		n, err := unescapeOne(&b, s, i, special)
		if err != nil {
			return "", err
		}
		i = n
	}
	return b.String(), nil
}

// checkControl rejects raw ASCII control bytes (Ice's checkChar).
func checkControl(s string) error {
	for i := range len(s) {
		if s[i] < 32 || s[i] == 127 {
			return fmt.Errorf("character at offset %d has invalid ordinal value %d", i, s[i])
		}
	}
	return nil
}

// unescapeOne decodes the character or escape at s[i] into b and returns the next index.
func unescapeOne(b *strings.Builder, s string, i int, special string) (int, error) {
	c := s[i]
	if c != '\\' {
		if err := checkControl(s[i : i+1]); err != nil {
			return 0, err
		}
		b.WriteByte(c)
		return i + 1, nil
	}
	if i+1 == len(s) {
		b.WriteByte('\\')
		return i + 1, nil
	}
	c = s[i+1]
	i += 2
	switch c {
	case '\\', '\'', '"', '?':
		b.WriteByte(c)
	case 'a', 'b', 'f', 'n', 'r', 't', 'v':
		b.WriteByte(controlEscapes[c])
	case 'u', 'U':
		return unescapeUniversal(b, s, i, c)
	case 'x':
		return unescapeHex(b, s, i)
	case '0', '1', '2', '3', '4', '5', '6', '7':
		return unescapeOctal(b, s, i-1)
	default:
		if err := checkControl(s[i-1 : i]); err != nil {
			return 0, err
		}
		if strings.IndexByte(special, c) < 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return i, nil
}

var controlEscapes = map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

var errSurrogate = errors.New("a universal character name cannot designate a surrogate")

// unescapeUniversal decodes the hex digits of \u (4) or \U (8) starting at s[i].
func unescapeUniversal(b *strings.Builder, s string, i int, kind byte) (int, error) {
	size := 4
	if kind == 'U' {
		size = 8
	}
	if i+size > len(s) {
		return 0, errors.New("invalid universal character name: too few hex digits")
	}
	var cp uint32 // eight hex digits may exceed the int32 range of rune
	for _, c := range []byte(s[i : i+size]) {
		v, ok := hexValue(c)
		if !ok {
			return 0, errors.New("invalid universal character name: invalid hex digit")
		}
		cp = cp<<4 | uint32(v)
	}
	switch {
	case cp >= 0xd800 && cp <= 0xdfff:
		return 0, errSurrogate
	case cp > utf8.MaxRune:
		return 0, errors.New("invalid universal character name: code point out of range")
	}
	b.WriteRune(rune(cp))
	return i + size, nil
}

// unescapeHex decodes the one or two hex digits of \x starting at s[i].
func unescapeHex(b *strings.Builder, s string, i int) (int, error) {
	var v byte
	n := 0
	for ; n < 2 && i < len(s); n++ {
		d, ok := hexValue(s[i])
		if !ok {
			break
		}
		v = v<<4 | d
		i++
	}
	if n == 0 {
		return 0, errors.New("invalid \\x escape sequence: no hex digit")
	}
	b.WriteByte(v)
	return i, nil
}

// unescapeOctal decodes up to three octal digits starting at s[i].
func unescapeOctal(b *strings.Builder, s string, i int) (int, error) {
	v := 0
	for n := 0; n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; n++ {
		v = v*8 + int(s[i]-'0')
		i++
	}
	if v > 255 {
		return 0, fmt.Errorf("octal value \\%o (%d) is out of range", v, v)
	}
	b.WriteByte(byte(v))
	return i, nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
