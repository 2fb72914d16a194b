package allocation

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/ice/reference"
)

func id(name string) encoding.Identity { return encoding.Identity{Name: name} }

func obj(tb testing.TB, name, typ, server string) Object {
	tb.Helper()
	p, err := reference.Parse(name+" @ "+server+"Adapter", reference.Defaults{})
	if err != nil {
		tb.Fatal(err)
	}
	return Object{ID: id(name), Type: typ, Proxy: p, Server: server}
}

// grid is the deployment of the tests: SessionServer (activation session) with tester and
// tester2, Shared (not allocatable) with shared-1 and shared-2, Locked (allocatable="true")
// with locked.
func grid(tb testing.TB, enabled func(string) bool) *Table {
	tb.Helper()
	t := New(enabled)
	t.Sync([]Object{
		obj(tb, "tester", "::Test::Tester", "SessionServer"),
		obj(tb, "tester2", "::Test::Tester", "SessionServer"),
		obj(tb, "shared-1", "::Test::Shared", "Shared"),
		obj(tb, "shared-2", "::Test::Shared", "Shared"),
		obj(tb, "locked", "::Test::Locked", "Locked"),
	}, []Server{
		{ID: "SessionServer", Allocatable: true, Session: true},
		{ID: "Shared"},
		{ID: "Locked", Allocatable: true},
	})
	return t
}

// changes renders the table's changes as "server:user", "server:-" for a release.
func changes(t *Table) []string {
	var out []string
	for _, c := range t.TakeChanges() {
		who := "-"
		if c.Owner != nil {
			who = c.Owner.User
		}
		out = append(out, c.Server+":"+who)
	}
	return out
}

// answer returns a request's answer, failing if it has none yet.
func answer(tb testing.TB, r *Request) Result {
	tb.Helper()
	select {
	case res := <-r.Done():
		return res
	default:
		tb.Fatal("the request has no answer; want one")
		return Result{}
	}
}

func waiting(tb testing.TB, r *Request) {
	tb.Helper()
	select {
	case res := <-r.Done():
		tb.Fatalf("request answered %v %v; want it waiting", res.Proxy, res.Err)
	default:
	}
}

// got checks that a request was granted the object called want.
func got(tb testing.TB, r *Request, want string) {
	tb.Helper()
	res := answer(tb, r)
	if res.Err != nil || res.Proxy == nil || res.Proxy.Identity.Name != want {
		tb.Fatalf("answer = %v, %v; want %s", res.Proxy, res.Err, want)
	}
}

// refused checks that a request failed with IceGrid's reason (an *Error), or err.
func refused(tb testing.TB, res Result, want any) {
	tb.Helper()
	switch w := want.(type) {
	case string:
		var e *Error
		if !errors.As(res.Err, &e) || e.Reason != w {
			tb.Fatalf("answer = %v, %v; want AllocationException %q", res.Proxy, res.Err, w)
		}
	case error:
		if !errors.Is(res.Err, w) {
			tb.Fatalf("answer = %v, %v; want %v", res.Proxy, res.Err, w)
		}
	}
}

func TestAllocateByID(t *testing.T) {
	tbl := grid(t, nil)
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	refused(t, answer(t, tbl.AllocateByID(a, id("nosuch"), true)), ErrNotRegistered)
	got(t, tbl.AllocateByID(a, id("shared-1"), true), "shared-1")
	refused(t, answer(t, tbl.AllocateByID(a, id("shared-1"), true)), "already allocated by the session")
	refused(t, answer(t, tbl.AllocateByID(b, id("shared-1"), false)), ErrTimeout)
	got(t, tbl.AllocateByID(b, id("shared-2"), false), "shared-2") // Shared is not allocatable

	w := tbl.AllocateByID(b, id("shared-1"), true)
	waiting(t, w)
	if err := tbl.Release(b, id("shared-1")); err == nil || err.Error() != "allocation: can't release object which is not allocated" {
		t.Fatalf("Release by a session that does not hold it = %v", err)
	}
	if err := tbl.Release(a, id("nosuch")); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("Release(nosuch) = %v, want ErrNotRegistered", err)
	}
	waiting(t, w)
	if err := tbl.Release(a, id("shared-1")); err != nil {
		t.Fatal(err)
	}
	got(t, w, "shared-1")
	if h := tbl.Holder(id("shared-1")); h != b {
		t.Errorf("Holder(shared-1) = %v, want b", h)
	}
}

