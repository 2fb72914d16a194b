package allocation

import (
	"math/rand/v2"
	"slices"

	"floe/ice/encoding"
	"floe/ice/reference"
)

// Result is the answer to a request: the allocated object's proxy, or why it was not allocated.
type Result struct {
	Proxy *reference.Reference
	Err   error
}

// Request is one allocation, answered once on Done.
type Request struct {
	owner  *Owner
	id     encoding.Identity // by identity
	typ    string            // by type
	byType bool
	done   chan Result
}

// Done delivers the answer, once.
func (r *Request) Done() <-chan Result { return r.done }

func (r *Request) answer(proxy *reference.Reference, err error) {
	r.done <- Result{Proxy: proxy, Err: err}
}

// AllocateByID is Session.allocateObjectById: o asks for object id. The answer is on the
// request's Done at once, unless the object is held (by another session, or its server is) and
// wait is set: then the request waits until a release grants it or Cancel ends it. Without wait
// such a request fails with ErrTimeout (an allocation timeout of 0).
func (t *Table) AllocateByID(o *Owner, id encoding.Identity, wait bool) *Request {
	r := &Request{owner: o, id: id, done: make(chan Result, 1)}
	t.mu.Lock()
	defer t.mu.Unlock()
	obj := t.objects[id]
	switch {
	case obj == nil:
		r.answer(nil, &NotRegisteredError{ID: id})
		return r
	case o.destroyed:
		r.answer(nil, &Error{Reason: "session destroyed"})
		return r
	}
	granted, err := t.tryByID(r, obj)
	switch {
	case err != nil:
		r.answer(nil, err)
	case !granted:
		t.queue(r, wait)
	}
	return r
}

// AllocateByType is Session.allocateObjectByType: o asks for any object of type typ that no
// session holds, taken at random among the enabled ones. It waits like AllocateByID.
func (t *Table) AllocateByType(o *Owner, typ string, wait bool) *Request {
	r := &Request{owner: o, typ: typ, byType: true, done: make(chan Result, 1)}
	t.mu.Lock()
	defer t.mu.Unlock()
	registered, enabled := 0, 0
	for _, obj := range t.objects {
		if obj.Type == typ {
			registered++
			if t.enabled(obj.Server) {
				enabled++
			}
		}
	}
	switch {
	case registered == 0:
		r.answer(nil, &Error{Reason: "no allocatable objects with type `" + typ + "' registered"})
	case enabled == 0:
		r.answer(nil, &Error{Reason: "no allocatable objects with type `" + typ + "' enabled"})
	case o.destroyed:
		r.answer(nil, &Error{Reason: "session destroyed"})
	case !t.tryByType(r):
		t.queue(r, wait)
	}
	return r
}

// Cancel ends a waiting request with err (ErrTimeout when its allocation timeout expired). It
// reports false if the request was answered already; its answer is then on Done.
func (t *Table) Cancel(r *Request, err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := slices.Index(t.pending, r)
	if i < 0 {
		return false
	}
	t.pending = slices.Delete(t.pending, i, i+1)
	r.answer(nil, err)
	return true
}

// Release is Session.releaseObject: o gives back object id, which the first waiting request it
// satisfies then gets.
func (t *Table) Release(o *Owner, id encoding.Identity) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	obj := t.objects[id]
	switch {
	case obj == nil:
		return &NotRegisteredError{ID: id}
	case obj.owner != o:
		return &Error{Reason: "can't release object which is not allocated"}
	}
	t.release(obj)
	t.pump()
	return nil
}

// ReleaseAll ends a session: its waiting requests fail ("session destroyed"), what it holds is
// released, and its later requests fail too.
func (t *Table) ReleaseAll(o *Owner) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o.destroyed = true
	t.pending = slices.DeleteFunc(t.pending, func(r *Request) bool {
		if r.owner == o {
			r.answer(nil, &Error{Reason: "session destroyed"})
		}
		return r.owner == o
	})
	for _, obj := range t.sortedObjects() {
		if obj.owner == o {
			t.release(obj)
		}
	}
	t.pump()
}

// tryByID grants obj to r if neither obj nor its server is held by another session; an object
// r's session already holds is IceGrid's "already allocated by the session".
func (t *Table) tryByID(r *Request, obj *object) (granted bool, err error) {
	srv := t.parentOf(obj)
	switch {
	case srv != nil && srv.owner != nil && srv.owner != r.owner:
		return false, nil
	case obj.owner == r.owner:
		return false, &Error{Reason: "already allocated by the session"}
	case obj.owner != nil:
		return false, nil
	}
	t.grant(r, obj, srv)
	return true, nil
}

// tryByType grants r a free object of its type, at random among those of enabled servers not
// held by another session (IceGrid shuffles them too).
func (t *Table) tryByType(r *Request) bool {
	var free []*object
	for _, obj := range t.sortedObjects() {
		srv := t.parentOf(obj)
		if obj.Type == r.typ && obj.owner == nil && (srv == nil || srv.owner == nil || srv.owner == r.owner) &&
			t.enabled(obj.Server) {
			free = append(free, obj)
		}
	}
	if len(free) == 0 {
		return false
	}
	obj := free[rand.IntN(len(free))]
	t.grant(r, obj, t.parentOf(obj))
	return true
}

func (t *Table) grant(r *Request, obj *object, srv *server) {
	obj.owner = r.owner
	if srv != nil {
		if srv.owner == nil {
			srv.owner = r.owner
			if srv.Session {
				t.changes = append(t.changes, Change{Server: srv.ID, Owner: r.owner})
			}
		}
		srv.count++
	}
	r.answer(obj.Proxy, nil)
}

func (t *Table) release(obj *object) {
	obj.owner = nil
	srv := t.parentOf(obj)
	if srv == nil {
		return
	}
	if srv.count--; srv.count == 0 {
		srv.owner = nil
		if srv.Session {
			t.changes = append(t.changes, Change{Server: srv.ID})
		}
	}
}

// queue makes r wait, or fails it with ErrTimeout when it may not.
func (t *Table) queue(r *Request, wait bool) {
	if !wait {
		r.answer(nil, ErrTimeout)
		return
	}
	t.pending = append(t.pending, r)
}

// pump lets the waiting requests through, in arrival order, after something was released or
// the deployment changed. One pass is enough: granting never frees anything.
func (t *Table) pump() {
	t.pending = slices.DeleteFunc(t.pending, func(r *Request) bool {
		if r.byType {
			if !t.typeRegistered(r.typ) {
				r.answer(nil, &Error{Reason: "no allocatable objects with type `" + r.typ + "' registered"})
				return true
			}
			return t.tryByType(r)
		}
		obj := t.objects[r.id]
		if obj == nil {
			r.answer(nil, &NotRegisteredError{ID: r.id})
			return true
		}
		granted, err := t.tryByID(r, obj)
		if err != nil {
			r.answer(nil, err)
		}
		return granted || err != nil
	})
}

func (t *Table) typeRegistered(typ string) bool {
	for _, obj := range t.objects {
		if obj.Type == typ {
			return true
		}
	}
	return false
}
