package encoding_test

import (
	"fmt"
	"slices"

	"floe/ice/encoding"
)

// Test types for the Slice of ice-protocol.md §4 and §5.4 and testdata/ice37/Test.ice:
//
//	module T {
//	  class Base { string b; }
//	  class Derived extends Base { int d; Base other; optional(5) string tag; }
//	  class Node { string name; Node next; }
//	  class Opt { string s; optional(1) Base o; }
//	  exception E1 { string r; }
//	  exception E2 extends E1 { int code; optional(1) int extra; }
//	  exception E3 { Base b; }
//	}
//	module U { class Base { string b; } class Derived extends Base { Base other; } }
//
// plus members-less or single-string exceptions for the Ice/IceGrid examples.

type TBase struct{ B string }

func (*TBase) TypeID() string                     { return "::T::Base" }
func (x *TBase) EncodeSlices(e *encoding.Encoder) { x.encodeBase(e) }
func (x *TBase) DecodeSlices(d *encoding.Decoder) { x.decodeBase(d) }

func (x *TBase) encodeBase(e *encoding.Encoder) {
	e.StartSlice("::T::Base", true)
	e.WriteString(x.B)
	e.EndSlice()
}

func (x *TBase) decodeBase(d *encoding.Decoder) {
	d.StartSlice()
	x.B = d.ReadString()
	d.EndSlice()
}

type TDerived struct {
	TBase
	D     int32
	Other encoding.Value
	Tag   *string
}

func (*TDerived) TypeID() string { return "::T::Derived" }

func (x *TDerived) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::T::Derived", false)
	e.WriteInt(x.D)
	e.WriteValue(x.Other)
	if x.Tag != nil && e.WriteOptional(5, encoding.OptionalVSize) {
		e.WriteString(*x.Tag)
	}
	e.EndSlice()
	x.encodeBase(e)
}

func (x *TDerived) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.D = d.ReadInt()
	encoding.ReadValueInto(d, &x.Other)
	if d.ReadOptional(5, encoding.OptionalVSize) {
		s := d.ReadString()
		x.Tag = &s
	}
	d.EndSlice()
	x.decodeBase(d)
}

type TNode struct {
	Name string
	Next *TNode
}

func (*TNode) TypeID() string { return "::T::Node" }

func (x *TNode) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::T::Node", true)
	e.WriteString(x.Name)
	e.WriteValue(x.Next) // a nil *TNode is written as null
	e.EndSlice()
}

func (x *TNode) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.Name = d.ReadString()
	encoding.ReadValueInto(d, &x.Next)
	d.EndSlice()
}

// TOpt is T::Opt.
type TOpt struct {
	S string
	O encoding.Value
}

func (*TOpt) TypeID() string { return "::T::Opt" }

func (x *TOpt) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::T::Opt", true)
	e.WriteString(x.S)
	if x.O != nil && e.WriteOptional(1, encoding.OptionalClass) {
		e.WriteValue(x.O)
	}
	e.EndSlice()
}

func (x *TOpt) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.S = d.ReadString()
	if d.ReadOptional(1, encoding.OptionalClass) {
		encoding.ReadValueInto(d, &x.O)
	}
	d.EndSlice()
}

// TOptOld is T::Opt as an older peer sees it: without the optional member o, which EndSlice
// must skip.
type TOptOld struct{ S string }

func (*TOptOld) TypeID() string                     { return "::T::Opt" }
func (x *TOptOld) EncodeSlices(e *encoding.Encoder) { (&TOpt{S: x.S}).EncodeSlices(e) }

func (x *TOptOld) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.S = d.ReadString()
	d.EndSlice()
}

type UBase struct{ B string }

func (*UBase) TypeID() string                     { return "::U::Base" }
func (x *UBase) EncodeSlices(e *encoding.Encoder) { x.encodeBase(e) }
func (x *UBase) DecodeSlices(d *encoding.Decoder) { x.decodeBase(d) }

func (x *UBase) encodeBase(e *encoding.Encoder) {
	e.StartSlice("::U::Base", true)
	e.WriteString(x.B)
	e.EndSlice()
}

func (x *UBase) decodeBase(d *encoding.Decoder) {
	d.StartSlice()
	x.B = d.ReadString()
	d.EndSlice()
}

type UDerived struct {
	UBase
	Other encoding.Value
}

func (*UDerived) TypeID() string { return "::U::Derived" }

func (x *UDerived) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::U::Derived", false)
	e.WriteValue(x.Other)
	e.EndSlice()
	x.encodeBase(e)
}

func (x *UDerived) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	encoding.ReadValueInto(d, &x.Other)
	d.EndSlice()
	x.decodeBase(d)
}