// TestServerAllocatedWithItsObjects: holding an object of an allocatable server holds the
// server, so its other objects go to the same session only, until it released them all.
func TestServerAllocatedWithItsObjects(t *testing.T) {
	tbl := grid(t, nil)
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	got(t, tbl.AllocateByID(a, id("tester"), true), "tester")
	refused(t, answer(t, tbl.AllocateByID(b, id("tester2"), false)), ErrTimeout)
	w := tbl.AllocateByID(b, id("tester2"), true)
	got(t, tbl.AllocateByID(a, id("tester2"), true), "tester2")
	if err := tbl.Release(a, id("tester")); err != nil {
		t.Fatal(err)
	}
	waiting(t, w) // a still holds the server through tester2
	if err := tbl.Release(a, id("tester2")); err != nil {
		t.Fatal(err)
	}
	got(t, w, "tester2")
	refused(t, answer(t, tbl.AllocateByID(a, id("tester"), false)), ErrTimeout) // b holds the server now
}

func TestSessionServerChanges(t *testing.T) {
	tbl := grid(t, nil)
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	got(t, tbl.AllocateByID(a, id("tester"), true), "tester")
	got(t, tbl.AllocateByID(a, id("tester2"), true), "tester2")
	got(t, tbl.AllocateByID(a, id("locked"), true), "locked") // allocatable, not a session server
	w := tbl.AllocateByID(b, id("tester"), true)
	if diff := cmp.Diff([]string{"SessionServer:a"}, changes(tbl)); diff != "" {
		t.Errorf("changes after a's allocations (-want +got):\n%s", diff)
	}
	if err := tbl.Release(a, id("tester")); err != nil {
		t.Fatal(err)
	}
	if c := changes(tbl); len(c) != 0 {
		t.Errorf("changes while a still holds tester2 = %v, want none", c)
	}
	if err := tbl.Release(a, id("tester2")); err != nil {
		t.Fatal(err)
	}
	got(t, w, "tester")
	if diff := cmp.Diff([]string{"SessionServer:-", "SessionServer:b"}, changes(tbl)); diff != "" {
		t.Errorf("changes after the hand-over (-want +got):\n%s", diff)
	}
}

func TestAllocateByType(t *testing.T) {
	enabled := map[string]bool{"SessionServer": true, "Shared": true, "Locked": false}
	tbl := grid(t, func(s string) bool { return enabled[s] })
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	refused(t, answer(t, tbl.AllocateByType(a, "::Test::Missing", true)), "no allocatable objects with type `::Test::Missing' registered")
	refused(t, answer(t, tbl.AllocateByType(a, "::Test::Locked", true)), "no allocatable objects with type `::Test::Locked' enabled")

	first := answer(t, tbl.AllocateByType(a, "::Test::Shared", false))
	second := answer(t, tbl.AllocateByType(b, "::Test::Shared", false))
	if first.Err != nil || second.Err != nil || first.Proxy.Identity == second.Proxy.Identity {
		t.Fatalf("two allocations by type = %v %v, %v %v; want both objects", first.Proxy, first.Err, second.Proxy, second.Err)
	}
	refused(t, answer(t, tbl.AllocateByType(a, "::Test::Shared", false)), ErrTimeout)
	w := tbl.AllocateByType(a, "::Test::Shared", true)
	waiting(t, w)
	if err := tbl.Release(b, second.Proxy.Identity); err != nil {
		t.Fatal(err)
	}
	got(t, w, second.Proxy.Identity.Name)

	// A session holding one object of a server gets the server's other one by type.
	got(t, tbl.AllocateByID(b, id("tester"), true), "tester")
	refused(t, answer(t, tbl.AllocateByType(a, "::Test::Tester", false)), ErrTimeout)
	got(t, tbl.AllocateByType(b, "::Test::Tester", false), "tester2")
}

