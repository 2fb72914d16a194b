package locator

import "floe/ice/encoding"

// The IceGrid user exceptions of sessions and allocations (IceGrid/Exception.ice), each with
// its members in Slice order.
type (
	// PermissionDeniedException is ::IceGrid::PermissionDeniedException{string reason}.
	PermissionDeniedException struct{ Reason string } //nolint:errname // mirrors the Slice exception name
	// ObjectNotRegisteredException is ::IceGrid::ObjectNotRegisteredException{Ice::Identity id}.
	ObjectNotRegisteredException struct{ ID encoding.Identity } //nolint:errname // mirrors the Slice exception name
	// AllocationException is ::IceGrid::AllocationException{string reason}.
	AllocationException struct{ Reason string } //nolint:errname // mirrors the Slice exception name
	// AllocationTimeoutException is ::IceGrid::AllocationTimeoutException, which extends
	// AllocationException and adds nothing.
	AllocationTimeoutException struct{ AllocationException } //nolint:errname // mirrors the Slice exception name
)

// TypeID returns the Slice type id.
func (*PermissionDeniedException) TypeID() string { return "::IceGrid::PermissionDeniedException" }

// TypeID returns the Slice type id.
func (*ObjectNotRegisteredException) TypeID() string {
	return "::IceGrid::ObjectNotRegisteredException"
}

// TypeID returns the Slice type id.
func (*AllocationException) TypeID() string { return "::IceGrid::AllocationException" }

// TypeID returns the Slice type id.
func (*AllocationTimeoutException) TypeID() string { return "::IceGrid::AllocationTimeoutException" }

func (e *PermissionDeniedException) Error() string { return e.TypeID() + ": " + e.Reason }
func (e *ObjectNotRegisteredException) Error() string {
	return e.TypeID() + ": " + e.ID.Category + "/" + e.ID.Name
}
func (e *AllocationException) Error() string        { return e.TypeID() + ": " + e.Reason }
func (e *AllocationTimeoutException) Error() string { return e.TypeID() }

// EncodeSlices writes the one slice.
func (e *PermissionDeniedException) EncodeSlices(enc *encoding.Encoder) {
	enc.WriteStringSlice(e.TypeID(), e.Reason, true)
}

// DecodeSlices reads the one slice.
func (e *PermissionDeniedException) DecodeSlices(d *encoding.Decoder) { e.Reason = d.ReadStringSlice() }

// EncodeSlices writes the one slice.
func (e *ObjectNotRegisteredException) EncodeSlices(enc *encoding.Encoder) {
	enc.StartSlice(e.TypeID(), true)
	enc.WriteIdentity(e.ID)
	enc.EndSlice()
}

// DecodeSlices reads the one slice.
func (e *ObjectNotRegisteredException) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	e.ID = d.ReadIdentity()
	d.EndSlice()
}

// EncodeSlices writes the one slice.
func (e *AllocationException) EncodeSlices(enc *encoding.Encoder) {
	enc.WriteStringSlice(e.TypeID(), e.Reason, true)
}

// DecodeSlices reads the one slice.
func (e *AllocationException) DecodeSlices(d *encoding.Decoder) { e.Reason = d.ReadStringSlice() }

// EncodeSlices writes its empty slice, then AllocationException's.
func (e *AllocationTimeoutException) EncodeSlices(enc *encoding.Encoder) {
	enc.StartSlice(e.TypeID(), false)
	enc.EndSlice()
	e.AllocationException.EncodeSlices(enc)
}

// DecodeSlices reads both slices.
func (e *AllocationTimeoutException) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	d.EndSlice()
	e.AllocationException.DecodeSlices(d)
}
