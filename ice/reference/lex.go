package reference

import (
	"fmt"
	"strings"

	"floe/ice/encoding"
)

// The lexical helpers below reproduce IceUtilInternal::checkQuote and splitString, the
// EndpointI::initWithOptions option walker and the istringstream number parsing of Ice 3.7, so that
// Parse and ParseEndpoint accept exactly the strings Ice accepts (ice-protocol.md §6.3).

// proxyDelims separate the words of a stringified proxy; endpoint words use the same set.
const proxyDelims = " \t\r\n"

// checkQuote mirrors IceUtilInternal::checkQuote: if s[start] is a quote, it returns the index of
// the matching quote (a quote preceded by a backslash does not count), or -1 if there is none; if
// s[start] is not a quote it returns 0.
func checkQuote(s string, start int) int {
	q := s[start]
	if q != '"' && q != '\'' {
		return 0
	}
	for i := start + 1; i < len(s); i++ {
		if s[i] == q && s[i-1] != '\\' {
			return i
		}
	}
	return -1
}

// splitWords mirrors IceUtilInternal::splitString with the delimiters " \t\n\r": words are
// separated by delimiters outside quotes; quotes are removed; outside quotes \" and \' stand for
// the quote, inside quotes only the backslash-escaped quote of the same kind is special. Empty words
// are dropped. ok is false for an unterminated quote.
func splitWords(s string) (words []string, ok bool) {
	var (
		word  []byte
		quote byte
	)
	for pos := 0; pos < len(s); pos++ {
		c := s[pos]
		switch {
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
			continue
		case quote == 0 && c == '\\' && pos+1 < len(s) && (s[pos+1] == '"' || s[pos+1] == '\''):
			pos++
		case quote != 0 && c == '\\' && pos+1 < len(s) && s[pos+1] == quote:
			pos++
		case quote != 0 && c == quote:
			quote = 0
			continue
		case quote == 0 && strings.IndexByte(proxyDelims, c) >= 0:
			if len(word) > 0 {
				words = append(words, string(word))
				word = word[:0]
			}
			continue
		}
		word = append(word, s[pos])
	}
	if len(word) > 0 {
		words = append(words, string(word))
	}
	return words, quote == 0
}

// optionFunc handles one endpoint option and its argument ("" if none). It reports false for an
// option it does not know.
type optionFunc func(opt, arg string) (bool, error)

// walkOptions mirrors EndpointI::initWithOptions: a word that does not start with '-' right after
// an option is that option's argument. Words that are not options, and options check does not
// know (with their argument), are returned in order.
func walkOptions(args []string, check optionFunc) ([]string, error) {
	var unknown []string
	for n := 0; n < len(args); n++ {
		opt := args[n]
		if len(opt) < 2 || opt[0] != '-' {
			unknown = append(unknown, opt)
			continue
		}
		arg := ""
		if n+1 < len(args) && args[n+1][0] != '-' {
			n++
			arg = args[n]
		}
		known, err := check(opt, arg)
		if err != nil {
			return nil, err
		}
		if !known {
			unknown = append(unknown, opt)
			if arg != "" {
				unknown = append(unknown, arg)
			}
		}
	}
	return unknown, nil
}

// parseInt32 mirrors `istringstream(s) >> Ice::Int` followed by an eof() check: optional leading
// C whitespace, an optional sign, decimal digits up to the end, and a value that fits an int32.
func parseInt32(s string) (int32, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v int64
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
		if v > 1<<31 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if v > 1<<31-1 {
		return 0, false
	}
	return int32(v), true
}

// parseVersion mirrors IceInternal::stringToMajorMinor, used for -e and -p: "major.minor" with
// major in 1..255 and minor in 0..255, each part parsed like parseInt32.
func parseVersion(s string) (encoding.Version, error) {
	major, minor, ok := strings.Cut(s, ".")
	if !ok {
		return encoding.Version{}, fmt.Errorf("malformed version value %q", s)
	}
	a, ok1 := parseInt32(major)
	b, ok2 := parseInt32(minor)
	if !ok1 || !ok2 {
		return encoding.Version{}, fmt.Errorf("invalid version value %q", s)
	}
	if a < 1 || a > 255 || b < 0 || b > 255 {
		return encoding.Version{}, fmt.Errorf("range error in version %q", s)
	}
	return encoding.Version{Major: uint8(a), Minor: uint8(b)}, nil
}
