package interop_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"floe/ice"
	"floe/ice/encoding"
)

// Go side of testdata/Test.ice.

type color int32

const (
	red color = iota
	green
	blue
)

type structS struct {
	A int32
	S string
}

func (s structS) write(e *encoding.Encoder) { e.WriteInt(s.A); e.WriteString(s.S) }

func readS(d *encoding.Decoder) structS { a := d.ReadInt(); return structS{A: a, S: d.ReadString()} }

type baseError struct{ Reason string }

type derivedError struct {
	baseError
	Code int32
}

type moreDerivedError struct {
	derivedError
	Extra string
}

func (e *baseError) TypeID() string        { return "::Test::BaseError" }
func (e *derivedError) TypeID() string     { return "::Test::DerivedError" }
func (e *moreDerivedError) TypeID() string { return "::Test::MoreDerivedError" }
func (e *baseError) Error() string         { return e.TypeID() + ": " + e.Reason }
func (e *derivedError) Error() string      { return fmt.Sprintf("%s: %s %d", e.TypeID(), e.Reason, e.Code) }
func (e *moreDerivedError) Error() string  { return e.TypeID() + ": " + e.Extra }

func (e *baseError) writeBase(enc *encoding.Encoder) {
	enc.StartSlice("::Test::BaseError", true)
	enc.WriteString(e.Reason)
	enc.EndSlice()
}

func (e *derivedError) writeDerived(enc *encoding.Encoder) {
	enc.StartSlice("::Test::DerivedError", false)
	enc.WriteInt(e.Code)
	enc.EndSlice()
	e.writeBase(enc)
}

func (e *baseError) EncodeSlices(enc *encoding.Encoder)    { e.writeBase(enc) }
func (e *derivedError) EncodeSlices(enc *encoding.Encoder) { e.writeDerived(enc) }
func (e *moreDerivedError) EncodeSlices(enc *encoding.Encoder) {
	enc.StartSlice("::Test::MoreDerivedError", false)
	enc.WriteString(e.Extra)
	enc.EndSlice()
	e.writeDerived(enc)
}

func (e *baseError) readBase(d *encoding.Decoder) {
	d.StartSlice()
	e.Reason = d.ReadString()
	d.EndSlice()
}

func (e *derivedError) readDerived(d *encoding.Decoder) {
	d.StartSlice()
	e.Code = d.ReadInt()
	d.EndSlice()
	e.readBase(d)
}

func (e *baseError) DecodeSlices(d *encoding.Decoder)    { e.readBase(d) }
func (e *derivedError) DecodeSlices(d *encoding.Decoder) { e.readDerived(d) }
func (e *moreDerivedError) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	e.Extra = d.ReadString()
	d.EndSlice()
	e.readDerived(d)
}

// baseOnlyExceptions knows BaseError and DerivedError but not MoreDerivedError, like a
// receiver built from an older Slice.
func baseOnlyExceptions(typeID string) encoding.UserException {
	switch typeID {
	case "::Test::BaseError":
		return &baseError{}
	case "::Test::DerivedError":
		return &derivedError{}
	}
	return nil
}

// node is class Node { string name; Node next; }.
type node struct {
	Name string
	Next *node
}

func (n *node) TypeID() string { return "::Test::Node" }

func (n *node) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::Test::Node", true)
	e.WriteString(n.Name)
	if n.Next == nil {
		e.WriteValue(nil)
	} else {
		e.WriteValue(n.Next)
	}
	e.EndSlice()
}

func (n *node) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	n.Name = d.ReadString()
	d.ReadValue(func(v encoding.Value) { n.Next, _ = v.(*node) })
	d.EndSlice()
}

func nodeFactory(typeID string) encoding.Value {
	if typeID == "::Test::Node" {
		return &node{}
	}
	return nil
}

// copyGraph returns a copy of the graph from n with "!" appended to every name.
func copyGraph(n *node) *node {
	seen := map[*node]*node{}
	var cp func(*node) *node
	cp = func(n *node) *node {
		if n == nil {
			return nil
		}
		if c, ok := seen[n]; ok {
			return c
		}
		c := &node{Name: n.Name + "!"}
		seen[n] = c
		c.Next = cp(n.Next)
		return c
	}
	return cp(n)
}

// tester is the Go servant of Test::Tester.
type tester struct {
	mu       sync.Mutex
	recorded []string
	shutdown func()
}

func (t *tester) IceID() string { return "::Test::Tester" }

