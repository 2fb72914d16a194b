package encoding

import "encoding/binary"

// StartSlice starts a slice of the instance or exception being written; EncodeSlices calls it
// once per slice, most-derived first, with last true for the least-derived slice.
//
// Encoding 1.1 (§4.1, §5.2): a flags byte, then the type id — always a string for exceptions;
// for instances a string the first time, an index afterwards, and in the compact format only in
// the first slice — then in the sliced format an int32 slice size. Encoding 1.0 (§4.2, §5.6):
// the type id (for instances preceded by a bool telling whether it is an index), then an int32
// slice size.
//
// Calling it outside EncodeSlices, or twice without EndSlice, is a programming error and
// panics.
func (e *Encoder) StartSlice(typeID string, last bool) { e.startSlice(typeID, -1, last) }

func (e *Encoder) startSlice(typeID string, compactID int, last bool) {
	f := e.frame("StartSlice")
	if f.inSlice {
		panic("encoding: StartSlice inside a slice")
	}
	f.inSlice = true
	if e.enc == Encoding10 {
		e.startSlice10(f, typeID)
		return
	}
	f.flagsPos = len(e.buf)
	f.flags = 0
	if f.format == SlicedFormat {
		f.flags |= flagSliceSize
	}
	if last {
		f.flags |= flagLastSlice
	}
	e.buf = append(e.buf, 0) // flags, patched by EndSlice
	switch {
	case f.exception:
		e.WriteString(typeID)
	case f.format == SlicedFormat || f.first:
		e.writeTypeID(f, typeID, compactID)
	}
	f.sizePos = -1
	if f.flags&flagSliceSize != 0 {
		f.sizePos = len(e.buf)
		e.buf = append(e.buf, 0, 0, 0, 0)
	}
	f.first = false
}

// writeTypeID writes a 1.1 instance type id as a compact id, an index or a string (§5.2).
func (e *Encoder) writeTypeID(f *writeFrame, typeID string, compactID int) {
	c := e.cls
	if typeID == "" && compactID >= 0 {
		f.flags |= flagTypeIDCompact
		e.WriteSize(compactID)
		return
	}
	if i, ok := c.typeIDs[typeID]; ok {
		f.flags |= flagTypeIDIndex
		e.WriteSize(i)
		return
	}
	c.typeIDs[typeID] = len(c.typeIDs) + 1
	f.flags |= flagTypeIDString
	e.WriteString(typeID)
}

// startSlice10 writes a 1.0 slice header (§4.2, §5.6).
func (e *Encoder) startSlice10(f *writeFrame, typeID string) {
	c := e.cls
	switch i, ok := c.typeIDs[typeID]; {
	case f.exception:
		e.WriteString(typeID)
	case ok:
		e.WriteBool(true)
		e.WriteSize(i)
	default:
		c.typeIDs[typeID] = len(c.typeIDs) + 1
		e.WriteBool(false)
		e.WriteString(typeID)
	}
	f.sizePos = len(e.buf)
	e.buf = append(e.buf, 0, 0, 0, 0)
}

// EndSlice ends the current slice: in 1.1 it writes the optional members' end marker (0xff) if
// WriteOptional wrote any, patches the slice size (which counts itself, the members and the
// marker), writes the indirection table (sliced format, §5.3) and patches the flags.
func (e *Encoder) EndSlice() {
	f := e.frame("EndSlice")
	if !f.inSlice {
		panic("encoding: EndSlice without StartSlice")
	}
	f.inSlice = false
	if e.enc == Encoding10 {
		e.patchSliceSize(f.sizePos)
		return
	}
	if f.flags&flagOptionals != 0 {
		e.buf = append(e.buf, 0xff)
	}
	if f.sizePos >= 0 {
		e.patchSliceSize(f.sizePos)
	}
	if len(f.table) > 0 {
		f.flags |= flagIndirection
		table := f.table
		f.table, f.tableIdx = nil, nil
		e.WriteSize(len(table))
		for _, v := range table {
			e.writeInstance(v)
		}
	}
	e.buf[f.flagsPos] = f.flags
}

// patchSliceSize stores the bytes written since pos, the int32 itself included.
func (e *Encoder) patchSliceSize(pos int) {
	binary.LittleEndian.PutUint32(e.buf[pos:], uint32(len(e.buf)-pos))
}

// frame returns the instance or exception being written, panicking if there is none.
func (e *Encoder) frame(op string) *writeFrame {
	if e.cls == nil || e.cls.cur == nil {
		panic("encoding: " + op + " outside EncodeSlices")
	}
	return e.cls.cur
}

// WriteStringSlice writes a slice whose only member is a string, as the slice of an exception
// such as IceGrid::PermissionDeniedException{string reason}.
func (e *Encoder) WriteStringSlice(typeID, s string, last bool) {
	e.StartSlice(typeID, last)
	e.WriteString(s)
	e.EndSlice()
}
