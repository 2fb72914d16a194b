package encoding

import "strings"

// WriteException writes a user exception, most-derived slice first (ice-protocol.md §4).
//
// In 1.1 the slices use e's Format (SetFormat). In 1.0 a bool "uses classes" comes first and,
// if it is true, the pending class instances follow the slices (§4.2, §5.6). The flag is the
// result of ex.UsesClasses() when ex has that method (Ice's static answer: the exception type
// has class members), otherwise whether EncodeSlices called WriteValue; both give the same
// bytes for exceptions whose class members are written unconditionally.
func (e *Encoder) WriteException(ex UserException) {
	c := e.classes()
	if e.enc != Encoding10 {
		f := c.push(true, e.format)
		ex.EncodeSlices(e)
		c.pop(f)
		return
	}
	flagPos := len(e.buf)
	e.buf = append(e.buf, 0)
	refs := c.refs
	f := c.push(true, CompactFormat)
	ex.EncodeSlices(e)
	c.pop(f)
	uses := c.refs > refs
	if u, ok := ex.(interface{ UsesClasses() bool }); ok {
		uses = u.UsesClasses()
	}
	if uses {
		e.buf[flagPos] = 1
		e.WritePendingValues()
	}
}

// ReadException reads a user exception (§4.3). It walks the slices most-derived first; the
// first type id for which factory returns an exception is decoded by that exception's
// DecodeSlices (that slice and its bases). Unknown slices are skipped when they carry a size
// (always in 1.0; in 1.1 in the sliced format).
//
// If no slice is known, or an unknown slice cannot be skipped (1.1 compact), it returns an
// *UnknownExceptionError with the most-derived type id; the decoder's error stays nil and it is
// positioned after the exception (sliced) or at the end of the encapsulation (otherwise: the
// rest cannot be read). Malformed input returns the decoder's error.
func (d *Decoder) ReadException(factory func(typeID string) UserException) (UserException, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.enc == Encoding10 {
		return d.readException10(factory)
	}
	c := d.classes()
	f := c.push(true)
	defer c.pop(f)
	d.readSliceHeader(f)
	mostDerived := f.typeID
	for d.err == nil {
		if ex := newException(factory, f.typeID); ex != nil {
			f.skipFirst = true
			ex.DecodeSlices(d)
			d.endInstance(f)
			d.checkPatches()
			if d.err != nil {
				return nil, d.err
			}
			return ex, nil
		}
		if f.flags&flagSliceSize == 0 {
			d.pos = d.end
			return nil, &UnknownExceptionError{TypeID: mostDerived}
		}
		d.skipSlice(f)
		if d.err == nil && f.flags&flagLastSlice != 0 {
			return nil, &UnknownExceptionError{TypeID: mostDerived}
		}
		d.readSliceHeader(f)
	}
	return nil, d.err
}

// readException10 reads a 1.0 exception: bool usesClasses, slices, pending instances (§4.2).
// 1.0 has no last-slice marker: after skipping an unknown slice, anything that does not look
// like another exception slice header means the exception is unknown.
func (d *Decoder) readException10(factory func(string) UserException) (UserException, error) {
	usesClasses := d.ReadBool()
	c := d.classes()
	f := c.push(true)
	d.readSliceHeader(f)
	mostDerived := f.typeID
	for d.err == nil {
		if ex := newException(factory, f.typeID); ex != nil {
			f.skipFirst = true
			ex.DecodeSlices(d)
			d.endInstance(f)
			c.pop(f)
			if usesClasses {
				d.ReadPendingValues()
			}
			if d.err != nil {
				return nil, d.err
			}
			return ex, nil
		}
		d.skipSlice(f)
		if d.err == nil && !d.peekExceptionSlice10() {
			c.pop(f)
			c.refs = 0
			d.pos = d.end
			return nil, &UnknownExceptionError{TypeID: mostDerived}
		}
		d.readSliceHeader(f)
	}
	c.pop(f)
	return nil, d.err
}

// peekExceptionSlice10 reports whether a plausible 1.0 exception slice header follows: a type
// id starting with "::" and a slice size that fits. It does not move the decoder.
func (d *Decoder) peekExceptionSlice10() bool {
	p := Decoder{buf: d.buf, pos: d.pos, end: d.end, enc: d.enc}
	if p.Remaining() == 0 {
		return false
	}
	id := p.ReadString()
	size := p.ReadInt()
	return p.err == nil && strings.HasPrefix(id, "::") && size >= 4 && int(size)-4 <= p.Remaining()
}

func newException(factory func(string) UserException, typeID string) UserException {
	if factory == nil {
		return nil
	}
	ex := factory(typeID)
	if ex == nil || isNilValue(ex) {
		return nil
	}
	return ex
}