func (t *tester) IceIDs() []string { return []string{"::Ice::Object", "::Test::Tester"} }

func (t *tester) Dispatch(ctx context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
	switch cur.Operation {
	case "echo":
		out.WriteString(in.ReadString())
	case "add":
		a, b := in.ReadInt(), in.ReadInt()
		out.WriteInt(a + b)
	case "echoBytes":
		out.WriteByteSeq(in.ReadByteSeq())
	case "echoDict":
		n := in.ReadCount(5)
		out.WriteSize(n)
		for range n {
			out.WriteString(in.ReadString())
			out.WriteInt(in.ReadInt())
		}
	case "echoStruct":
		readS(in).write(out)
	case "echoColor":
		out.WriteEnum(in.ReadEnum(2), 2)
	case "throwBase":
		return &baseError{Reason: in.ReadString()}
	case "throwDerived":
		r := in.ReadString()
		return &derivedError{baseError{r}, in.ReadInt()}
	case "throwMoreDerived":
		cur.Format = encoding.SlicedFormat
		r := in.ReadString()
		c := in.ReadInt()
		return &moreDerivedError{derivedError{baseError{r}, c}, in.ReadString()}
	case "opt":
		t.opt(in, out)
	case "graph":
		var root *node
		in.ValueFactory = nodeFactory
		in.ReadValue(func(v encoding.Value) { root, _ = v.(*node) })
		in.ReadPendingValues()
		if err := in.Err(); err != nil {
			return err
		}
		if root == nil {
			out.WriteValue(nil)
		} else {
			out.WriteValue(copyGraph(root))
		}
		out.WritePendingValues()
	case "record":
		t.mu.Lock()
		t.recorded = append(t.recorded, in.ReadString())
		t.mu.Unlock()
	case "recorded":
		t.mu.Lock()
		out.WriteStringSeq(t.recorded)
		t.recorded = nil
		t.mu.Unlock()
	case "sleep":
		ms := in.ReadInt()
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
		}
	case "shutdown":
		if t.shutdown != nil {
			t.shutdown()
		}
	default:
		return ice.ErrOperationNotExist
	}
	return nil
}

func (t *tester) opt(in *encoding.Decoder, out *encoding.Encoder) {
	x := in.ReadInt()
	var s *string
	var c *int32
	var st *structS
	if in.ReadOptional(2, encoding.OptionalVSize) {
		v := in.ReadString()
		s = &v
	}
	if in.ReadOptional(3, encoding.OptionalSize) {
		v := in.ReadEnum(2)
		c = &v
	}
	if in.ReadOptional(7, encoding.OptionalFSize) {
		in.ReadInt()
		v := readS(in)
		st = &v
	}
	if x >= 0 && out.WriteOptional(1, encoding.OptionalF4) {
		r := x
		if s != nil {
			r += int32(len(*s))
		}
		if c != nil {
			r += *c
		}
		out.WriteInt(r)
	}
	if st != nil && out.WriteOptional(4, encoding.OptionalFSize) {
		pos := out.StartSize()
		st.write(out)
		out.EndSize(pos)
	}
}

// testerClient calls Test::Tester through a proxy.
type testerClient struct{ p *ice.Proxy }

func (c testerClient) echo(ctx context.Context, s string) (string, error) {
	var r string
	err := c.p.Invoke(ctx, &ice.Request{Operation: "echo",
		Params: func(e *encoding.Encoder) { e.WriteString(s) },
		Result: func(d *encoding.Decoder) { r = d.ReadString() }})
	return r, err
}

func (c testerClient) add(ctx context.Context, a, b int32) (int32, error) {
	var r int32
	err := c.p.Invoke(ctx, &ice.Request{Operation: "add", Mode: ice.Idempotent,
		Params: func(e *encoding.Encoder) { e.WriteInt(a); e.WriteInt(b) },
		Result: func(d *encoding.Decoder) { r = d.ReadInt() }})
	return r, err
}

func (c testerClient) echoBytes(ctx context.Context, b []byte) ([]byte, error) {
	var r []byte
	err := c.p.Invoke(ctx, &ice.Request{Operation: "echoBytes",
		Params: func(e *encoding.Encoder) { e.WriteByteSeq(b) },
		Result: func(d *encoding.Decoder) { r = append([]byte(nil), d.ReadByteSeq()...) }})
	return r, err
}

