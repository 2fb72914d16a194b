package protocol_test

import (
	"errors"
	"testing"

	"floe/ice/icetest"

	"floe/ice/protocol"
)

// TestParseHeader covers the header checks of ice-protocol.md §1.1 and §1.4 that let a message
// through.
func TestParseHeader(t *testing.T) {
	tests := []struct {
		name    string
		wire    string
		maxSize int
		want    protocol.Header
	}{
		{"request", `49 63 65 50 01 00 01 00 00 00 41 00 00 00`, protocol.DefaultMessageSizeMax,
			protocol.Header{Type: protocol.Request, Size: 65}},
		{"compressed request", `49 63 65 50 01 00 01 00 00 02 62 00 00 00`, protocol.DefaultMessageSizeMax,
			protocol.Header{Type: protocol.Request, Compression: protocol.Compressed, Size: 98}},
		{"batch accepting compression", `49 63 65 50 01 00 01 00 01 01 27 00 00 00`, protocol.DefaultMessageSizeMax,
			protocol.Header{Type: protocol.BatchRequest, Compression: protocol.UncompressedAccept, Size: 39}},
		{"reply", `49 63 65 50 01 00 01 00 02 00 43 00 00 00`, protocol.DefaultMessageSizeMax,
			protocol.Header{Type: protocol.Reply, Size: 67}},
		{"close connection as 3.8 sends it", `49 63 65 50 01 00 01 00 04 00 0e 00 00 00`, protocol.DefaultMessageSizeMax,
			protocol.Header{Type: protocol.CloseConnection, Size: 14}},
		{"size at the limit", `49 63 65 50 01 00 01 00 00 00 00 00 10 00`, protocol.DefaultMessageSizeMax,
			protocol.Header{Type: protocol.Request, Size: 1 << 20}},
		{"no limit", `49 63 65 50 01 00 01 00 02 00 ff ff ff 7f`, 0,
			protocol.Header{Type: protocol.Reply, Size: 1<<31 - 1}},
		{"negative limit", `49 63 65 50 01 00 01 00 02 00 ff ff ff 7f`, -1,
			protocol.Header{Type: protocol.Reply, Size: 1<<31 - 1}},
		{"trailing body ignored", `49 63 65 50 01 00 01 00 02 00 13 00 00 00 01 00 00 00 00`, 19,
			protocol.Header{Type: protocol.Reply, Size: 19}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := icetest.Wire(t, tc.wire)
			got, err := protocol.ParseHeader(b, tc.maxSize)
			if err != nil || got != tc.want {
				t.Errorf("ParseHeader(% x, %d) = %+v, %v, want %+v", b, tc.maxSize, got, err, tc.want)
			}
		})
	}
}

// TestParseHeaderErrors covers every way a header is refused: each is a *ProtocolError that
// matches ErrProtocol, and the connection must be dropped (§1.1).
func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		wire    string
		maxSize int
	}{
		{"empty", ``, 0},
		{"short", `49 63 65 50 01 00 01 00 03 00 0e 00 00`, 0},
		{"bad magic", `49 63 65 51 01 00 01 00 03 00 0e 00 00 00`, 0},
		{"lower-case magic", `69 63 65 70 01 00 01 00 03 00 0e 00 00 00`, 0},
		{"HTTP", `"GET / HTTP/1.1\r\n"`, 0},
		{"protocol 2.0", `49 63 65 50 02 00 01 00 00 00 41 00 00 00`, 0},
		{"protocol 1.1", `49 63 65 50 01 01 01 00 00 00 41 00 00 00`, 0},
		{"protocol 0.0", `49 63 65 50 00 00 01 00 00 00 41 00 00 00`, 0},
		{"encoding 1.1 header", `49 63 65 50 01 00 01 01 00 00 41 00 00 00`, 0},
		{"encoding 2.0 header", `49 63 65 50 01 00 02 00 00 00 41 00 00 00`, 0},
		{"size 13", `49 63 65 50 01 00 01 00 00 00 0d 00 00 00`, 0},
		{"size 0", `49 63 65 50 01 00 01 00 02 00 00 00 00 00`, 0},
		{"negative size", `49 63 65 50 01 00 01 00 02 00 ff ff ff ff`, 0},
		{"size -2^31", `49 63 65 50 01 00 01 00 02 00 00 00 00 80`, 0},
		{"size over the default limit", `49 63 65 50 01 00 01 00 00 00 01 00 10 00`, protocol.DefaultMessageSizeMax},
		{"size over a small limit", `49 63 65 50 01 00 01 00 00 00 41 00 00 00`, 64},
		{"limit below the header size", `49 63 65 50 01 00 01 00 03 00 0e 00 00 00`, 13},
		{"unknown type 5", `49 63 65 50 01 00 01 00 05 00 0e 00 00 00`, 0},
		{"unknown type ff", `49 63 65 50 01 00 01 00 ff 00 0e 00 00 00`, 0},
		{"compression status 3", `49 63 65 50 01 00 01 00 00 03 41 00 00 00`, 0},
		{"ValidateConnection size 15", `49 63 65 50 01 00 01 00 03 00 0f 00 00 00`, 0},
		{"ValidateConnection size 1 MiB", `49 63 65 50 01 00 01 00 03 00 00 00 10 00`, 0},
		{"CloseConnection size 18", `49 63 65 50 01 00 01 00 04 01 12 00 00 00`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := icetest.Wire(t, tc.wire)
			got, err := protocol.ParseHeader(b, tc.maxSize)
			var perr *protocol.ProtocolError
			if !errors.Is(err, protocol.ErrProtocol) || !errors.As(err, &perr) {
				t.Fatalf("ParseHeader(% x, %d) = %+v, %v, want a *ProtocolError", b, tc.maxSize, got, err)
			}
			if got != (protocol.Header{}) {
				t.Errorf("ParseHeader(% x, %d) = %+v with error %v, want the zero Header", b, tc.maxSize, got, err)
			}
		})
	}
}

// TestSetSize checks that SetSize writes the length of the whole message at bytes 10..13.
func TestSetSize(t *testing.T) {
	msg := append(protocol.AppendHeader(nil, protocol.Header{Type: protocol.Reply}), make([]byte, 300)...)
	protocol.SetSize(msg)
	got, err := protocol.ParseHeader(msg, 0)
	if want := (protocol.Header{Type: protocol.Reply, Size: 314}); err != nil || got != want {
		t.Errorf("ParseHeader(SetSize(314 bytes)) = %+v, %v, want %+v", got, err, want)
	}
}
