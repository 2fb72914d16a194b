package encoding

import (
	"encoding/binary"
	"math"
)

// Format selects how classes and exceptions are sliced (ice-protocol.md §4.1, §5.2).
type Format uint8

// The class and exception formats. Compact is what Ice 3.7 uses by default.
const (
	CompactFormat Format = iota
	SlicedFormat
)

// An Encoder appends Ice-encoded values to a byte slice. The zero value is not usable: create one
// with NewEncoder. An Encoder is not safe for concurrent use.
type Encoder struct {
	buf    []byte
	enc    Version // encoding of the current encapsulation (or of the top level)
	format Format
	encaps []encapsFrame // open encapsulations, innermost last
	cls    *classWriter  // class/exception state of the current encapsulation; nil until needed
}

// encapsFrame remembers where an open encapsulation started and the state it hides.
type encapsFrame struct {
	start int
	enc   Version
	cls   *classWriter
}

// NewEncoder returns an Encoder that writes encoding v into buf (which may be nil; the Encoder
// appends to it and owns it until Bytes is called).
func NewEncoder(buf []byte, v Version) *Encoder {
	return &Encoder{buf: buf, enc: v}
}

// Reset makes e write encoding v into buf, dropping all state.
func (e *Encoder) Reset(buf []byte, v Version) {
	*e = Encoder{buf: buf, enc: v, format: e.format}
}

// Bytes returns the encoded bytes. The caller owns them; e must not be used afterwards unless Reset.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes written so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Encoding returns the encoding being written.
func (e *Encoder) Encoding() Version { return e.enc }

// SetFormat selects the class and exception format for what is written next: each instance
// and exception uses the format set when it starts (§4.1, §5.2).
func (e *Encoder) SetFormat(f Format) { e.format = f }

// Format returns the format set by SetFormat (CompactFormat by default).
func (e *Encoder) Format() Format { return e.format }

// WriteBool appends a bool as one byte.
func (e *Encoder) WriteBool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// WriteByte appends one byte. It never fails; the error result satisfies io.ByteWriter.
func (e *Encoder) WriteByte(v byte) error {
	e.buf = append(e.buf, v)
	return nil
}

// WriteShort appends a little-endian int16.
func (e *Encoder) WriteShort(v int16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(v)) }

// WriteInt appends a little-endian int32.
func (e *Encoder) WriteInt(v int32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(v)) }

// WriteLong appends a little-endian int64.
func (e *Encoder) WriteLong(v int64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(v)) }

// WriteFloat appends an IEEE-754 binary32.
func (e *Encoder) WriteFloat(v float32) {
	e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(v))
}

// WriteDouble appends an IEEE-754 binary64.
func (e *Encoder) WriteDouble(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}

// WriteSize appends a size: one byte below 255, else 0xff and an int32.
func (e *Encoder) WriteSize(n int) {
	if n < 255 {
		e.buf = append(e.buf, byte(n))
		return
	}
	e.buf = append(e.buf, 255)
	e.WriteInt(int32(n))
}

// WriteString appends a size-prefixed UTF-8 string.
func (e *Encoder) WriteString(s string) {
	e.WriteSize(len(s))
	e.buf = append(e.buf, s...)
}

// WriteBytes appends raw bytes with no size.
func (e *Encoder) WriteBytes(b []byte) { e.buf = append(e.buf, b...) }

// WriteByteSeq appends a sequence<byte>.
func (e *Encoder) WriteByteSeq(b []byte) {
	e.WriteSize(len(b))
	e.buf = append(e.buf, b...)
}

// WriteStringSeq appends a sequence<string>.
func (e *Encoder) WriteStringSeq(ss []string) {
	e.WriteSize(len(ss))
	for _, s := range ss {
		e.WriteString(s)
	}
}

// WriteStringDict appends a dictionary<string,string> with its keys sorted, as C++ Ice does.
func (e *Encoder) WriteStringDict(m map[string]string) {
	e.WriteSize(len(m))
	for _, k := range sortedKeys(m) {
		e.WriteString(k)
		e.WriteString(m[k])
	}
}

// WriteEnum appends an enumerator: in 1.1 as a size, in 1.0 as a byte, short or int depending on
// maxValue, the largest enumerator of the enum (§3).
func (e *Encoder) WriteEnum(v, maxValue int32) {
	switch {
	case e.enc != Encoding10:
		e.WriteSize(int(v))
	case maxValue < 127:
		e.buf = append(e.buf, byte(v))
	case maxValue < 32767:
		e.WriteShort(int16(v))
	default:
		e.WriteInt(v)
	}
}

// StartEncapsulation opens an encapsulation of encoding v. Every Start must be paired with
// EndEncapsulation.
func (e *Encoder) StartEncapsulation(v Version) {
	e.encaps = append(e.encaps, encapsFrame{start: len(e.buf), enc: e.enc, cls: e.cls})
	e.buf = append(e.buf, 0, 0, 0, 0, v.Major, v.Minor)
	e.enc = v
	e.cls = nil
}

// EndEncapsulation closes the innermost encapsulation and patches its size. In 1.0 it first
// writes the pending class instances, if any were referenced.
func (e *Encoder) EndEncapsulation() {
	e.writePendingValues()
	f := e.encaps[len(e.encaps)-1]
	e.encaps = e.encaps[:len(e.encaps)-1]
	binary.LittleEndian.PutUint32(e.buf[f.start:], uint32(len(e.buf)-f.start))
	e.enc = f.enc
	e.cls = f.cls
}

// WriteEmptyEncapsulation appends an encapsulation with no data.
func (e *Encoder) WriteEmptyEncapsulation(v Version) {
	e.buf = append(e.buf, 6, 0, 0, 0, v.Major, v.Minor)
}

// WriteEncapsulation appends data, already encoded in v, as an encapsulation.
func (e *Encoder) WriteEncapsulation(v Version, data []byte) {
	e.WriteInt(int32(len(data) + 6))
	e.buf = append(e.buf, v.Major, v.Minor)
	e.buf = append(e.buf, data...)
}

// OptionalFormat is the format of a tagged member (§3.3).
type OptionalFormat uint8

// The optional formats.
const (
	OptionalF1 OptionalFormat = iota
	OptionalF2
	OptionalF4
	OptionalF8
	OptionalSize
	OptionalVSize
	OptionalFSize
	OptionalClass
)

// WriteOptional writes the tag header of an optional member and reports whether the member must
// be written. In encoding 1.0 optionals do not exist and it returns false.
func (e *Encoder) WriteOptional(tag int, f OptionalFormat) bool {
	if e.enc == Encoding10 {
		return false
	}
	if e.cls != nil {
		e.cls.markOptionals()
	}
	if tag < 30 {
		e.buf = append(e.buf, byte(tag<<3)|byte(f))
	} else {
		e.buf = append(e.buf, 0xf0|byte(f))
		e.WriteSize(tag)
	}
	return true
}

// StartSize reserves an int32 length (for FSize optionals) and returns its position.
func (e *Encoder) StartSize() int {
	pos := len(e.buf)
	e.buf = append(e.buf, 0, 0, 0, 0)
	return pos
}

// EndSize patches the length reserved at pos with the bytes written after it.
func (e *Encoder) EndSize(pos int) {
	binary.LittleEndian.PutUint32(e.buf[pos:], uint32(len(e.buf)-pos-4))
}
