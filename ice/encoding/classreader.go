package encoding

// classReader is the class and exception state of one encapsulation (ice-protocol.md §5).
type classReader struct {
	typeIDs   []string        // value type ids read as strings; index i+1 names typeIDs[i] (§5.2)
	instances map[int]Value   // instances read so far, by number
	patches   map[int][]patch // references to instances not read yet, by number
	next      int             // 1.1: last instance number handed out (the first is 2, §5.1)
	depth     int             // class graph depth of the instance being read
	refs      int             // 1.0: ReadValue calls since the pending instances were read
	cur       *readFrame      // innermost instance or exception being read; nil at top level
}

// patch is a reference waiting for its instance.
type patch struct {
	set   func(Value)
	depth int // depth of the instance holding the reference (1.0 depth accounting)
}

// readFrame is one instance or exception being read.
type readFrame struct {
	prev      *readFrame
	exception bool
	skipFirst bool // the first slice header was read to find the type
	inSlice   bool
	sawLast   bool // 1.1: the last-slice flag was read
	flags     byte
	typeID    string
	compactID int
	sliceSize int // the int32 slice size (counting itself), or 0
	indirect  []indirectPatch
	preserved []*SliceInfo
}

// indirectPatch is a class member read as an indirection table position (§5.3).
type indirectPatch struct {
	index int // 0-based position in the table
	set   func(Value)
}

// classes returns the class state of the current encapsulation, creating it.
func (d *Decoder) classes() *classReader {
	if d.cls == nil {
		d.cls = &classReader{instances: map[int]Value{}, patches: map[int][]patch{}}
		if d.enc != Encoding10 {
			d.cls.next = 1
		}
	}
	return d.cls
}

func (c *classReader) push(exception bool) *readFrame {
	c.cur = &readFrame{prev: c.cur, exception: exception, compactID: -1}
	return c.cur
}

func (c *classReader) pop(f *readFrame) { c.cur = f.prev }

// inSlice reports whether a slice is being read (optional members end at its 0xff marker).
func (c *classReader) inSlice() bool { return c.cur != nil && c.cur.inSlice }

// sliceHasOptionals reports whether the slice being read has optional members (flag 0x04).
func (c *classReader) sliceHasOptionals() bool {
	return c.inSlice() && c.cur.flags&flagOptionals != 0
}

func (d *Decoder) maxClassDepth() int {
	if d.MaxClassDepth > 0 {
		return d.MaxClassDepth
	}
	return defaultMaxClassDepth
}

// ReadValue reads a class reference (§5.1, §5.3, §5.6) and calls set with the instance (nil for
// null) once it is available: at once for null and for instances already read; in 1.1 after the
// inline instance is read, or at the end of the slice when the reference goes through an
// indirection table; in 1.0 when the pending instances are read at the end of the encapsulation
// (or after the exception). set is not called if decoding fails; it may be nil to discard the
// instance.
//
// Instances are made by d.ValueFactory; an unknown type is skipped slice by slice down to a
// known base when the slices carry sizes, and becomes an *UnknownSlicedValue if no base is
// known. An unknown type in the compact format fails with *NoValueFactoryError.
func (d *Decoder) ReadValue(set func(Value)) {
	if d.err != nil {
		return
	}
	if set == nil {
		set = func(Value) {} // still track the reference, so that it is checked
	}
	if d.enc == Encoding10 {
		d.readValue10(set)
		return
	}
	d.readRef(set)
}

// readRef reads a 1.1 reference: 0 null, 1 inline instance, n >= 2 back-reference, or inside a
// slice with an indirection table a 1-based table position.
func (d *Decoder) readRef(set func(Value)) {
	n := d.ReadSize()
	if d.err != nil {
		return
	}
	if n == 0 {
		if set != nil {
			set(nil)
		}
		return
	}
	c := d.classes()
	if f := c.cur; f != nil && f.inSlice && f.flags&flagIndirection != 0 {
		if set != nil {
			f.indirect = append(f.indirect, indirectPatch{index: n - 1, set: set})
		}
		return
	}
	d.readInstance(n, set)
}

// skipOptionalValue skips a class-typed optional member (format Class, §3.3).
func (d *Decoder) skipOptionalValue() { d.readRef(nil) }

