package descriptor

import (
	"math"
	"strconv"
	"strings"

	"floe/internal/slice/icegrid"
)

// iceIntVersion is ICE_INT_VERSION of the IceGrid whose behaviour Floe follows (3.7.8).
const iceIntVersion = 30708

// parseCInt parses s as `istringstream >> int` followed by an end-of-stream check does: leading
// white space, an optional sign, decimal digits, nothing after, within the range of an int.
func parseCInt(s string) (int, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" {
		return 0, false
	}
	for i := range len(digits) {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(t, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// isCFloat reports whether s reads entirely as a float with `istringstream >> float`.
func isCFloat(s string) bool {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	mant := 0
	for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
		mant++
	}
	if i < len(t) && t[i] == '.' {
		for i++; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			mant++
		}
	}
	if mant == 0 {
		return false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	if i != len(t) {
		return false
	}
	f, err := strconv.ParseFloat(t, 64)
	return err == nil && math.Abs(f) <= math.MaxFloat32
}

// mmVersion is IceGrid's getMMVersion: "3.7" or "3.7.8" as 30700, or -1 when malformed.
func mmVersion(o string) int {
	v := strings.Trim(o, " ")
	minor := strings.IndexByte(v, '.')
	if minor != 1 && minor != 2 {
		return -1
	}
	patch := strings.IndexByte(v[minor+1:], '.')
	if patch >= 0 {
		patch += minor + 1
		if (minor == 1 && patch != 3 && patch != 4) || (minor == 2 && patch != 4 && patch != 5) ||
			len(v)-patch-1 > 2 {
			return -1
		}
	} else if len(v)-minor-1 > 2 {
		return -1
	}
	major, ok := leadingInt(v[:minor])
	if !ok || major > 99 || major < 1 {
		return -1
	}
	end := len(v)
	if patch >= 0 {
		end = patch
	}
	mn, ok := leadingInt(v[minor+1 : end])
	if !ok || mn > 99 || mn < 0 {
		return -1
	}
	return (major*100 + mn) * 100
}

// leadingInt reads an int the way `istringstream >> int` does, ignoring what follows it.
func leadingInt(s string) (int, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(t) && (t[end] == '+' || t[end] == '-') {
		end++
	}
	start := end
	for end < len(t) && t[end] >= '0' && t[end] <= '9' {
		end++
	}
	if end == start {
		return 0, false
	}
	n, err := strconv.Atoi(t[:end])
	return n, err == nil
}

// property returns the last value of name in props, or def when that value is empty or
// missing (IceGrid's getProperty).
func property(props []icegrid.PropertyDescriptor, name, def string) string {
	v := ""
	for _, p := range props {
		if p.Name == name {
			v = p.Value
		}
	}
	if v == "" {
		return def
	}
	return v
}

func hasProperty(props []icegrid.PropertyDescriptor, name string) bool {
	for _, p := range props {
		if p.Name == name {
			return true
		}
	}
	return false
}

// propertyAsInt is IceGrid's getPropertyAsInt (0 when unset or not an integer).
func propertyAsInt(props []icegrid.PropertyDescriptor, name string) int {
	n, ok := parseCInt(property(props, name, ""))
	if !ok {
		return 0
	}
	return n
}

// escapeProperty is IceGrid's escapeProperty: it escapes what Ice's property parser would
// otherwise read as syntax (#, = in names, \ before them, leading and trailing spaces).
func escapeProperty(s string, escapeEqual bool) string {
	first := strings.IndexFunc(s, func(r rune) bool { return r != ' ' })
	last := strings.LastIndexFunc(s, func(r rune) bool { return r != ' ' })
	var b strings.Builder
	prevEscape := false
	for i := range len(s) {
		c := s[i]
		switch {
		case c == ' ':
			if first < 0 || i < first || i > last {
				if prevEscape {
					b.WriteByte('\\')
				}
				b.WriteByte('\\')
			}
			prevEscape = false
		case c == '\\' || c == '#' || (c == '=' && escapeEqual):
			if prevEscape {
				b.WriteByte('\\')
			}
			prevEscape = c == '\\'
			if c != '\\' {
				b.WriteByte('\\')
			}
		default:
			prevEscape = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
