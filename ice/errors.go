package ice

import (
	"errors"
	"fmt"

	"floe/ice/encoding"
	"floe/ice/protocol"
)

// Sentinel errors for Ice's local exceptions. Use errors.Is.
var (
	ErrObjectNotExist           = errors.New("ice: object does not exist")
	ErrFacetNotExist            = errors.New("ice: facet does not exist")
	ErrOperationNotExist        = errors.New("ice: operation does not exist")
	ErrNoEndpoint               = errors.New("ice: no endpoint")
	ErrConnectionLost           = errors.New("ice: connection lost")
	ErrConnectionClosed         = errors.New("ice: connection closed by peer") // CloseConnectionException
	ErrConnectionTimeout        = errors.New("ice: connection timed out")      // ACM closed it
	ErrCommunicatorDestroyed    = errors.New("ice: communicator destroyed")
	ErrAdapterDeactivated       = errors.New("ice: object adapter deactivated")
	ErrTwowayOnly               = errors.New("ice: operation needs a twoway proxy")
	ErrUnknown                  = errors.New("ice: unknown exception")
	ErrNotRegistered            = errors.New("ice: not registered")
	ErrObjectAdapterIDInUse     = errors.New("ice: object adapter id in use")
	ErrAlreadyRegisteredServant = errors.New("ice: servant already registered")
)

// RequestFailedError is ObjectNotExistException, FacetNotExistException or
// OperationNotExistException (reply statuses 2, 3, 4).
type RequestFailedError struct {
	Status    protocol.ReplyStatus
	Identity  Identity
	Facet     string
	Operation string
}

func (e *RequestFailedError) Error() string {
	return fmt.Sprintf("ice: %v: identity %q facet %q operation %q", e.Status,
		identityText(e.Identity), e.Facet, e.Operation)
}

// Is matches ErrObjectNotExist, ErrFacetNotExist or ErrOperationNotExist.
func (e *RequestFailedError) Is(target error) bool {
	switch e.Status {
	case protocol.ReplyObjectNotExist:
		return target == ErrObjectNotExist
	case protocol.ReplyFacetNotExist:
		return target == ErrFacetNotExist
	case protocol.ReplyOperationNotExist:
		return target == ErrOperationNotExist
	default:
		return false
	}
}

// UnknownError is UnknownLocalException, UnknownUserException or UnknownException (reply
// statuses 5, 6, 7), carrying the peer's text.
type UnknownError struct {
	Status protocol.ReplyStatus
	Text   string
}

func (e *UnknownError) Error() string { return fmt.Sprintf("ice: %v: %s", e.Status, e.Text) }

// Is matches ErrUnknown.
func (e *UnknownError) Is(target error) bool { return target == ErrUnknown }

// NotRegisteredError is Ice's NotRegisteredException: the locator does not know an adapter or
// object.
type NotRegisteredError struct {
	Kind string // "object adapter", "object", "replica group"
	ID   string
}

func (e *NotRegisteredError) Error() string {
	return fmt.Sprintf("ice: no %s with id %q is registered", e.Kind, e.ID)
}

// Is matches ErrNotRegistered.
func (e *NotRegisteredError) Is(target error) bool { return target == ErrNotRegistered }

// identityText formats an identity for messages.
func identityText(id Identity) string {
	if id.Category == "" {
		return id.Name
	}
	return id.Category + "/" + id.Name
}

// asUserException reports whether err is, or wraps, a Slice user exception. User exceptions
// are returned as themselves, not wrapped in another error.
func asUserException(err error) (encoding.UserException, bool) {
	return errors.AsType[encoding.UserException](err)
}