// readInstance reads the instance a 1.1 reference n points to and returns its number: n >= 2
// is a back-reference, n == 1 an instance that follows inline.
func (d *Decoder) readInstance(n int, set func(Value)) int {
	c := d.cls
	if n > 1 {
		if set != nil {
			d.addPatch(n, set)
		}
		return n
	}
	if c.depth >= d.maxClassDepth() {
		d.Failf("class graph deeper than %d", d.maxClassDepth())
		return 0
	}
	c.depth++
	defer func() { c.depth-- }()
	c.next++
	n = c.next
	f := c.push(false)
	v, known := d.newInstance(f)
	if d.err == nil {
		c.instances[n] = v
		if known {
			f.skipFirst = true
			v.DecodeSlices(d)
			d.endInstance(f)
		}
	}
	c.pop(f)
	if d.err != nil {
		return 0
	}
	d.resolve(n, v)
	if c.cur == nil {
		d.checkPatches()
	}
	if set != nil && d.err == nil {
		set(v)
	}
	return n
}

// newInstance reads slice headers until d.ValueFactory knows the type, skipping unknown slices
// (§5.2), and reports whether it did: when the last slice is skipped it returns an
// *UnknownSlicedValue, which has nothing left to decode.
func (d *Decoder) newInstance(f *readFrame) (v Value, known bool) {
	d.readSliceHeader(f)
	mostDerived := describeTypeID(f.typeID, f.compactID)
	for d.err == nil {
		if d.enc == Encoding10 && f.typeID == objectTypeID {
			d.skipSlice(f)
			return &UnknownSlicedValue{UnknownTypeID: mostDerived}, false
		}
		if v := d.newValue(f.typeID); v != nil {
			return v, true
		}
		if d.enc != Encoding10 && f.flags&flagSliceSize == 0 {
			d.SetError(&NoValueFactoryError{TypeID: describeTypeID(f.typeID, f.compactID)})
			return nil, false
		}
		d.skipSlice(f)
		if d.enc != Encoding10 && f.flags&flagLastSlice != 0 {
			return &UnknownSlicedValue{UnknownTypeID: mostDerived, Slices: f.preserved}, false
		}
		d.readSliceHeader(f)
	}
	return nil, false
}

func (d *Decoder) newValue(typeID string) Value {
	if typeID == "" || d.ValueFactory == nil {
		return nil
	}
	v := d.ValueFactory(typeID)
	if isNilValue(v) {
		return nil
	}
	return v
}

// endInstance checks that DecodeSlices read every slice; in 1.0 it reads the ::Ice::Object
// slice that ends every instance (§5.6).
func (d *Decoder) endInstance(f *readFrame) {
	if d.err != nil {
		return
	}
	if f.inSlice || f.skipFirst {
		d.Failf("DecodeSlices of %s did not end its slices", f.typeID)
		return
	}
	switch {
	case d.enc != Encoding10:
		if !f.sawLast {
			d.Failf("instance ended before its last slice")
		}
	case !f.exception:
		d.readSliceHeader(f)
		if d.err == nil && f.typeID != objectTypeID {
			d.Failf("slice %q where %s was expected", f.typeID, objectTypeID)
			return
		}
		if n := d.ReadSize(); n != 0 {
			d.Failf("invalid %s slice", objectTypeID)
		}
	}
}

// addPatch calls set with instance n now if it was read, or when it is.
func (d *Decoder) addPatch(n int, set func(Value)) {
	c := d.cls
	if v, ok := c.instances[n]; ok {
		set(v)
		return
	}
	c.patches[n] = append(c.patches[n], patch{set: set, depth: c.depth})
}

// resolve calls the references waiting for instance n.
func (d *Decoder) resolve(n int, v Value) {
	c := d.cls
	ps := c.patches[n]
	delete(c.patches, n)
	for _, p := range ps {
		if d.err != nil {
			return
		}
		p.set(v)
	}
}

// checkPatches fails if a reference names an instance that was never sent.
func (d *Decoder) checkPatches() {
	if d.err == nil && d.cls != nil && len(d.cls.patches) > 0 {
		d.Failf("reference to a class instance that was not sent")
	}
}
