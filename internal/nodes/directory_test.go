package nodes_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/internal/descriptor"
	"floe/internal/floetest"
	"floe/internal/node"
	"floe/internal/nodeproto"
	"floe/internal/nodes"
	"floe/internal/registry"
	"floe/internal/slice/icegrid"
	"floe/internal/store"
)

// deployment places server id of application app on node, for each "app/id@node".
func deployment(gen uint64, placements ...string) *registry.Deployment {
	d := &registry.Deployment{Generation: gen, Applications: map[string]store.Application{}}
	for _, p := range placements {
		var app, id, node string
		if _, err := fmt.Sscanf(p, "%s %s %s", &app, &id, &node); err != nil {
			panic(p)
		}
		d.Servers = append(d.Servers, &descriptor.Server{ID: id, Node: node, Application: app,
			Descriptor: &icegrid.ServerDescriptor{ID: id, Exe: "/bin/true", Activation: "manual"}})
		d.Applications[app] = store.Application{Name: app, Revision: int(gen), Descriptor: []byte("<" + app + "/>")}
	}
	return d
}

func registration(name, token, proxy string) *nodeproto.Registration {
	return &nodeproto.Registration{Name: name, Token: token, Proxy: proxy}
}

func newDirectory(tb testing.TB) *nodes.Directory {
	tb.Helper()
	return nodes.New(nodes.Config{Replica: "Master", Comm: floetest.NewCommunicator(tb), Timeout: 2 * time.Second})
}

// TestRegisterGetsItsDeployment: a node's session carries the applications that place servers
// on it, and only those.
func TestRegisterGetsItsDeployment(t *testing.T) {
	d := newDirectory(t)
	d.Deploy(deployment(3, "A a1 n1", "B b1 n2", "C c1 n1"))
	sess, err := d.Register(context.Background(), registration("n1", "t1", "IceGrid/FloeNode-n1:tcp -h 127.0.0.1 -p 1"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range sess.Deployment.Applications {
		got = append(got, a.Name)
	}
	if fmt.Sprint(got) != "[A C]" || sess.Deployment.Generation != 3 || sess.Replica != "Master" || sess.TimeoutMS != 2000 {
		t.Errorf("Register(n1) = %+v, applications %v; want A and C at generation 3", sess, got)
	}
	if err := sess.Validate(); err != nil {
		t.Errorf("the session does not validate: %v", err)
	}
}

// TestDeployKeepsNewest: a deployment handed over late (lower generation) is ignored.
func TestDeployKeepsNewest(t *testing.T) {
	d := newDirectory(t)
	d.Deploy(deployment(2, "A a1 n1", "A a2 n1"))
	d.Deploy(deployment(1, "A a1 n2"))
	list := d.Nodes()
	if len(list) != 1 || list[0].Name != "n1" || list[0].Servers != 2 || list[0].Up {
		t.Errorf("Nodes() = %+v, want n1 (down) with 2 servers", list)
	}
	if _, err := d.Server(context.Background(), "a2"); err != nil {
		t.Errorf("Server(a2) = %v", err)
	}
	if _, err := d.Server(context.Background(), "zz"); !errors.Is(err, registry.ErrServerNotFound) {
		t.Errorf("Server(zz) = %v, want ErrServerNotFound", err)
	}
	if err := d.Start(context.Background(), "a1"); !errors.Is(err, nodes.ErrNodeUnreachable) {
		t.Errorf("Start(a1) with n1 not registered = %v, want ErrNodeUnreachable", err)
	}
	if s, _ := d.Server(context.Background(), "a1"); s.State != nodes.Unknown || s.Node != "n1" {
		t.Errorf("Server(a1) with n1 not registered = %+v, want state Unknown on n1", s)
	}
}

// TestRegisterRejects: bad proxies and a name taken by a live node process are refused; a
// restarted node replaces its dead self at once.
func TestRegisterRejects(t *testing.T) {
	d := newDirectory(t)
	ctx := context.Background()
	for _, proxy := range []string{"IceGrid/FloeNode-n1", "IceGrid/FloeNode-n1@Adapter", "not a proxy:tcp -x"} {
		if _, err := d.Register(ctx, registration("n1", "t1", proxy)); err == nil {
			t.Errorf("Register with proxy %q succeeded, want an error", proxy)
		}
	}
	// A live node process answering status with its token.
	comm := floetest.NewCommunicator(t)
	adapter, err := comm.CreateObjectAdapterWithEndpoints("N", "tcp -h 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	live, err := adapter.Add(ice.ObjectFunc(func(_ context.Context, _ *ice.Current, in *encoding.Decoder, out *encoding.Encoder) error {
		_ = in.ReadString()
		nodeproto.WriteResult(out, nodeproto.Status{Token: "live"})
		return nil
	}), ice.Identity{Category: "IceGrid", Name: "FloeNode-n1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := adapter.Activate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Register(ctx, registration("n1", "live", live.String())); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Register(ctx, registration("n1", "other", "IceGrid/FloeNode-n1:tcp -h 127.0.0.1 -p 1")); !errors.Is(err, nodes.ErrNodeActive) {
		t.Errorf("Register of a second n1 while the first answers = %v, want ErrNodeActive", err)
	}
	// The same name after the first process died (its endpoint no longer answers).
	d2 := newDirectory(t)
	dead := fmt.Sprintf("IceGrid/FloeNode-n1:tcp -h 127.0.0.1 -p %d", floetest.FreePort(t))
	if _, err := d2.Register(ctx, registration("n1", "old", dead)); err != nil {
		t.Fatal(err)
	}
	if _, err := d2.Register(ctx, registration("n1", "new", live.String())); err != nil {
		t.Errorf("Register of a restarted n1 = %v, want it to replace the dead one", err)
	}
	if r := d2.KeepAlive(&nodeproto.KeepAlive{Name: "n1", Token: "old"}); r.Known {
		t.Error("the replaced node process is still known")
	}
}

// TestSessionExpires: a node that stops sending keep-alives is forgotten after the timeout;
// one that keeps them up is not.
func TestSessionExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDirectory(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = d.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		for _, n := range []string{"quiet", "chatty"} {
			if _, err := d.Register(ctx, registration(n, "t", "IceGrid/FloeNode-"+n+":tcp -h 127.0.0.1 -p 1")); err != nil {
				t.Fatal(err)
			}
		}
		for range 8 {
			time.Sleep(500 * time.Millisecond)
			if r := d.KeepAlive(&nodeproto.KeepAlive{Name: "chatty", Token: "t"}); !r.Known {
				t.Fatal("a node that keeps its session alive was forgotten")
			}
		}
		up := map[string]bool{}
		for _, n := range d.Nodes() {
			up[n.Name] = n.Up
		}
		if up["quiet"] || !up["chatty"] {
			t.Errorf("after 4 s with a 2 s timeout: up = %v, want only chatty", up)
		}
		if d.KeepAlive(&nodeproto.KeepAlive{Name: "quiet", Token: "t"}).Known {
			t.Error("a forgotten node's keep-alive is answered as known; it must register again")
		}
		d.Unregister(&nodeproto.KeepAlive{Name: "chatty", Token: "t"})
		if d.KeepAlive(&nodeproto.KeepAlive{Name: "chatty", Token: "t"}).Known {
			t.Error("an unregistered node is still known")
		}
	})
}

