// Package icetest holds what tests of the Ice runtime share: the byte notation of
// reference/ice-protocol.md for golden messages. It is imported by tests only.
package icetest

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// Wire parses the byte notation of ice-protocol.md: hex bytes and "quoted" UTF-8 text separated
// by spaces or '|'; '#' starts a comment that runs to the end of the line.
func Wire(tb testing.TB, s string) []byte {
	tb.Helper()
	var out []byte
	for len(s) > 0 {
		switch s[0] {
		case ' ', '\n', '\t', '\r', '|':
			s = s[1:]
		case '#':
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				i = len(s) - 1
			}
			s = s[i+1:]
		case '"':
			i := strings.IndexByte(s[1:], '"')
			if i < 0 {
				tb.Fatalf("icetest.Wire: unterminated string in %q", s)
			}
			out = append(out, s[1:i+1]...)
			s = s[i+2:]
		default:
			if len(s) < 2 {
				tb.Fatalf("icetest.Wire: odd hex digit in %q", s)
			}
			b, err := hex.DecodeString(s[:2])
			if err != nil {
				tb.Fatalf("icetest.Wire: %v", err)
			}
			out = append(out, b...)
			s = s[2:]
		}
	}
	return out
}

// ReadHexFile reads a testdata file in the wire notation.
func ReadHexFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return Wire(tb, string(b))
}

// HexString formats b like the reference document, for failure messages.
func HexString(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}
