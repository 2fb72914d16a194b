package session

import (
	"context"
	"errors"

	"floe/ice"
	"floe/ice/encoding"
)

// Verifier checks a user's password, as Glacier2::PermissionsVerifier.checkPermissions: ok, or
// not with the verifier's reason. An error that is a *PermissionDeniedError is the verifier's
// Glacier2::PermissionDeniedException.
type Verifier interface {
	CheckPermissions(ctx context.Context, user, password string) (ok bool, reason string, err error)
}

// NullVerifier accepts every user and password: <instance>/NullPermissionsVerifier, which an
// IceGrid registry hosts on a collocated adapter only (Glacier2Internal's
// setupNullPermissionsVerifier), so that it is never called over the network.
type NullVerifier struct{}

// CheckPermissions accepts.
func (NullVerifier) CheckPermissions(context.Context, string, string) (bool, string, error) {
	return true, "", nil
}

// RemoteVerifier calls a Glacier2::PermissionsVerifier object.
type RemoteVerifier struct{ Proxy *ice.Proxy }

// CheckPermissions invokes checkPermissions(userId, password, out reason).
func (v RemoteVerifier) CheckPermissions(ctx context.Context, user, password string) (bool, string, error) {
	var (
		ok     bool
		reason string
	)
	err := v.Proxy.Invoke(ctx, &ice.Request{Operation: "checkPermissions", Mode: ice.Idempotent,
		Params: func(e *encoding.Encoder) { e.WriteString(user); e.WriteString(password) },
		Result: func(d *encoding.Decoder) { reason = d.ReadString(); ok = d.ReadBool() }, // out-parameters first
		Exceptions: func(typeID string) encoding.UserException {
			if typeID == glacier2PermissionDeniedTypeID {
				return &Glacier2PermissionDeniedException{}
			}
			return nil
		}})
	if pd, isPD := errors.AsType[*Glacier2PermissionDeniedException](err); isPD {
		return false, "", &PermissionDeniedError{Reason: pd.Reason}
	}
	return ok, reason, err
}

// deny refuses every session with its reason: a verifier Floe cannot run.
type deny string

func (d deny) CheckPermissions(context.Context, string, string) (bool, string, error) {
	return false, string(d), nil
}

// NewVerifier returns the verifier of a registry whose IceGrid.Registry.PermissionsVerifier is
// value and IceGrid.Registry.CryptPasswords crypt, or nil when none is configured (sessions are
// then denied, as by IceGrid). An indirect verifier proxy is resolved with locator, the
// registry's own locator, as IceGrid resolves it with its internal locator. warning, when not
// empty, is what IceGrid logs for the configuration (an invalid verifier), or that Floe cannot
// check crypt passwords: it denies every session with a reason that says so.
func NewVerifier(comm *ice.Communicator, instance, value, crypt string, locator *ice.Proxy) (v Verifier, warning string) {
	if value == "" {
		if crypt != "" {
			return deny("Floe does not support IceGrid.Registry.CryptPasswords; use IceGrid.Registry.PermissionsVerifier"),
				"IceGrid.Registry.CryptPasswords is not supported: every client session is denied"
		}
		return nil, ""
	}
	invalid := "permissions verifier `" + value + "' is invalid"
	p, err := comm.StringToProxy(value)
	switch {
	case err != nil && value == instance+"/NullPermissionsVerifier": // a category with a space
		return NullVerifier{}, ""
	case err != nil:
		return nil, invalid + ": " + err.Error()
	case p == nil:
		return nil, invalid
	case p.Identity() == ice.Identity{Category: instance, Name: "NullPermissionsVerifier"}:
		return NullVerifier{}, ""
	case p.Identity() == ice.Identity{Category: instance, Name: "NullSSLPermissionsVerifier"}:
		return nil, invalid // not a PermissionsVerifier: IceGrid's checkedCast fails
	}
	if len(p.Endpoints()) == 0 {
		p = p.WithLocator(locator)
	}
	return RemoteVerifier{Proxy: p}, ""
}

const glacier2PermissionDeniedTypeID = "::Glacier2::PermissionDeniedException"

// Glacier2PermissionDeniedException is ::Glacier2::PermissionDeniedException{string reason},
// which a permissions verifier may raise.
type Glacier2PermissionDeniedException struct{ Reason string } //nolint:errname // mirrors the Slice exception name

// TypeID returns the Slice type id.
func (*Glacier2PermissionDeniedException) TypeID() string { return glacier2PermissionDeniedTypeID }

func (e *Glacier2PermissionDeniedException) Error() string { return e.TypeID() + ": " + e.Reason }

// EncodeSlices writes the one slice.
func (e *Glacier2PermissionDeniedException) EncodeSlices(enc *encoding.Encoder) {
	enc.WriteStringSlice(e.TypeID(), e.Reason, true)
}

// DecodeSlices reads the one slice.
func (e *Glacier2PermissionDeniedException) DecodeSlices(d *encoding.Decoder) {
	e.Reason = d.ReadStringSlice()
}