func TestCancel(t *testing.T) {
	tbl := grid(t, nil)
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	got(t, tbl.AllocateByID(a, id("locked"), true), "locked")
	w := tbl.AllocateByID(b, id("locked"), true)
	if !tbl.Cancel(w, ErrTimeout) {
		t.Fatal("Cancel of a waiting request = false")
	}
	refused(t, answer(t, w), ErrTimeout)
	if err := tbl.Release(a, id("locked")); err != nil {
		t.Fatal(err)
	}
	if tbl.Holder(id("locked")) != nil {
		t.Error("a cancelled request was granted the object")
	}
	g := tbl.AllocateByID(b, id("locked"), true)
	if tbl.Cancel(g, ErrTimeout) {
		t.Error("Cancel of a granted request = true")
	}
	got(t, g, "locked")
}

func TestReleaseAll(t *testing.T) {
	tbl := grid(t, nil)
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	got(t, tbl.AllocateByID(a, id("tester"), true), "tester")
	got(t, tbl.AllocateByID(b, id("shared-1"), true), "shared-1")
	wb := tbl.AllocateByID(b, id("tester"), true)
	wa := tbl.AllocateByID(a, id("shared-1"), true)
	tbl.TakeChanges()
	tbl.ReleaseAll(a)
	refused(t, answer(t, wa), "session destroyed")
	got(t, wb, "tester")
	refused(t, answer(t, tbl.AllocateByID(a, id("shared-2"), true)), "session destroyed")
	refused(t, answer(t, tbl.AllocateByType(a, "::Test::Shared", true)), "session destroyed")
	if diff := cmp.Diff([]string{"SessionServer:-", "SessionServer:b"}, changes(tbl)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestSync: a deployment change keeps unchanged objects with their holders, takes away the
// objects that are gone or changed, and fails the requests waiting for what is gone.
func TestSync(t *testing.T) {
	tbl := grid(t, nil)
	a, b := &Owner{User: "a"}, &Owner{User: "b"}
	got(t, tbl.AllocateByID(a, id("tester"), true), "tester")
	got(t, tbl.AllocateByID(a, id("shared-1"), true), "shared-1")
	got(t, tbl.AllocateByID(a, id("shared-2"), true), "shared-2")
	got(t, tbl.AllocateByID(a, id("locked"), true), "locked")
	byID := tbl.AllocateByID(b, id("shared-1"), true)
	byType := tbl.AllocateByType(b, "::Test::Locked", true)
	tbl.TakeChanges()
	moved := obj(t, "shared-2", "::Test::Shared", "Other") // now on another server: re-added
	tbl.Sync([]Object{obj(t, "tester", "::Test::Tester", "SessionServer"), moved},
		[]Server{{ID: "SessionServer", Allocatable: true, Session: true}, {ID: "Other"}})
	if tbl.Holder(id("tester")) != a {
		t.Error("an unchanged object lost its holder")
	}
	if tbl.Holder(id("shared-2")) != nil {
		t.Error("a changed object kept its holder")
	}
	refused(t, answer(t, byID), ErrNotRegistered)
	refused(t, answer(t, byType), "no allocatable objects with type `::Test::Locked' registered")
	if c := changes(tbl); len(c) != 0 {
		t.Errorf("changes = %v, want none (SessionServer kept its holder)", c)
	}
	tbl.Sync(nil, nil)
	if diff := cmp.Diff([]string{"SessionServer:-"}, changes(tbl)); diff != "" {
		t.Errorf("changes after removing everything (-want +got):\n%s", diff)
	}
	if err := tbl.Release(a, id("tester")); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("Release of a removed object = %v, want ErrNotRegistered", err)
	}
}
