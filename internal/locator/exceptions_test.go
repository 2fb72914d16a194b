package locator

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice"
	"floe/ice/encoding"
	"floe/internal/allocation"
	"floe/internal/session"
)

// TestMapError: session and allocation errors become IceGrid's exceptions with their members.
func TestMapError(t *testing.T) {
	id := encoding.Identity{Category: "c", Name: "n"}
	for _, tc := range []struct {
		err  error
		want error
	}{
		{&session.PermissionDeniedError{Reason: "empty user id"}, &PermissionDeniedException{Reason: "empty user id"}},
		{fmt.Errorf("wrapped: %w", &allocation.NotRegisteredError{ID: id}), &ObjectNotRegisteredException{ID: id}},
		{allocation.ErrTimeout, &AllocationTimeoutException{}},
		{&allocation.Error{Reason: "session destroyed"}, &AllocationException{Reason: "session destroyed"}},
	} {
		if got := mapError(tc.err); !cmp.Equal(got, tc.want) {
			t.Errorf("mapError(%v) = %#v, want %#v", tc.err, got, tc.want)
		}
	}
	if got := mapError(session.ErrDestroyed); !errors.Is(got, ice.ErrObjectNotExist) {
		t.Errorf("mapError(ErrDestroyed) = %v, want ObjectNotExist", got)
	}
}

// TestExceptionsRoundTrip: each exception decodes as written, in both encodings.
func TestExceptionsRoundTrip(t *testing.T) {
	factory := func(typeID string) encoding.UserException {
		switch typeID {
		case "::IceGrid::PermissionDeniedException":
			return &PermissionDeniedException{}
		case "::IceGrid::ObjectNotRegisteredException":
			return &ObjectNotRegisteredException{}
		case "::IceGrid::AllocationException":
			return &AllocationException{}
		case "::IceGrid::AllocationTimeoutException":
			return &AllocationTimeoutException{}
		}
		return nil
	}
	for _, v := range []encoding.Version{encoding.Encoding10, encoding.Encoding11} {
		for _, ex := range []encoding.UserException{
			&PermissionDeniedException{Reason: "no"},
			&ObjectNotRegisteredException{ID: encoding.Identity{Category: "c", Name: "n"}},
			&AllocationException{Reason: "already allocated by the session"},
			&AllocationTimeoutException{},
		} {
			e := encoding.NewEncoder(nil, v)
			e.WriteException(ex)
			got, err := encoding.NewDecoder(e.Bytes(), v).ReadException(factory)
			if err != nil || !cmp.Equal(got, ex) {
				t.Errorf("encoding %v: %T decoded as %#v, %v", v, ex, got, err)
			}
		}
	}
}
