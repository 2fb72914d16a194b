package ha_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/reference"
)

// registerAdapter runs a Go Ice server: an adapter id with a "hello" object that answers
// ice_ping, registered through via's LocatorRegistry (Ice.Default.Locator). A successful
// registration is recorded in the ledger with the adapter's endpoints.
func (c *cluster) registerAdapter(t *testing.T, via *replica, id string) {
	t.Helper()
	comm := floetest.NewCommunicator(t, "Ice.Default.Locator="+via.locator(), id+".AdapterId="+id)
	a, err := comm.CreateObjectAdapterWithEndpoints(id, "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		t.Fatal(err)
	}
	hello := ice.ObjectFunc(func(context.Context, *ice.Current, *encoding.Decoder, *encoding.Encoder) error {
		return ice.ErrOperationNotExist
	})
	if _, err := a.Add(hello, ice.Identity{Name: "hello"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Activate(ctx); err != nil {
		t.Fatalf("register adapter %s through %s: %v", id, via.name, err)
	}
	c.ledger.ack("adapter/"+id, endpointsString(a.PublishedEndpoints()))
}

func endpointsString(eps []ice.Endpoint) string {
	s := make([]string, 0, len(eps))
	for _, ep := range eps {
		s = append(s, ep.String())
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// findAdapter asks r's locator, and only r's, for an adapter's endpoints
// (Ice::Locator::findAdapterById), bounded by 3 s.
func findAdapter(comm *ice.Communicator, r *replica, id string) (string, error) {
	loc, err := comm.StringToProxy(r.locator())
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var ref *reference.Reference
	err = loc.Invoke(ctx, &ice.Request{Operation: "findAdapterById", Mode: ice.Nonmutating,
		Params:     func(e *encoding.Encoder) { e.WriteString(id) },
		Result:     func(d *encoding.Decoder) { ref = reference.Read(d) },
		Exceptions: ice.LocatorExceptions})
	if err != nil {
		return "", err
	}
	if ref == nil {
		return "", errors.New("findAdapterById: null proxy")
	}
	return endpointsString(ref.Endpoints), nil
}

// checkLookups resolves every adapter of the ledger through each of rs with findAdapterById,
// once, fails the test for every answer that is not the registered endpoints, and returns how
// many lookups it made.
func (c *cluster) checkLookups(t *testing.T, comm *ice.Communicator, rs ...*replica) int {
	t.Helper()
	n := 0
	for key, e := range c.ledger.snapshot() {
		id, ok := strings.CutPrefix(key, "adapter/")
		if !ok || e.acked == "" {
			continue
		}
		for _, r := range rs {
			got, err := findAdapter(comm, r, id)
			if err != nil || got != e.acked {
				t.Errorf("findAdapterById(%s) through %s = %q, %v, want %q", id, r.name, got, err, e.acked)
			}
			n++
		}
	}
	return n
}
