package encoding

// Encoding 1.0 class instances (ice-protocol.md §3.2, §5.6): references are int32 (0 null, -n
// instance n) and the instances follow the data as "pending instances".

// minPendingInstance is the fewest bytes a 1.0 pending instance takes (int32 number, a slice
// header of bool + size + int32, the ::Ice::Object slice header and its size byte); it bounds
// the batch counts.
const minPendingInstance = 4 + 6 + 6 + 1

// readValue10 reads a 1.0 reference and defers set until the instance is read.
func (d *Decoder) readValue10(set func(Value)) {
	c := d.classes()
	c.refs++
	n := int64(d.ReadInt())
	switch {
	case d.err != nil:
	case n > 0:
		d.Failf("invalid class reference %d", n)
	case n == 0:
		if set != nil {
			set(nil)
		}
	case set != nil:
		d.addPatch(int(-n), set)
	}
}

// readPendingValues is called at the end of an encapsulation: in 1.0 it reads the pending
// instances if ReadValue was called since they were last read.
func (d *Decoder) readPendingValues() {
	if d.enc == Encoding10 && d.cls != nil && d.cls.refs > 0 {
		d.ReadPendingValues()
	}
}

// ReadPendingValues reads the 1.0 pending instances block (§5.6) and calls the set functions of
// the references read so far. A reference to an instance that is not in the block is an error.
// EndEncapsulation calls it if ReadValue was called; call it explicitly where 1.0 data whose
// type can hold classes had no class reference (e.g. an empty class sequence). It does nothing
// in 1.1.
func (d *Decoder) ReadPendingValues() {
	if d.enc != Encoding10 || d.err != nil {
		return
	}
	c := d.classes()
	for d.err == nil {
		n := d.ReadCount(minPendingInstance)
		if n == 0 {
			break
		}
		for i := 0; i < n && d.err == nil; i++ {
			d.readInstance10()
		}
	}
	c.refs = 0
	d.checkPatches()
}

// readInstance10 reads one pending instance: int32 number, then its slices. Its class graph
// depth is one more than the deepest instance referring to it, as in Ice 3.7.
func (d *Decoder) readInstance10() {
	c := d.cls
	n := int(d.ReadInt())
	if d.err != nil {
		return
	}
	if n <= 0 {
		d.Failf("invalid instance number %d", n)
		return
	}
	if _, dup := c.instances[n]; dup {
		d.Failf("instance %d sent twice", n)
		return
	}
	depth := 0
	for _, p := range c.patches[n] {
		depth = max(depth, p.depth)
	}
	if depth >= d.maxClassDepth() {
		d.Failf("class graph deeper than %d", d.maxClassDepth())
		return
	}
	f := c.push(false)
	v, known := d.newInstance(f)
	if d.err == nil {
		c.instances[n] = v
		if known {
			saved := c.depth
			c.depth = depth + 1
			f.skipFirst = true
			v.DecodeSlices(d)
			d.endInstance(f)
			c.depth = saved
		}
	}
	c.pop(f)
	if d.err == nil {
		d.resolve(n, v)
	}
}
