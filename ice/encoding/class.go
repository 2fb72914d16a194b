package encoding

import (
	"reflect"
	"strconv"
)

// Value is an instance of a Slice class.
//
// Instances are shared by identity: writing the same pointer twice in one encapsulation writes it
// once and then a back-reference (ice-protocol.md §5.1, §5.6), so implementations should be
// pointer types. Non-pointer implementations are written anew at every reference.
type Value interface {
	// TypeID returns the most-derived Slice type id, e.g. "::IceGrid::ServerDescriptor".
	TypeID() string
	// EncodeSlices writes every slice, most-derived first: e.StartSlice(typeID, last); the
	// members of that slice; e.EndSlice(). last is true for the least-derived slice only.
	EncodeSlices(e *Encoder)
	// DecodeSlices reads the slices in the same order: d.StartSlice(); members; d.EndSlice().
	DecodeSlices(d *Decoder)
}

// UserException is a Slice exception. Its slices follow the same protocol as Value's.
type UserException interface {
	error
	TypeID() string
	EncodeSlices(e *Encoder)
	DecodeSlices(d *Decoder)
}

// Slice flags of encoding 1.1 (ice-protocol.md §4.1, §5.2).
const (
	flagTypeIDString  = 0x01
	flagTypeIDIndex   = 0x02
	flagTypeIDCompact = 0x03
	flagOptionals     = 0x04
	flagIndirection   = 0x08
	flagSliceSize     = 0x10
	flagLastSlice     = 0x20
)

// objectTypeID is the type id of the slice that ends every 1.0 instance (§5.6).
const objectTypeID = "::Ice::Object"

// defaultMaxClassDepth is Ice.ClassGraphDepthMax's default (§1.4).
const defaultMaxClassDepth = 100

// UnknownSlicedValue stands for an instance whose type and bases are all unknown to the
// decoder's ValueFactory. The decoder makes one when the instance can be skipped slice by slice:
// in the sliced format of 1.1, and always in 1.0 (where Ice 3.7 itself would fail instead).
//
// In 1.1 the skipped slices are preserved, and writing the value again in 1.1 re-emits them in
// the sliced format, so an instance can be passed on unchanged. Values read from 1.0 have no
// slices; writing them emits a single empty slice with UnknownTypeID.
type UnknownSlicedValue struct {
	UnknownTypeID string       // most-derived type id as sent
	Slices        []*SliceInfo // preserved 1.1 slices, most-derived first
}

// TypeID returns UnknownTypeID.
func (u *UnknownSlicedValue) TypeID() string { return u.UnknownTypeID }

// EncodeSlices re-emits the preserved slices (see UnknownSlicedValue).
func (u *UnknownSlicedValue) EncodeSlices(e *Encoder) {
	if e.Encoding() == Encoding10 || len(u.Slices) == 0 {
		e.StartSlice(u.UnknownTypeID, true)
		e.EndSlice()
		return
	}
	for _, s := range u.Slices {
		e.startSlice(s.TypeID, s.CompactID, s.IsLastSlice)
		e.WriteBytes(s.Bytes)
		e.cls.cur.restoreSlice(s)
		e.EndSlice()
	}
}

// DecodeSlices fails: an UnknownSlicedValue is made by the decoder, never decoded into.
func (u *UnknownSlicedValue) DecodeSlices(d *Decoder) {
	d.Failf("UnknownSlicedValue cannot be decoded into")
}

// SliceInfo is one preserved slice of an UnknownSlicedValue (encoding 1.1).
type SliceInfo struct {
	TypeID             string  // type id, or "" when the slice carried a compact id
	CompactID          int     // compact type id, or -1
	Bytes              []byte  // members and optional members, without the 0xff end marker
	Instances          []Value // the slice's indirection table (§5.3)
	HasOptionalMembers bool
	IsLastSlice        bool
}

// UnknownExceptionError is returned by ReadException when the factory knows none of the
// exception's slices, or when the compact format prevents skipping an unknown slice (§4.3).
// TypeID is the most-derived type id as sent, e.g. "::T::E2".
type UnknownExceptionError struct{ TypeID string }

func (e *UnknownExceptionError) Error() string {
	return "encoding: unknown user exception " + e.TypeID
}

// NoValueFactoryError is the decoder's error when an instance of an unknown type cannot be
// skipped because it was written in the compact format (§5.2).
type NoValueFactoryError struct{ TypeID string }

func (e *NoValueFactoryError) Error() string {
	return "encoding: no value factory for " + e.TypeID + " and the compact format prevents slicing"
}

// Unwrap makes errors.Is(err, ErrUnmarshal) true.
func (e *NoValueFactoryError) Unwrap() error { return ErrUnmarshal }

// ReadValueInto reads a class reference (see Decoder.ReadValue) and stores it in *dst when the
// instance is available: the zero T for null, otherwise the instance, which must be a T (else
// the decoder fails). *dst must stay where it is until then, which in 1.0 is the end of the
// encapsulation.
func ReadValueInto[T Value](d *Decoder, dst *T) {
	d.ReadValue(func(v Value) {
		if v == nil {
			var zero T
			*dst = zero
			return
		}
		t, ok := v.(T)
		if !ok {
			d.Failf("unexpected class instance %s (want %v)", v.TypeID(), reflect.TypeFor[T]())
			return
		}
		*dst = t
	})
}

// isNilValue reports whether v is nil or a nil pointer.
func isNilValue(v Value) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// shareable reports whether v can be tracked by identity (pointers only: other kinds may not be
// comparable, and comparing them would not mean "same instance").
func shareable(v Value) bool {
	return reflect.ValueOf(v).Kind() == reflect.Pointer
}

// describeTypeID names a slice's type for error messages.
func describeTypeID(typeID string, compactID int) string {
	if typeID == "" && compactID >= 0 {
		return "compact type id " + strconv.Itoa(compactID)
	}
	return typeID
}
