package protocol_test

import (
	"bytes"
	"testing"

	"floe/ice/icetest"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// findAdapterByID is the request header of the §7.1 request.
var findAdapterByID = protocol.RequestHeader{Identity: locator, Operation: "findAdapterById", Mode: protocol.Nonmutating}

// appendFindAdapterByID encodes the 65-byte §7.1 request into buf.
func appendFindAdapterByID(buf []byte) []byte {
	e := protocol.NewMessage(buf, protocol.Request)
	e.WriteInt(1)
	protocol.AppendRequestHeader(e, &findAdapterByID)
	e.StartEncapsulation(encoding.Encoding11)
	e.WriteString("MyAdapter")
	e.EndEncapsulation()
	return protocol.FinishMessage(e)
}

// BenchmarkEncodeRequest encodes the findAdapterById request: into a reused buffer, and into a
// new one each time as Proxy.Invoke does.
func BenchmarkEncodeRequest(b *testing.B) {
	want := icetest.Wire(b, findAdapterByIDWire)
	if got := appendFindAdapterByID(nil); !bytes.Equal(got, want) {
		b.Fatalf("appendFindAdapterByID = % x, want % x", got, want)
	}
	b.Run("reused buffer", func(b *testing.B) {
		buf := make([]byte, 0, 128)
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			buf = appendFindAdapterByID(buf)
		}
	})
	b.Run("new buffer", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			appendFindAdapterByID(nil)
		}
	})
}

// BenchmarkDecodeRequest decodes the findAdapterById request as a server does: header, request
// id, request header, params encapsulation, then the string parameter.
func BenchmarkDecodeRequest(b *testing.B) {
	msg := icetest.Wire(b, findAdapterByIDWire)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	var h protocol.RequestHeader
	for b.Loop() {
		if _, err := protocol.ParseHeader(msg, protocol.DefaultMessageSizeMax); err != nil {
			b.Fatal(err)
		}
		d := encoding.NewDecoder(msg[protocol.HeaderSize:], encoding.Encoding10)
		d.ReadInt()
		protocol.ParseRequestHeader(d, &h)
		d.StartEncapsulation()
		id := d.ReadString()
		d.EndEncapsulation()
		if err := d.Err(); err != nil || id != "MyAdapter" {
			b.Fatalf("decoded %q, %v", id, err)
		}
	}
}

// BenchmarkDecompress decompresses the request Python Ice compressed (343 bytes uncompressed).
func BenchmarkDecompress(b *testing.B) {
	msg := capturedCompressed(b)
	b.ReportAllocs()
	b.SetBytes(343)
	for b.Loop() {
		if _, err := protocol.Decompress(msg, protocol.DefaultMessageSizeMax); err != nil {
			b.Fatal(err)
		}
	}
}
