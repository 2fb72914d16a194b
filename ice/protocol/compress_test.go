package protocol_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"floe/ice/icetest"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// capturedCompressed is a request Python Ice 3.7.8 sent with ice_compress(true)
// (testdata/capture_compressed.py): "echo" on identity "test" with a 300-byte string.
func capturedCompressed(tb testing.TB) []byte {
	tb.Helper()
	return icetest.ReadHexFile(tb, "testdata/compressed_request.hex")
}

// zipBomb is a 66-byte compressed request that expands to 14 + 2 MiB bytes and says so
// (testdata/zip_bomb.py).
func zipBomb(tb testing.TB) []byte {
	tb.Helper()
	return icetest.ReadHexFile(tb, "testdata/zip_bomb.hex")
}

// echoText is the parameter of the captured request.
var echoText = strings.Repeat("hello ", 50)

// TestDecompressCaptured decompresses the captured message and checks it is the request the
// client meant, byte for byte; the header keeps status 2 and gets the uncompressed size (§1.3).
func TestDecompressCaptured(t *testing.T) {
	msg := capturedCompressed(t)
	h, err := protocol.ParseHeader(msg, protocol.DefaultMessageSizeMax)
	if want := (protocol.Header{Type: protocol.Request, Compression: protocol.Compressed, Size: 98}); err != nil || h != want || len(msg) != 98 {
		t.Fatalf("ParseHeader(captured) = %+v, %v (%d bytes), want %+v", h, err, len(msg), want)
	}
	got, err := protocol.Decompress(msg, protocol.DefaultMessageSizeMax)
	if err != nil {
		t.Fatalf("Decompress(captured) = %v", err)
	}
	params := encoding.NewEncoder(nil, encoding.Encoding11)
	params.WriteString(echoText)
	req := requestMessage{
		Header: protocol.Header{Type: protocol.Request, Compression: protocol.Compressed, Size: 343},
		ID:     1,
		Requests: []request{{
			Header:   protocol.RequestHeader{Identity: encoding.Identity{Name: "test"}, Operation: "echo", Mode: protocol.Normal},
			Encoding: encoding.Encoding11,
			Params:   params.Bytes(),
		}},
	}
	want := appendRequestMessage(nil, req)
	want[9] = protocol.Compressed
	if !bytes.Equal(got, want) {
		t.Errorf("Decompress(captured) =\n%s\nwant\n%s", icetest.HexString(got), icetest.HexString(want))
	}
	parsed, err := parseRequestMessage(got, protocol.DefaultMessageSizeMax)
	if err != nil {
		t.Fatalf("parseRequestMessage(Decompress(captured)) = %v", err)
	}
	if diff := cmp.Diff(req, parsed); diff != "" {
		t.Errorf("parseRequestMessage(Decompress(captured)) mismatch (-want +got):\n%s", diff)
	}
}

// patch returns a copy of msg with f applied.
func patch(msg []byte, f func(b []byte) []byte) []byte {
	return f(bytes.Clone(msg))
}

// announce sets the uncompressed size field of a compressed message.
func announce(n uint32) func([]byte) []byte {
	return func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[protocol.HeaderSize:], n)
		return b
	}
}

// TestDecompressSizes checks the limit on the uncompressed size: it may reach maxSize, and
// maxSize <= 0 means no limit.
func TestDecompressSizes(t *testing.T) {
	tests := []struct {
		name    string
		msg     func(t testing.TB) []byte
		maxSize int
		want    int
	}{
		{"captured at the limit", capturedCompressed, 343, 343},
		{"captured without limit", capturedCompressed, 0, 343},
		{"captured, negative limit", capturedCompressed, -1, 343},
		{"bomb under a large limit", zipBomb, 4 << 20, 14 + 2<<20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := protocol.Decompress(tc.msg(t), tc.maxSize)
			if err != nil || len(got) != tc.want {
				t.Fatalf("Decompress(%s, %d) = %d bytes, %v, want %d bytes", tc.name, tc.maxSize, len(got), err, tc.want)
			}
			if size := binary.LittleEndian.Uint32(got[10:]); int(size) != tc.want {
				t.Errorf("Decompress(%s, %d) header size = %d, want %d", tc.name, tc.maxSize, size, tc.want)
			}
		})
	}
}

