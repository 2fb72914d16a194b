package protocol_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// The seed corpora in testdata/fuzz/ hold every golden message of golden_test.go, the captured
// compressed request and the zip bomb (namedSeeds, kept in sync by TestFuzzCorpus), header error
// cases, and every input the fuzzers found; each finding also has a named regression case in the
// tests.

// FuzzParseHeader checks that ParseHeader never panics, that it refuses with a *ProtocolError,
// and that a header it accepts satisfies every check of §1.1 and is canonical: AppendHeader gives
// back the same 14 bytes.
func FuzzParseHeader(f *testing.F) {
	for _, s := range namedSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := protocol.ParseHeader(b, protocol.DefaultMessageSizeMax)
		if err != nil {
			var perr *protocol.ProtocolError
			if !errors.As(err, &perr) || !errors.Is(err, protocol.ErrProtocol) || h != (protocol.Header{}) {
				t.Fatalf("ParseHeader(% x) = %+v, %v, want a *ProtocolError and no header", b, h, err)
			}
			return
		}
		if got := protocol.AppendHeader(nil, h); len(b) < protocol.HeaderSize || !bytes.Equal(got, b[:protocol.HeaderSize]) {
			t.Fatalf("AppendHeader(ParseHeader(% x)) = % x", b, got)
		}
		switch {
		case h.Size < protocol.HeaderSize || h.Size > protocol.DefaultMessageSizeMax:
			t.Fatalf("ParseHeader(% x) accepted size %d", b, h.Size)
		case h.Type > protocol.CloseConnection || h.Compression > protocol.Compressed:
			t.Fatalf("ParseHeader(% x) accepted type %d, compression %d", b, h.Type, h.Compression)
		case (h.Type == protocol.ValidateConnection || h.Type == protocol.CloseConnection) && h.Size != protocol.HeaderSize:
			t.Fatalf("ParseHeader(% x) accepted a %v of %d bytes", b, h.Type, h.Size)
		}
		if h2, err := protocol.ParseHeader(b, 0); err != nil || h2 != h {
			t.Fatalf("ParseHeader(% x, no limit) = %+v, %v, want %+v", b, h2, err, h)
		}
	})
}

// fuzzLimit is the message size limit of FuzzRequest, small so that Decompress's allocation
// (at most the limit) stays cheap.
const fuzzLimit = 64 << 10

// FuzzRequest feeds arbitrary bytes, taken as a whole message, to the request parsers and to
// Decompress. Nothing may panic. The body after the header is read as a request (request id,
// ParseRequestHeader, ReadEncapsulation) whatever the header says; the whole message is read
// as a Request or BatchRequest; what parses must encode back to a message that parses to the same
// values. Decompress must refuse with a *ProtocolError or return exactly the announced size, at
// most the limit.
func FuzzRequest(f *testing.F) {
	for _, s := range namedSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) >= protocol.HeaderSize {
			checkRequestBody(t, msg[protocol.HeaderSize:])
		}
		if m, err := parseRequestMessage(msg, fuzzLimit); err == nil {
			checkRequestMessage(t, m)
		}
		out, err := protocol.Decompress(msg, fuzzLimit)
		if err != nil {
			if !errors.Is(err, protocol.ErrProtocol) || out != nil {
				t.Fatalf("Decompress(% x) = %d bytes, %v, want a protocol error", msg, len(out), err)
			}
			return
		}
		announced := int(binary.LittleEndian.Uint32(msg[protocol.HeaderSize:]))
		switch {
		case len(out) != announced || cap(out) > fuzzLimit:
			t.Fatalf("Decompress(% x) = %d bytes (cap %d), announced %d, limit %d", msg, len(out), cap(out), announced, fuzzLimit)
		case !bytes.Equal(out[:9], msg[:9]) || out[9] != protocol.Compressed || int(binary.LittleEndian.Uint32(out[10:])) != len(out):
			t.Fatalf("Decompress(% x) header = % x", msg, out[:protocol.HeaderSize])
		}
		checkRequestBody(t, out[protocol.HeaderSize:])
		if m, err := parseRequestMessage(out, fuzzLimit); err == nil {
			checkRequestMessage(t, m)
		}
	})
}

// checkRequestBody reads body as the body of a Request message, as package ice does before
// dispatching, and checks that what it read encodes back to the same values.
func checkRequestBody(t *testing.T, body []byte) {
	t.Helper()
	d := encoding.NewDecoder(body, encoding.Encoding10)
	m := requestMessage{ID: d.ReadInt(), Requests: make([]request, 1)}
	r := &m.Requests[0]
	protocol.ParseRequestHeader(d, &r.Header)
	r.Params, r.Encoding = d.ReadEncapsulation()
	if err := d.Err(); err != nil {
		if !errors.Is(err, encoding.ErrUnmarshal) {
			t.Fatalf("reading request body % x: %v, want an encoding.ErrUnmarshal", body, err)
		}
		return
	}
	m.Header.Type = protocol.Request
	checkRequestMessage(t, m)
}

// checkRequestMessage encodes m and checks that it parses back to m.
func checkRequestMessage(t *testing.T, m requestMessage) {
	t.Helper()
	built := appendRequestMessage(nil, m)
	m.Header.Compression, m.Header.Size = protocol.Uncompressed, len(built)
	got, err := parseRequestMessage(built, 0)
	if err != nil {
		t.Fatalf("parseRequestMessage(appendRequestMessage(%+v)) = %v", m, err)
	}
	if diff := cmp.Diff(m, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("parseRequestMessage(appendRequestMessage(m)) mismatch (-m +got):\n%s", diff)
	}
}