// valueFactory returns a ValueFactory that knows only the given type ids (all if none).
func valueFactory(ids ...string) func(string) encoding.Value {
	all := map[string]func() encoding.Value{
		"::T::Base":    func() encoding.Value { return new(TBase) },
		"::T::Derived": func() encoding.Value { return new(TDerived) },
		"::T::Node":    func() encoding.Value { return new(TNode) },
		"::T::Opt":     func() encoding.Value { return new(TOpt) },
		"::U::Base":    func() encoding.Value { return new(UBase) },
		"::U::Derived": func() encoding.Value { return new(UDerived) },
	}
	return func(id string) encoding.Value {
		if mk, ok := all[id]; ok && (len(ids) == 0 || slices.Contains(ids, id)) {
			return mk()
		}
		return nil
	}
}

type E1 struct{ R string }

func (x *E1) Error() string                    { return fmt.Sprintf("%s{%q}", x.TypeID(), x.R) }
func (*E1) TypeID() string                     { return "::T::E1" }
func (x *E1) EncodeSlices(e *encoding.Encoder) { x.encodeE1(e) }
func (x *E1) DecodeSlices(d *encoding.Decoder) { x.decodeE1(d) }

func (x *E1) encodeE1(e *encoding.Encoder) {
	e.StartSlice("::T::E1", true)
	e.WriteString(x.R)
	e.EndSlice()
}

func (x *E1) decodeE1(d *encoding.Decoder) {
	d.StartSlice()
	x.R = d.ReadString()
	d.EndSlice()
}

type E2 struct {
	E1
	Code  int32
	Extra *int32
}

func (*E2) TypeID() string { return "::T::E2" }

func (x *E2) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::T::E2", false)
	e.WriteInt(x.Code)
	if x.Extra != nil && e.WriteOptional(1, encoding.OptionalF4) {
		e.WriteInt(*x.Extra)
	}
	e.EndSlice()
	x.encodeE1(e)
}

func (x *E2) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.Code = d.ReadInt()
	if d.ReadOptional(1, encoding.OptionalF4) {
		v := d.ReadInt()
		x.Extra = &v
	}
	d.EndSlice()
	x.decodeE1(d)
}

type E3 struct{ B encoding.Value }

func (x *E3) Error() string { return "::T::E3" }
func (*E3) TypeID() string  { return "::T::E3" }

func (x *E3) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice("::T::E3", true)
	e.WriteValue(x.B)
	e.EndSlice()
}

func (x *E3) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	encoding.ReadValueInto(d, &x.B)
	d.EndSlice()
}

// StringEx is any exception with a single slice: no members, or one string member.
type StringEx struct { //nolint:errname // stands in for Slice exceptions, named like them
	ID string
	S  *string
}

func (x *StringEx) Error() string  { return x.ID }
func (x *StringEx) TypeID() string { return x.ID }

func (x *StringEx) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(x.ID, true)
	if x.S != nil {
		e.WriteString(*x.S)
	}
	e.EndSlice()
}

func (x *StringEx) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	if x.S != nil {
		*x.S = d.ReadString()
	}
	d.EndSlice()
}

// AllocationTimeoutEx is IceGrid::AllocationTimeoutException extends AllocationException.
type AllocationTimeoutEx struct{ Reason string } //nolint:errname // mirrors the Slice exception name

func (x *AllocationTimeoutEx) Error() string { return x.TypeID() }
func (*AllocationTimeoutEx) TypeID() string  { return "::IceGrid::AllocationTimeoutException" }

func (x *AllocationTimeoutEx) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(x.TypeID(), false)
	e.EndSlice()
	e.StartSlice("::IceGrid::AllocationException", true)
	e.WriteString(x.Reason)
	e.EndSlice()
}

func (x *AllocationTimeoutEx) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	d.EndSlice()
	d.StartSlice()
	x.Reason = d.ReadString()
	d.EndSlice()
}

// exceptionFactory returns a factory that knows only the given type ids (all if none).
func exceptionFactory(ids ...string) func(string) encoding.UserException {
	str := func(id string) func() encoding.UserException {
		return func() encoding.UserException { return &StringEx{ID: id, S: new(string)} }
	}
	empty := func(id string) func() encoding.UserException {
		return func() encoding.UserException { return &StringEx{ID: id} }
	}
	all := map[string]func() encoding.UserException{
		"::T::E1": func() encoding.UserException { return new(E1) },
		"::T::E2": func() encoding.UserException { return new(E2) },
		"::T::E3": func() encoding.UserException { return new(E3) },
		"::IceGrid::AllocationTimeoutException": func() encoding.UserException {
			return new(AllocationTimeoutEx)
		},
		"::Ice::AdapterNotFoundException":      empty("::Ice::AdapterNotFoundException"),
		"::Ice::ObjectNotFoundException":       empty("::Ice::ObjectNotFoundException"),
		"::IceGrid::ServerNotExistException":   str("::IceGrid::ServerNotExistException"),
		"::IceGrid::PermissionDeniedException": str("::IceGrid::PermissionDeniedException"),
	}
	return func(id string) encoding.UserException {
		if mk, ok := all[id]; ok && (len(ids) == 0 || slices.Contains(ids, id)) {
			return mk()
		}
		return nil
	}
}