// TestDecompressErrors covers compressed messages that must be refused with a *ProtocolError.
func TestDecompressErrors(t *testing.T) {
	captured, bomb := capturedCompressed(t), zipBomb(t)
	stream := captured[protocol.HeaderSize+4:]
	withStream := func(s []byte) []byte {
		return append(bytes.Clone(captured[:protocol.HeaderSize+4]), s...)
	}
	tests := []struct {
		name    string
		msg     []byte
		maxSize int
	}{
		{"announced size larger than the stream", patch(captured, announce(344)), 0},
		{"announced size smaller than the stream", patch(captured, announce(342)), 0},
		{"announced size of the header alone", patch(captured, announce(14)), 0},
		{"announced size under the header size", patch(captured, announce(13)), 0},
		{"announced size 0", patch(captured, announce(0)), 0},
		{"negative announced size", patch(captured, announce(0xffffffff)), 0},
		{"over the limit", captured, 342},
		{"zip bomb announcing more than the limit", bomb, protocol.DefaultMessageSizeMax},
		{"zip bomb announcing 2^31-1", patch(bomb, announce(1<<31-1)), 0},
		{"zip bomb announcing less than it holds", patch(bomb, announce(1000)), 0},
		{"zip bomb announcing 1 byte less", patch(bomb, announce(14+2<<20-1)), 0},
		{"no size", captured[:protocol.HeaderSize+3], 0},
		{"no stream", captured[:protocol.HeaderSize+4], 0},
		{"not bzip2", withStream([]byte("this is not a bzip2 stream at all, not even close")), 0},
		{"bzip2 magic then garbage", withStream(append([]byte("BZh1"), bytes.Repeat([]byte{0x5a}, 40)...)), 0},
		{"bad block size", withStream(append([]byte("BZh0"), stream[4:]...)), 0},
		// Regression cases: Decompress used to stop reading once it had the announced bytes, so
		// it accepted these (compress/bzip2 checks the CRCs and the end of the stream later).
		{"truncated stream", captured[:len(captured)-10], 0},
		{"stream without its final byte", captured[:len(captured)-1], 0},
		{"block CRC flipped", patch(captured, func(b []byte) []byte { b[protocol.HeaderSize+4+10] ^= 1; return b }), 0},
		{"stream CRC flipped", patch(captured, func(b []byte) []byte { b[len(b)-2] ^= 0x10; return b }), 0},
		{"data bit flipped", patch(captured, func(b []byte) []byte { b[50] ^= 0x04; return b }), 0},
		{"garbage after the stream", append(bytes.Clone(captured), "junk"...), 0},
		{"a second stream after the stream", append(bytes.Clone(captured), stream...), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := protocol.Decompress(tc.msg, tc.maxSize)
			if !errors.Is(err, protocol.ErrProtocol) || got != nil {
				t.Errorf("Decompress(%s, %d) = %d bytes, %v, want a protocol error", tc.name, tc.maxSize, len(got), err)
			}
		})
	}
}

// TestDecompressBombAllocation checks what Decompress allocates for hostile messages: nothing for
// one announcing more than the limit; for one lying about a smaller size, no more than the
// announced size (it stops reading right after it); for one announcing more than its stream
// holds, about twice what the stream yields rather than the announced size.
func TestDecompressBombAllocation(t *testing.T) {
	bomb := zipBomb(t)
	tests := []struct {
		name     string
		msg      []byte
		maxSize  int
		maxAlloc uint64
	}{
		// The limit is checked before the output buffer or the bzip2 state is allocated.
		{"announcing more than the limit", bomb, protocol.DefaultMessageSizeMax, 4 << 10},
		// Output buffer (1 KiB) plus compress/bzip2's state for block size 1 (400 KB of tt,
		// Huffman tables); far from the 2 MiB the stream holds.
		{"announcing less than it holds", patch(bomb, announce(1000)), 0, 1 << 20},
		// Before output grew with the stream, this allocated the announced 2 GiB.
		{"announcing 2^31-1 without a limit", patch(bomb, announce(1<<31-1)), 0, 10 << 20},
		// Output starts at 4 KiB; compress/bzip2 gives up at the magic, before its state.
		{"garbage announcing the limit", append(patch(bomb[:protocol.HeaderSize+4], announce(1<<20)), "not bzip2"...),
			protocol.DefaultMessageSizeMax, 16 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			allocated := allocatedBy(func() { _, _ = protocol.Decompress(tc.msg, tc.maxSize) })
			t.Logf("Decompress(%s) allocated %d bytes", tc.name, allocated)
			if allocated > tc.maxAlloc {
				t.Errorf("Decompress(%s) allocated %d bytes, want at most %d", tc.name, allocated, tc.maxAlloc)
			}
		})
	}
}

// allocatedBy returns the bytes f allocates. The bounds it is checked against are far above what
// anything else in the test process allocates meanwhile.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
