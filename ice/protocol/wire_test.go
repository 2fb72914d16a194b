package protocol_test

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// wire parses the byte notation of ice-protocol.md: hex bytes and "quoted" UTF-8 text separated
// by spaces or '|'; '#' starts a comment that runs to the end of the line.
func wire(t testing.TB, s string) []byte {
	t.Helper()
	out := []byte{}
	for len(s) > 0 {
		switch c := s[0]; {
		case c == ' ' || c == '\n' || c == '\t' || c == '|':
			s = s[1:]
		case c == '#':
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				i = len(s) - 1
			}
			s = s[i+1:]
		case c == '"':
			i := strings.IndexByte(s[1:], '"')
			if i < 0 {
				t.Fatalf("wire: unterminated string in %q", s)
			}
			out = append(out, s[1:i+1]...)
			s = s[i+2:]
		default:
			if len(s) < 2 {
				t.Fatalf("wire: odd hex digit in %q", s)
			}
			b, err := hex.DecodeString(s[:2])
			if err != nil {
				t.Fatalf("wire: %v", err)
			}
			out = append(out, b...)
			s = s[2:]
		}
	}
	return out
}

// readHexFile reads a testdata file in the wire notation.
func readHexFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return wire(t, string(b))
}

// hexString formats b like the reference document, for failure messages.
func hexString(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}