// TestNodeLoadFromKeepAlives: a remote node's load is what its last keep-alive said; before
// one, and for an unknown node, there is none (the registry counts the node unreachable).
func TestNodeLoadFromKeepAlives(t *testing.T) {
	ctx := context.Background()
	d := newDirectory(t)
	dead := fmt.Sprintf("IceGrid/FloeNode-n1:tcp -h 127.0.0.1 -p %d", floetest.FreePort(t))
	if _, err := d.Register(ctx, registration("n1", "tok", dead)); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.NodeLoad("n1"); ok {
		t.Error("NodeLoad before any keep-alive: ok, want none")
	}
	d.KeepAlive(&nodeproto.KeepAlive{Name: "n1", Token: "tok", Load: &node.Load{Avg1: 1.5, Avg5: 1, Avg15: 0.5}, NProcessors: 4})
	if got, ok := d.NodeLoad("n1"); !ok || got != (registry.LoadInfo{Avg1: 1.5, Avg5: 1, Avg15: 0.5, NProcessors: 4}) {
		t.Errorf("NodeLoad after a keep-alive = %+v, %v", got, ok)
	}
	d.KeepAlive(&nodeproto.KeepAlive{Name: "n1", Token: "stranger", Load: &node.Load{Avg1: 9}})
	if got, _ := d.NodeLoad("n1"); got.Avg1 != 1.5 {
		t.Errorf("a keep-alive with another token changed the load: %+v", got)
	}
	if _, ok := d.NodeLoad("nope"); ok {
		t.Error("NodeLoad of an unknown node: ok")
	}
}
