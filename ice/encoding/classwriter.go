package encoding

// classWriter is the class and exception state of one encapsulation (ice-protocol.md §5).
type classWriter struct {
	typeIDs   map[string]int // value type ids written so far → index, from 1 (§5.2, §5.6)
	instances map[Value]int  // instances numbered so far: 1.1 from 2 (§5.1), 1.0 from 1 (§5.6)
	next      int            // last instance number handed out
	pending   []pendingValue // 1.0: referenced instances not written yet, in number order
	refs      int            // 1.0: WriteValue calls since the pending instances were written
	cur       *writeFrame    // innermost instance or exception being written; nil at top level
}

type pendingValue struct {
	v Value
	n int
}

// writeFrame is one instance or exception being written.
type writeFrame struct {
	prev      *writeFrame
	exception bool
	format    Format
	first     bool // the next slice is the most-derived one
	inSlice   bool
	flagsPos  int  // 1.1: position of the slice's flags byte
	flags     byte // 1.1: flags of the current slice
	sizePos   int  // position of the int32 slice size, or -1
	table     []Value
	tableIdx  map[Value]int // 1-based positions in table
}

// classes returns the class state of the current encapsulation, creating it.
func (e *Encoder) classes() *classWriter {
	if e.cls == nil {
		e.cls = &classWriter{typeIDs: map[string]int{}, instances: map[Value]int{}}
		if e.enc != Encoding10 {
			e.cls.next = 1 // the first 1.1 instance is #2 (§5.1)
		}
	}
	return e.cls
}

func (c *classWriter) push(exception bool, f Format) *writeFrame {
	c.cur = &writeFrame{prev: c.cur, exception: exception, format: f, first: true, sizePos: -1}
	return c.cur
}

func (c *classWriter) pop(f *writeFrame) { c.cur = f.prev }

// number returns the number of an instance already seen.
func (c *classWriter) number(v Value) (int, bool) {
	if !shareable(v) {
		return 0, false
	}
	n, ok := c.instances[v]
	return n, ok
}

// add gives v the next instance number.
func (c *classWriter) add(v Value) int {
	c.next++
	if shareable(v) {
		c.instances[v] = c.next
	}
	return c.next
}

// markOptionals flags the current slice as having optional members (§3.3).
func (c *classWriter) markOptionals() {
	if c.cur != nil && c.cur.inSlice {
		c.cur.flags |= flagOptionals
	}
}

// WriteValue writes a class reference (§5.1, §5.3, §5.6). nil (or a nil pointer) is null. An
// instance written before in the same encapsulation becomes a back-reference. In 1.1 a new
// instance is written inline, except inside a slice in the sliced format, where it goes to the
// slice's indirection table. In 1.0 it is written with the pending instances at the end of the
// encapsulation (or after an exception).
func (e *Encoder) WriteValue(v Value) {
	if e.enc == Encoding10 {
		e.writeValue10(v)
		return
	}
	if isNilValue(v) {
		e.WriteSize(0)
		return
	}
	c := e.classes()
	if f := c.cur; f != nil && f.inSlice && f.format == SlicedFormat {
		e.WriteSize(f.indirect(v))
		return
	}
	e.writeInstance(v)
}

// indirect returns v's 1-based position in the current slice's indirection table (§5.3).
func (f *writeFrame) indirect(v Value) int {
	if i, ok := f.tableIdx[v]; ok {
		return i
	}
	f.table = append(f.table, v)
	if shareable(v) {
		if f.tableIdx == nil {
			f.tableIdx = map[Value]int{}
		}
		f.tableIdx[v] = len(f.table)
	}
	return len(f.table)
}

// restoreSlice sets the optional flag and indirection table of a preserved slice. The table is
// restored as read, duplicates included: the preserved bytes refer to its positions.
func (f *writeFrame) restoreSlice(s *SliceInfo) {
	if s.HasOptionalMembers {
		f.flags |= flagOptionals
	}
	f.table = append([]Value(nil), s.Instances...)
	f.tableIdx = nil
}

// writeInstance writes v inline (size 1 + slices) or as a back-reference (1.1, §5.1).
func (e *Encoder) writeInstance(v Value) {
	if isNilValue(v) {
		e.WriteSize(0)
		return
	}
	c := e.classes()
	if n, ok := c.number(v); ok {
		e.WriteSize(n)
		return
	}
	c.add(v)
	e.WriteSize(1)
	format := e.format
	if _, ok := v.(*UnknownSlicedValue); ok {
		format = SlicedFormat // preserved slices only make sense with their sizes
	}
	f := c.push(false, format)
	v.EncodeSlices(e)
	c.pop(f)
}

// writeValue10 writes a 1.0 reference: int32 0 for null, else -n (§5.6).
func (e *Encoder) writeValue10(v Value) {
	c := e.classes()
	c.refs++
	if isNilValue(v) {
		e.WriteInt(0)
		return
	}
	n, ok := c.number(v)
	if !ok {
		n = c.add(v)
		c.pending = append(c.pending, pendingValue{v, n})
	}
	e.WriteInt(int32(-n))
}

// writePendingValues is called at the end of an encapsulation: in 1.0 it writes the pending
// instances if any reference (even null) was written since they were last written.
func (e *Encoder) writePendingValues() {
	if e.enc == Encoding10 && e.cls != nil && e.cls.refs > 0 {
		e.WritePendingValues()
	}
}

// WritePendingValues writes the 1.0 pending instances block (§3.2, §5.6): batches of
// size(count) + count × (int32 number, instance), then size 0. It writes `00` when nothing is
// pending, which 1.0 requires whenever the data's type can hold classes; EndEncapsulation calls
// it only if WriteValue was called, so call it explicitly for, e.g., an empty class sequence.
// It does nothing in 1.1.
func (e *Encoder) WritePendingValues() {
	if e.enc != Encoding10 {
		return
	}
	c := e.classes()
	for len(c.pending) > 0 {
		batch := c.pending
		c.pending = nil
		e.WriteSize(len(batch))
		for _, p := range batch {
			e.WriteInt(int32(p.n))
			e.writeInstance10(p.v)
		}
	}
	e.WriteSize(0)
	c.refs = 0
}

// writeInstance10 writes the slices of a 1.0 instance, then the ::Ice::Object slice (§5.6).
func (e *Encoder) writeInstance10(v Value) {
	c := e.cls
	f := c.push(false, CompactFormat)
	v.EncodeSlices(e)
	e.StartSlice(objectTypeID, true)
	e.WriteSize(0)
	e.EndSlice()
	c.pop(f)
}
