package nodes_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/internal/floetest"
	"floe/internal/node"
	"floe/internal/nodeproto"
	"floe/internal/nodes"
)

// TestShutdown: a registered node gets the shutdown operation naming it; an unknown node is
// ErrNodeNotFound, one with servers that is not registered ErrNodeUnreachable; the collocated
// node ends the process through ShutdownLocal, or is refused without it.
func TestShutdown(t *testing.T) {
	ctx := context.Background()
	comm := floetest.NewCommunicator(t)
	adapter, err := comm.CreateObjectAdapterWithEndpoints("N", "tcp -h 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var calls []string
	self, err := adapter.Add(ice.ObjectFunc(func(_ context.Context, cur *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
		var req nodeproto.Shutdown
		if err := nodeproto.ReadArg(in, &req); err != nil {
			return err
		}
		mu.Lock()
		calls = append(calls, cur.Operation+" "+req.Node)
		mu.Unlock()
		nodeproto.WriteResult(out, nodeproto.Empty{})
		return nil
	}), ice.Identity{Category: "IceGrid", Name: "FloeNode-n1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := adapter.Activate(ctx); err != nil {
		t.Fatal(err)
	}
	d := newDirectory(t)
	d.Deploy(deployment(1, "A s2 n2"))
	if _, err := d.Register(ctx, registration("n1", "t1", self.String())); err != nil {
		t.Fatal(err)
	}
	if err := d.Shutdown(ctx, "n1"); err != nil {
		t.Fatalf("Shutdown(n1) = %v", err)
	}
	mu.Lock()
	if len(calls) != 1 || calls[0] != "shutdown n1" {
		t.Errorf("the node got %q, want [shutdown n1]", calls)
	}
	mu.Unlock()
	if err := d.Shutdown(ctx, "nope"); !errors.Is(err, nodes.ErrNodeNotFound) || err.Error() != `node "nope" does not exist (no such node)` {
		t.Errorf("Shutdown(nope) = %v, want ErrNodeNotFound", err)
	}
	if err := d.Shutdown(ctx, "n2"); !errors.Is(err, nodes.ErrNodeUnreachable) {
		t.Errorf("Shutdown(n2) with servers but not registered = %v, want ErrNodeUnreachable", err)
	}

	local, err := node.New(node.Config{Name: "local", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Shutdown(context.Background()) })
	refuse := nodes.New(nodes.Config{Replica: "Master", Comm: comm, Local: local, Timeout: 2 * time.Second})
	if err := refuse.Shutdown(ctx, "local"); !errors.Is(err, nodes.ErrCannotShutdown) {
		t.Errorf("Shutdown(local) without ShutdownLocal = %v, want ErrCannotShutdown", err)
	}
	ended := 0
	d3 := nodes.New(nodes.Config{Replica: "Master", Comm: comm, Local: local, Timeout: 2 * time.Second,
		ShutdownLocal: func() { ended++ }})
	if err := d3.Shutdown(ctx, "local"); err != nil || ended != 1 {
		t.Errorf("Shutdown(local) = %v with ShutdownLocal called %d times, want nil and once", err, ended)
	}
}
