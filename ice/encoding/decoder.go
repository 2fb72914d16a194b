package encoding

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrUnmarshal is wrapped by every decoding error, so callers can tell bad input from other
// failures with errors.Is.
var ErrUnmarshal = errors.New("encoding: unmarshal")

// DecodeError describes malformed input.
type DecodeError struct {
	Offset int    // position in the decoder's buffer
	Reason string // what was wrong
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("encoding: unmarshal at offset %d: %s", e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrUnmarshal) true.
func (e *DecodeError) Unwrap() error { return ErrUnmarshal }

// A Decoder reads Ice-encoded values from a byte slice. After the first error every read returns
// the zero value and Err reports that first error. A Decoder is not safe for concurrent use.
type Decoder struct {
	buf    []byte
	pos    int
	end    int // end of the innermost encapsulation, or len(buf)
	enc    Version
	err    error
	encaps []decapsFrame
	cls    *classReader // class/exception state of the current encapsulation; nil until needed

	// ValueFactory maps a class type id to a new, empty instance, or nil if unknown.
	ValueFactory func(typeID string) Value
	// MaxClassDepth bounds nested class instances (Ice.ClassGraphDepthMax); 0 means 100.
	MaxClassDepth int
}

type decapsFrame struct {
	end int
	enc Version
	cls *classReader
}

// NewDecoder returns a Decoder over buf in encoding v. The Decoder does not copy buf; strings it
// returns are copies, byte sequences alias buf.
func NewDecoder(buf []byte, v Version) *Decoder {
	return &Decoder{buf: buf, end: len(buf), enc: v}
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// SetError records err as the decoder's error unless one is already recorded.
func (d *Decoder) SetError(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Failf records a DecodeError at the current position.
func (d *Decoder) Failf(format string, args ...any) {
	d.SetError(&DecodeError{Offset: d.pos, Reason: fmt.Sprintf(format, args...)})
}

// Encoding returns the encoding being read.
func (d *Decoder) Encoding() Version { return d.enc }

// Pos returns the read position in the buffer.
func (d *Decoder) Pos() int { return d.pos }

// Remaining returns the bytes left before the end of the innermost encapsulation.
func (d *Decoder) Remaining() int { return d.end - d.pos }

// take returns the next n bytes, or nil after recording an error.
func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.end-d.pos {
		d.Failf("need %d bytes, %d left", n, d.end-d.pos)
		return nil
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

// ReadBool reads a bool; any non-zero byte is true.
func (d *Decoder) ReadBool() bool {
	b := d.take(1)
	return b != nil && b[0] != 0
}

// ReadByte reads one byte. The error result satisfies io.ByteReader; it is the sticky error.
func (d *Decoder) ReadByte() (byte, error) {
	b := d.take(1)
	if b == nil {
		return 0, d.err
	}
	return b[0], nil
}

// ReadUint8 reads one byte, leaving errors in Err.
func (d *Decoder) ReadUint8() byte {
	b, _ := d.ReadByte()
	return b
}

// ReadShort reads a little-endian int16.
func (d *Decoder) ReadShort() int16 {
	if b := d.take(2); b != nil {
		return int16(binary.LittleEndian.Uint16(b))
	}
	return 0
}

// ReadInt reads a little-endian int32.
func (d *Decoder) ReadInt() int32 {
	if b := d.take(4); b != nil {
		return int32(binary.LittleEndian.Uint32(b))
	}
	return 0
}

// ReadLong reads a little-endian int64.
func (d *Decoder) ReadLong() int64 {
	if b := d.take(8); b != nil {
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// ReadFloat reads an IEEE-754 binary32.
func (d *Decoder) ReadFloat() float32 {
	if b := d.take(4); b != nil {
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	}
	return 0
}

// ReadDouble reads an IEEE-754 binary64.
func (d *Decoder) ReadDouble() float64 {
	if b := d.take(8); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// ReadSize reads a size. A negative size is an error.
func (d *Decoder) ReadSize() int {
	b := d.take(1)
	if b == nil {
		return 0
	}
	if b[0] < 255 {
		return int(b[0])
	}
	n := d.ReadInt()
	if n < 0 {
		d.Failf("negative size %d", n)
		return 0
	}
	return int(n)
}

// ReadCount reads a sequence or dictionary count and checks that count elements of at least
// minSize bytes each fit in what is left, so callers may allocate count elements.
func (d *Decoder) ReadCount(minSize int) int {
	n := d.ReadSize()
	if d.err == nil && minSize > 0 && n > (d.end-d.pos)/minSize {
		d.Failf("count %d does not fit in %d bytes", n, d.end-d.pos)
		return 0
	}
	return n
}

// ReadString reads a size-prefixed string.
func (d *Decoder) ReadString() string {
	n := d.ReadSize()
	return string(d.take(n))
}

// ReadBytes returns the next n bytes; the result aliases the decoder's buffer.
func (d *Decoder) ReadBytes(n int) []byte { return d.take(n) }

// ReadByteSeq reads a sequence<byte>; the result aliases the decoder's buffer.
func (d *Decoder) ReadByteSeq() []byte {
	return d.take(d.ReadSize())
}

// ReadStringSeq reads a sequence<string>.
func (d *Decoder) ReadStringSeq() []string {
	n := d.ReadCount(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, 0, n)
	for range n {
		ss = append(ss, d.ReadString())
	}
	if d.err != nil {
		return nil
	}
	return ss
}

// ReadStringDict reads a dictionary<string,string>.
func (d *Decoder) ReadStringDict() map[string]string {
	n := d.ReadCount(2)
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.ReadString()
		m[k] = d.ReadString()
	}
	if d.err != nil {
		return nil
	}
	return m
}

// ReadEnum reads an enumerator written with WriteEnum and checks it is in [0, maxValue].
func (d *Decoder) ReadEnum(maxValue int32) int32 {
	var v int32
	switch {
	case d.enc != Encoding10:
		v = int32(d.ReadSize())
	case maxValue < 127:
		v = int32(d.ReadUint8())
	case maxValue < 32767:
		v = int32(d.ReadShort())
	default:
		v = d.ReadInt()
	}
	if d.err == nil && (v < 0 || v > maxValue) {
		d.Failf("enumerator %d out of range", v)
		return 0
	}
	return v
}

// StartEncapsulation enters an encapsulation and returns its encoding. Reads are then bounded by
// its end. An unsupported encoding is an error.
func (d *Decoder) StartEncapsulation() Version {
	start := d.pos
	size := int(d.ReadInt())
	maj, minor := d.ReadUint8(), d.ReadUint8()
	if d.err != nil {
		return Version{}
	}
	if size < 6 || size > d.end-start {
		d.pos = start
		d.Failf("encapsulation size %d, %d bytes left", size, d.end-start)
		return Version{}
	}
	v := Version{maj, minor}
	if !v.Supported() {
		d.pos = start
		d.SetError(&UnsupportedEncodingError{Version: v})
		return Version{}
	}
	d.encaps = append(d.encaps, decapsFrame{end: d.end, enc: d.enc, cls: d.cls})
	d.end = start + size
	d.enc = v
	d.cls = nil
	return v
}

// EndEncapsulation leaves the innermost encapsulation. In 1.0 it first reads the pending class
// instances if ReadValue was called (see ReadPendingValues); in 1.1 it skips trailing tagged
// members. Every class reference must then be resolved, and the data must be consumed exactly
// (1.0 tolerates one stray byte, as Ice 3.7 does).
func (d *Decoder) EndEncapsulation() {
	if len(d.encaps) == 0 {
		d.Failf("no open encapsulation")
		return
	}
	if d.err == nil {
		d.readPendingValues()
		if d.enc != Encoding10 {
			d.skipOptionals(false)
		}
		d.checkPatches()
		left := d.end - d.pos
		if left != 0 && (d.enc != Encoding10 || left > 1) {
			d.Failf("%d bytes left at the end of the encapsulation", left)
		}
	}
	f := d.encaps[len(d.encaps)-1]
	d.encaps = d.encaps[:len(d.encaps)-1]
	if d.err == nil {
		d.pos = d.end
	}
	d.end, d.enc, d.cls = f.end, f.enc, f.cls
}

// SkipEncapsulation skips a whole encapsulation and returns its encoding.
func (d *Decoder) SkipEncapsulation() Version {
	_, v := d.ReadEncapsulation()
	return v
}

// ReadEncapsulation returns the data of the next encapsulation (aliasing the buffer) and its
// encoding, without checking that the encoding is supported.
func (d *Decoder) ReadEncapsulation() ([]byte, Version) {
	size := int(d.ReadInt())
	if d.err == nil && (size < 6 || size-4 > d.end-d.pos) {
		d.Failf("encapsulation size %d, %d bytes left", size, d.end-d.pos+4)
		return nil, Version{}
	}
	v := Version{d.ReadUint8(), d.ReadUint8()}
	return d.take(size - 6), v
}

// UnsupportedEncodingError reports an encapsulation in an encoding this package cannot read.
type UnsupportedEncodingError struct{ Version Version }

func (e *UnsupportedEncodingError) Error() string {
	return "encoding: unsupported encoding " + e.Version.String()
}

// ReadOptional positions the decoder on the optional member with the given tag and format and
// reports whether it is present. Members with smaller tags are skipped. Inside a class or
// exception slice the end marker 0xff stops the search.
func (d *Decoder) ReadOptional(tag int, f OptionalFormat) bool {
	if d.enc == Encoding10 || d.err != nil {
		return false
	}
	inSlice := d.cls != nil && d.cls.sliceHasOptionals()
	if d.cls != nil && d.cls.inSlice() && !inSlice {
		return false
	}
	for d.err == nil && d.pos < d.end {
		start := d.pos
		v := d.ReadUint8()
		if v == 0xff { // end marker: a slice's, or (as in Ice 3.7) one at encapsulation level
			d.pos = start // leave the marker for the slice end
			return false
		}
		fmtv := OptionalFormat(v & 7)
		t := int(v >> 3)
		if t == 30 {
			t = d.ReadSize()
		}
		if t > tag {
			d.pos = start
			return false
		}
		if t < tag {
			d.skipOptional(fmtv)
			continue
		}
		if fmtv != f {
			d.Failf("optional member %d has format %d, want %d", tag, fmtv, f)
			return false
		}
		return d.err == nil
	}
	return false
}

// skipOptionals skips tagged members up to the end of the encapsulation or, in a slice, up to
// and including the 0xff end marker.
func (d *Decoder) skipOptionals(inSlice bool) {
	for d.err == nil && d.pos < d.end {
		v := d.ReadUint8()
		if v == 0xff {
			// In a slice this ends its optional members; at encapsulation level Ice 3.7 also
			// stops at the marker and the caller then requires the end of the data.
			return
		}
		if v>>3 == 30 {
			d.ReadSize()
		}
		d.skipOptional(OptionalFormat(v & 7))
	}
	if inSlice {
		d.Failf("missing end marker of optional members")
	}
}

func (d *Decoder) skipOptional(f OptionalFormat) {
	switch f {
	case OptionalF1:
		d.take(1)
	case OptionalF2:
		d.take(2)
	case OptionalF4:
		d.take(4)
	case OptionalF8:
		d.take(8)
	case OptionalSize:
		d.ReadSize()
	case OptionalVSize:
		d.take(d.ReadSize())
	case OptionalFSize:
		n := d.ReadInt()
		if n < 0 {
			d.Failf("negative optional size %d", n)
			return
		}
		d.take(int(n))
	case OptionalClass:
		d.skipOptionalValue()
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
