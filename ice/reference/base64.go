package reference

// Ice's IceInternal::Base64::decode, reproduced because it is more lenient than encoding/base64:
// '=' may appear anywhere (it decodes as 63 and only suppresses output in the third and fourth
// position of a group), and a short final group is completed with 'A's.

// isBase64 reports whether c may appear in an opaque endpoint's -v value.
func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '='
}

// base64Value is Ice's decode(char): '+' is 62, and '/', '=' (and anything else) are 63.
func base64Value(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '+':
		return 62
	}
	return 63
}

// decodeBase64 decodes s, which must hold only isBase64 characters, as Ice does.
func decodeBase64(s string) []byte {
	out := make([]byte, 0, len(s)*3/4+3)
	for i := 0; i < len(s); i += 4 {
		c := [4]byte{'A', 'A', 'A', 'A'}
		copy(c[:], s[i:min(i+4, len(s))])
		b1, b2, b3, b4 := base64Value(c[0]), base64Value(c[1]), base64Value(c[2]), base64Value(c[3])
		out = append(out, b1<<2|b2>>4)
		if c[2] != '=' {
			out = append(out, (b2&0xf)<<4|b3>>2)
		}
		if c[3] != '=' {
			out = append(out, (b3&0x3)<<6|b4)
		}
	}
	return out
}