func (c testerClient) echoDict(ctx context.Context, m map[string]int32) (map[string]int32, error) {
	r := map[string]int32{}
	err := c.p.Invoke(ctx, &ice.Request{Operation: "echoDict",
		Params: func(e *encoding.Encoder) {
			e.WriteSize(len(m))
			for k, v := range m {
				e.WriteString(k)
				e.WriteInt(v)
			}
		},
		Result: func(d *encoding.Decoder) {
			for range d.ReadCount(5) {
				k := d.ReadString()
				r[k] = d.ReadInt()
			}
		}})
	return r, err
}

func (c testerClient) echoStruct(ctx context.Context, s structS) (structS, error) {
	var r structS
	err := c.p.Invoke(ctx, &ice.Request{Operation: "echoStruct",
		Params: s.write, Result: func(d *encoding.Decoder) { r = readS(d) }})
	return r, err
}

func (c testerClient) echoColor(ctx context.Context, col color) (color, error) {
	var r color
	err := c.p.Invoke(ctx, &ice.Request{Operation: "echoColor",
		Params: func(e *encoding.Encoder) { e.WriteEnum(int32(col), 2) },
		Result: func(d *encoding.Decoder) { r = color(d.ReadEnum(2)) }})
	return r, err
}

func (c testerClient) throw(ctx context.Context, op string, reason string, code int32, extra string) error {
	return c.p.Invoke(ctx, &ice.Request{Operation: op, Exceptions: baseOnlyExceptions,
		Params: func(e *encoding.Encoder) {
			e.WriteString(reason)
			if op != "throwBase" {
				e.WriteInt(code)
			}
			if op == "throwMoreDerived" {
				e.WriteString(extra)
			}
		}})
}

type optResult struct {
	Ret *int32
	Os  *structS
}

func (c testerClient) opt(ctx context.Context, s *string, x int32, col *color, st *structS) (optResult, error) {
	var r optResult
	err := c.p.Invoke(ctx, &ice.Request{Operation: "opt",
		Params: func(e *encoding.Encoder) {
			e.WriteInt(x)
			if s != nil && e.WriteOptional(2, encoding.OptionalVSize) {
				e.WriteString(*s)
			}
			if col != nil && e.WriteOptional(3, encoding.OptionalSize) {
				e.WriteEnum(int32(*col), 2)
			}
			if st != nil && e.WriteOptional(7, encoding.OptionalFSize) {
				pos := e.StartSize()
				st.write(e)
				e.EndSize(pos)
			}
		},
		Result: func(d *encoding.Decoder) {
			if d.ReadOptional(1, encoding.OptionalF4) {
				v := d.ReadInt()
				r.Ret = &v
			}
			if d.ReadOptional(4, encoding.OptionalFSize) {
				d.ReadInt()
				v := readS(d)
				r.Os = &v
			}
		}})
	return r, err
}

func (c testerClient) graph(ctx context.Context, n *node) (*node, error) {
	var r *node
	err := c.p.Invoke(ctx, &ice.Request{Operation: "graph", ValueFactory: nodeFactory,
		Params: func(e *encoding.Encoder) { e.WriteValue(n); e.WritePendingValues() },
		Result: func(d *encoding.Decoder) {
			d.ReadValue(func(v encoding.Value) { r, _ = v.(*node) })
			d.ReadPendingValues()
		}})
	return r, err
}

func (c testerClient) record(ctx context.Context, p *ice.Proxy, msg string) error {
	return p.Invoke(ctx, &ice.Request{Operation: "record",
		Params: func(e *encoding.Encoder) { e.WriteString(msg) }})
}

func (c testerClient) recorded(ctx context.Context) ([]string, error) {
	var r []string
	err := c.p.Invoke(ctx, &ice.Request{Operation: "recorded", Mode: ice.Idempotent,
		Result: func(d *encoding.Decoder) { r = d.ReadStringSeq() }})
	return r, err
}

func (c testerClient) sleep(ctx context.Context, ms int32) error {
	return c.p.Invoke(ctx, &ice.Request{Operation: "sleep",
		Params: func(e *encoding.Encoder) { e.WriteInt(ms) }})
}

func (c testerClient) shutdown(ctx context.Context) error {
	return c.p.Invoke(ctx, &ice.Request{Operation: "shutdown"})
}

func graphNames(n *node, limit int) string {
	var b strings.Builder
	for i := 0; n != nil && i < limit; i++ {
		b.WriteString(n.Name + ">")
		n = n.Next
	}
	return b.String()
}
