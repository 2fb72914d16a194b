package protocol_test

import (
	"errors"
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// TestParseRequestHeaderErrors covers request headers a server must refuse (and drop the
// connection for, §2.1): each leaves an encoding.ErrUnmarshal in the decoder.
func TestParseRequestHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		wire string
	}{
		{"empty", ``},
		{"identity cut short", `04 "test"`},
		{"facet path of two elements", `04 "test" 00 | 02 01 "a" 01 "b" | 08 "ice_ping" | 01 | 00`},
		{"facet cut short", `04 "test" 00 | 01 05 "fac"`},
		{"no operation", `04 "test" 00 | 00`},
		{"operation mode 3", `04 "test" 00 | 00 | 08 "ice_ping" | 03 | 00`},
		{"operation mode ff", `04 "test" 00 | 00 | 08 "ice_ping" | ff | 00`},
		{"no mode", `04 "test" 00 | 00 | 08 "ice_ping"`},
		{"no context", `04 "test" 00 | 00 | 08 "ice_ping" | 01`},
		{"context count larger than the data", `04 "test" 00 | 00 | 08 "ice_ping" | 01 | 05 01 "a" 01 "b"`},
		{"negative context count", `04 "test" 00 | 00 | 08 "ice_ping" | 01 | ff ff ff ff ff`},
		{"string size larger than the data", `ff 00 00 00 10 "test"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := icetest.Wire(t, tc.wire)
			d := encoding.NewDecoder(b, encoding.Encoding10)
			var h protocol.RequestHeader
			protocol.ParseRequestHeader(d, &h)
			if err := d.Err(); !errors.Is(err, encoding.ErrUnmarshal) {
				t.Errorf("ParseRequestHeader(% x) error = %v, want an encoding.ErrUnmarshal", b, err)
			}
		})
	}
}

// TestRequestHeaderContext round-trips a request header with a facet and a context; the context
// is written with its keys sorted, as C++ Ice does.
func TestRequestHeaderContext(t *testing.T) {
	h := protocol.RequestHeader{Identity: encoding.Identity{Name: "n", Category: "c"}, Facet: "f",
		Operation: "op", Mode: protocol.Idempotent, Context: map[string]string{"b": "2", "a": "1"}}
	want := icetest.Wire(t, `01 "n" 01 "c" | 01 01 "f" | 02 "op" | 02 | 02 01 "a" 01 "1" 01 "b" 01 "2"`)
	e := encoding.NewEncoder(nil, encoding.Encoding10)
	protocol.AppendRequestHeader(e, &h)
	if got := e.Bytes(); string(got) != string(want) {
		t.Errorf("AppendRequestHeader(%+v) = % x, want % x", h, got, want)
	}
	var got protocol.RequestHeader
	d := encoding.NewDecoder(want, encoding.Encoding10)
	protocol.ParseRequestHeader(d, &got)
	if d.Err() != nil || d.Remaining() != 0 || got.Identity != h.Identity || got.Facet != h.Facet ||
		got.Operation != h.Operation || got.Mode != h.Mode || len(got.Context) != 2 || got.Context["a"] != "1" || got.Context["b"] != "2" {
		t.Errorf("ParseRequestHeader(% x) = %+v, %v, want %+v", want, got, d.Err(), h)
	}
}

// TestNames checks the names used in logs and errors.
func TestNames(t *testing.T) {
	tests := []struct {
		got  string
		want string
	}{
		{protocol.Request.String(), "request"},
		{protocol.BatchRequest.String(), "batch request"},
		{protocol.Reply.String(), "reply"},
		{protocol.ValidateConnection.String(), "validate connection"},
		{protocol.CloseConnection.String(), "close connection"},
		{protocol.MessageType(9).String(), "unknown message type 9"},
		{protocol.ReplyOK.String(), "ok"},
		{protocol.ReplyUnknownException.String(), "unknown exception"},
		{protocol.ReplyStatus(8).String(), "reply status 8"},
		{(&protocol.ProtocolError{Reason: "x"}).Error(), "protocol: x"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
}
