package ice_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/properties"
	"floe/ice/protocol"
)

func newComm(t *testing.T) *ice.Communicator {
	t.Helper()
	c, err := ice.New(properties.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Destroy)
	return c
}

// TestServantPanic: a panicking servant answers UnknownException and the connection keeps
// working.
func TestServantPanic(t *testing.T) {
	server := newComm(t)
	a, err := server.CreateObjectAdapterWithEndpoints("A", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		t.Fatal(err)
	}
	obj := ice.ObjectFunc(func(_ context.Context, cur *ice.Current, _ *encoding.Decoder, out *encoding.Encoder) error {
		if cur.Operation == "boom" {
			panic("boom")
		}
		out.WriteString("fine")
		return nil
	})
	p, err := a.Add(obj, ice.Identity{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Activate(ctx); err != nil {
		t.Fatal(err)
	}
	client := newComm(t)
	cp, _ := client.StringToProxy(p.String())
	err = cp.Invoke(ctx, &ice.Request{Operation: "boom"})
	var ue *ice.UnknownError
	if !errors.As(err, &ue) || ue.Status != protocol.ReplyUnknownException {
		t.Fatalf("boom = %v, want UnknownException", err)
	}
	var got string
	err = cp.Invoke(ctx, &ice.Request{Operation: "ok", Result: func(d *encoding.Decoder) { got = d.ReadString() }})
	if err != nil || got != "fine" {
		t.Errorf("call after a panic = %q, %v", got, err)
	}
}

// TestInvocationContextDeadline: a call to an unresponsive servant ends with the context.
func TestInvocationContextDeadline(t *testing.T) {
	server := newComm(t)
	a, _ := server.CreateObjectAdapterWithEndpoints("A", "tcp -h 127.0.0.1 -p 0")
	release := make(chan struct{})
	defer close(release)
	p, _ := a.Add(ice.ObjectFunc(func(context.Context, *ice.Current, *encoding.Decoder, *encoding.Encoder) error {
		<-release
		return nil
	}), ice.Identity{Name: "slow"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Activate(ctx); err != nil {
		t.Fatal(err)
	}
	client := newComm(t)
	cp, _ := client.StringToProxy(p.String())
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if err := cp.Invoke(short, &ice.Request{Operation: "wait"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke = %v, want context.DeadlineExceeded", err)
	}
}
