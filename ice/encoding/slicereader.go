package encoding

import "slices"

// StartSlice starts reading the next slice of the instance or exception being decoded and
// returns its type id when the slice carries one ("" for the non-first slices of the compact
// format, ice-protocol.md §5.2). DecodeSlices calls it once per slice, most-derived first.
func (d *Decoder) StartSlice() string {
	if d.err != nil {
		return ""
	}
	f := d.frame()
	switch {
	case f == nil:
		d.Failf("StartSlice outside DecodeSlices")
		return ""
	case f.inSlice:
		d.Failf("StartSlice inside a slice")
		return ""
	case f.skipFirst:
		f.skipFirst = false
	default:
		d.readSliceHeader(f)
	}
	f.inSlice = true
	return f.typeID
}

// EndSlice ends the current slice. In 1.1 it skips the optional members not read, up to and
// including the 0xff end marker (flag 0x04), then reads the indirection table (flag 0x08, §5.3)
// and resolves the class members that referred to it.
func (d *Decoder) EndSlice() {
	if d.err != nil {
		return
	}
	f := d.frame()
	if f == nil || !f.inSlice {
		d.Failf("EndSlice without StartSlice")
		return
	}
	if d.enc != Encoding10 {
		if f.flags&flagOptionals != 0 {
			d.skipOptionals(true)
		}
		if f.flags&flagIndirection != 0 {
			d.readIndirectionTable(f)
		}
	}
	f.inSlice = false
}

func (d *Decoder) frame() *readFrame {
	if d.cls == nil {
		return nil
	}
	return d.cls.cur
}

// readSliceHeader reads the header of f's next slice (§4.1, §4.2, §5.2, §5.6).
func (d *Decoder) readSliceHeader(f *readFrame) {
	if d.enc == Encoding10 {
		if f.exception {
			f.typeID = d.ReadString()
		} else {
			f.typeID = d.readTypeID(d.ReadBool())
		}
		d.readSliceSize(f)
		return
	}
	if f.sawLast {
		d.Failf("slice after the last slice")
		return
	}
	f.flags = d.ReadUint8()
	f.typeID, f.compactID = "", -1
	switch kind := f.flags & 0x03; {
	case f.exception:
		f.typeID = d.ReadString()
	case kind == flagTypeIDCompact:
		f.compactID = d.ReadSize()
	case kind != 0:
		f.typeID = d.readTypeID(kind == flagTypeIDIndex)
	}
	f.sliceSize = 0
	if f.flags&flagSliceSize != 0 {
		d.readSliceSize(f)
	}
	f.sawLast = f.flags&flagLastSlice != 0
}

// readSliceSize reads an int32 slice size, which counts itself and must fit in what is left.
func (d *Decoder) readSliceSize(f *readFrame) {
	n := d.ReadInt()
	if d.err == nil && (n < 4 || int(n)-4 > d.Remaining()) {
		d.Failf("invalid slice size %d", n)
	}
	f.sliceSize = int(n)
}

// readTypeID reads an instance type id: a string (registered under the next index) or an index.
func (d *Decoder) readTypeID(isIndex bool) string {
	c := d.cls
	if isIndex {
		i := d.ReadSize()
		if d.err != nil {
			return ""
		}
		if i < 1 || i > len(c.typeIDs) {
			d.Failf("unknown type id index %d", i)
			return ""
		}
		return c.typeIDs[i-1]
	}
	s := d.ReadString()
	if d.err == nil {
		c.typeIDs = append(c.typeIDs, s)
	}
	return s
}

// skipSlice skips the body of f's current slice using its size. In 1.1 it preserves the slice
// in f.preserved and reads its indirection table (whose instances are numbered, so they must be
// read even when skipped).
func (d *Decoder) skipSlice(f *readFrame) {
	body := d.take(f.sliceSize - 4)
	if d.err != nil || d.enc == Encoding10 {
		return
	}
	info := &SliceInfo{
		TypeID:             f.typeID,
		CompactID:          f.compactID,
		HasOptionalMembers: f.flags&flagOptionals != 0,
		IsLastSlice:        f.flags&flagLastSlice != 0,
	}
	if info.HasOptionalMembers {
		if len(body) == 0 || body[len(body)-1] != 0xff {
			d.Failf("slice with optional members has no end marker")
			return
		}
		body = body[:len(body)-1]
	}
	info.Bytes = slices.Clone(body)
	if f.flags&flagIndirection != 0 {
		table := d.readTable()
		info.Instances = make([]Value, len(table))
		for i, n := range table {
			d.addPatch(n, func(v Value) { info.Instances[i] = v })
		}
	}
	f.preserved = append(f.preserved, info)
}

// readTable reads an indirection table: a count and that many references, each a new inline
// instance or a back-reference (§5.3). It returns their instance numbers.
func (d *Decoder) readTable() []int {
	n := d.ReadCount(1)
	if d.err != nil {
		return nil
	}
	if n == 0 {
		d.Failf("empty indirection table")
		return nil
	}
	table := make([]int, n)
	for i := range table {
		ref := d.ReadSize()
		if d.err == nil && ref == 0 {
			d.Failf("null reference in an indirection table")
		}
		if d.err != nil {
			return nil
		}
		table[i] = d.readInstance(ref, nil)
	}
	if d.err != nil {
		return nil
	}
	return table
}

// readIndirectionTable reads the table after a slice and resolves the members that referred to
// it.
func (d *Decoder) readIndirectionTable(f *readFrame) {
	table := d.readTable()
	if d.err != nil {
		return
	}
	if len(f.indirect) == 0 && f.flags&flagOptionals == 0 {
		d.Failf("no references to the indirection table")
		return
	}
	refs := f.indirect
	f.indirect = nil
	for _, p := range refs {
		if p.index >= len(table) {
			d.Failf("indirection %d out of range", p.index+1)
			return
		}
		d.addPatch(table[p.index], p.set)
	}
}

// ReadStringSlice reads a slice whose only member is a string (see WriteStringSlice).
func (d *Decoder) ReadStringSlice() string {
	d.StartSlice()
	s := d.ReadString()
	d.EndSlice()
	return s
}
