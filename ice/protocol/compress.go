package protocol

import (
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"io"
)

// Decompress turns a compressed message (status 2) into the uncompressed message it stands for,
// header included (§1.3): after the header comes an int32 with the uncompressed total size, then
// a bzip2 stream of the body. The uncompressed size is checked against maxSize (<= 0: 2^31-1)
// before anything is allocated, and the stream must produce exactly that many bytes and end with
// valid checksums. The result keeps status 2 in its header and gets the uncompressed size.
//
// The output grows with what the stream really produces rather than being allocated at the
// announced size, so that a few bytes announcing the limit cost little: memory use is at most
// about twice the bytes the stream yields (and never more than the announced size), plus the
// fixed state of compress/bzip2 (400 KB per 100k of block size, 3.6 MB for "BZh9").
func Decompress(msg []byte, maxSize int) ([]byte, error) {
	if len(msg) < HeaderSize+4 {
		return nil, protocolErrorf("compressed message of %d bytes", len(msg))
	}
	total := int(int32(binary.LittleEndian.Uint32(msg[HeaderSize:])))
	if maxSize <= 0 {
		maxSize = 1<<31 - 1
	}
	if total < HeaderSize || total > maxSize {
		return nil, protocolErrorf("illegal uncompressed message size %d (limit %d)", total, maxSize)
	}
	out := make([]byte, HeaderSize, min(total, max(8*len(msg), 4<<10)))
	copy(out, msg[:HeaderSize])
	out[9] = Compressed
	binary.LittleEndian.PutUint32(out[10:], uint32(total))
	r := bzip2.NewReader(bytes.NewReader(msg[HeaderSize+4:]))
	for len(out) < total {
		if len(out) == cap(out) {
			grown := make([]byte, len(out), min(total, 2*cap(out)))
			copy(grown, out)
			out = grown
		}
		n, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, protocolErrorf("bzip2: %v", err)
		}
	}
	if len(out) < total {
		return nil, protocolErrorf("bzip2 stream of %d bytes, %d announced", len(out)-HeaderSize, total-HeaderSize)
	}
	// The stream must end exactly here. Reading on also makes compress/bzip2 check the CRCs of
	// the last block and of the whole stream, which it does only after their data was consumed;
	// libbzip2 in Ice checks both too.
	var one [1]byte
	switch _, err := io.ReadFull(r, one[:]); {
	case err == nil:
		return nil, protocolErrorf("bzip2 stream longer than the announced %d bytes", total-HeaderSize)
	case err != io.EOF:
		return nil, protocolErrorf("bzip2: %v", err)
	}
	return out, nil
}
