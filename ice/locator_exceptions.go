package ice

import "floe/ice/encoding"

// The user exceptions of Ice's Locator.ice. None has members.
type (
	// AdapterNotFoundException is ::Ice::AdapterNotFoundException.
	AdapterNotFoundException struct{} //nolint:errname // mirrors the Slice exception name
	// InvalidReplicaGroupIDException is ::Ice::InvalidReplicaGroupIdException.
	InvalidReplicaGroupIDException struct{} //nolint:errname // mirrors the Slice exception name
	// AdapterAlreadyActiveException is ::Ice::AdapterAlreadyActiveException.
	AdapterAlreadyActiveException struct{} //nolint:errname // mirrors the Slice exception name
	// ObjectNotFoundException is ::Ice::ObjectNotFoundException.
	ObjectNotFoundException struct{} //nolint:errname // mirrors the Slice exception name
	// ServerNotFoundException is ::Ice::ServerNotFoundException.
	ServerNotFoundException struct{} //nolint:errname // mirrors the Slice exception name
)

// Type ids of the Locator.ice exceptions.
const (
	AdapterNotFoundTypeID       = "::Ice::AdapterNotFoundException"
	InvalidReplicaGroupIDTypeID = "::Ice::InvalidReplicaGroupIdException"
	AdapterAlreadyActiveTypeID  = "::Ice::AdapterAlreadyActiveException"
	ObjectNotFoundTypeID        = "::Ice::ObjectNotFoundException"
	ServerNotFoundTypeID        = "::Ice::ServerNotFoundException"
)

func (*AdapterNotFoundException) TypeID() string       { return AdapterNotFoundTypeID }
func (*InvalidReplicaGroupIDException) TypeID() string { return InvalidReplicaGroupIDTypeID }
func (*AdapterAlreadyActiveException) TypeID() string  { return AdapterAlreadyActiveTypeID }
func (*ObjectNotFoundException) TypeID() string        { return ObjectNotFoundTypeID }
func (*ServerNotFoundException) TypeID() string        { return ServerNotFoundTypeID }

func (e *AdapterNotFoundException) Error() string       { return e.TypeID() }
func (e *InvalidReplicaGroupIDException) Error() string { return e.TypeID() }
func (e *AdapterAlreadyActiveException) Error() string  { return e.TypeID() }
func (e *ObjectNotFoundException) Error() string        { return e.TypeID() }
func (e *ServerNotFoundException) Error() string        { return e.TypeID() }

func (e *AdapterNotFoundException) EncodeSlices(enc *encoding.Encoder) { emptySlice(enc, e.TypeID()) }
func (e *InvalidReplicaGroupIDException) EncodeSlices(enc *encoding.Encoder) {
	emptySlice(enc, e.TypeID())
}
func (e *AdapterAlreadyActiveException) EncodeSlices(enc *encoding.Encoder) {
	emptySlice(enc, e.TypeID())
}
func (e *ObjectNotFoundException) EncodeSlices(enc *encoding.Encoder) { emptySlice(enc, e.TypeID()) }
func (e *ServerNotFoundException) EncodeSlices(enc *encoding.Encoder) { emptySlice(enc, e.TypeID()) }

func (*AdapterNotFoundException) DecodeSlices(d *encoding.Decoder)       { readEmptySlice(d) }
func (*InvalidReplicaGroupIDException) DecodeSlices(d *encoding.Decoder) { readEmptySlice(d) }
func (*AdapterAlreadyActiveException) DecodeSlices(d *encoding.Decoder)  { readEmptySlice(d) }
func (*ObjectNotFoundException) DecodeSlices(d *encoding.Decoder)        { readEmptySlice(d) }
func (*ServerNotFoundException) DecodeSlices(d *encoding.Decoder)        { readEmptySlice(d) }

func emptySlice(e *encoding.Encoder, typeID string) {
	e.StartSlice(typeID, true)
	e.EndSlice()
}

func readEmptySlice(d *encoding.Decoder) {
	d.StartSlice()
	d.EndSlice()
}

// LocatorExceptions creates the Locator.ice exceptions by type id, for Request.Exceptions.
func LocatorExceptions(typeID string) encoding.UserException {
	switch typeID {
	case AdapterNotFoundTypeID:
		return &AdapterNotFoundException{}
	case InvalidReplicaGroupIDTypeID:
		return &InvalidReplicaGroupIDException{}
	case AdapterAlreadyActiveTypeID:
		return &AdapterAlreadyActiveException{}
	case ObjectNotFoundTypeID:
		return &ObjectNotFoundException{}
	case ServerNotFoundTypeID:
		return &ServerNotFoundException{}
	}
	return nil
}
