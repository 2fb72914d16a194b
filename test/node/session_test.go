package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/internal/floetest"
)

// TestRemoteNodeSessionServer: a `session` server on a `floe node` is given to the client
// session that allocates its object (its configuration regenerated on the node with
// ${session.id}), activated on demand, and stopped on the node when the session is destroyed.
// The client is the Go Ice runtime.
func TestRemoteNodeSessionServer(t *testing.T) {
	g := newGrid(t, "--IceGrid.Registry.PermissionsVerifier=NodeGrid/NullPermissionsVerifier")
	t.Cleanup(func() { killServers(t, g.dir, "SessionServer") })
	g.startNode(t)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.nodeUp(t) })
	xml := `<icegrid><application name="Sessions"><node name="n1">
  <server id="SessionServer" exe="` + helloServer + `" activation="session">
    <adapter name="Hello" endpoints="tcp -h 127.0.0.1"><allocatable identity="hello" property="Identity"/></adapter>
    <property name="Owner" value="${session.id}"/>
  </server>
</node></application></icegrid>`
	path := filepath.Join(g.dir, "sessions.xml")
	if err := os.WriteFile(path, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	g.admin(t, "application add "+path)
	floetest.WaitFor(t, 10*time.Second, func() bool { return g.state(t, "SessionServer") == "Inactive" })

	comm := floetest.NewCommunicator(t, "Ice.Default.Locator="+g.locator)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	registry, err := comm.StringToProxy("NodeGrid/Registry")
	if err != nil {
		t.Fatal(err)
	}
	var session *ice.Proxy
	if err := registry.Invoke(ctx, &ice.Request{Operation: "createSession",
		Params: func(e *encoding.Encoder) { e.WriteString("alice"); e.WriteString("any") },
		Result: func(d *encoding.Decoder) { session = comm.ReadProxy(d) }}); err != nil {
		t.Fatalf("createSession: %v", err)
	}
	var hello *ice.Proxy
	if err := session.Invoke(ctx, &ice.Request{Operation: "allocateObjectById",
		Params: func(e *encoding.Encoder) { e.WriteIdentity(ice.Identity{Name: "hello"}) },
		Result: func(d *encoding.Decoder) { hello = comm.ReadProxy(d) }}); err != nil {
		t.Fatalf("allocateObjectById: %v", err)
	}
	if err := hello.Invoke(ctx, &ice.Request{Operation: "sayHello", Mode: ice.Idempotent}); err != nil {
		t.Fatalf("sayHello on %s: %v", hello, err)
	}
	if s := g.server(t, "SessionServer"); s.State != "Active" || s.Node != "n1" {
		t.Errorf("SessionServer after the call = %+v, want Active on n1", s)
	}
	cfg, err := os.ReadFile(filepath.Join(g.dir, "node", "servers", "SessionServer", "config", "config"))
	if err != nil || !strings.Contains(string(cfg), "\nOwner=alice\n") {
		t.Errorf("the node's configuration of SessionServer lacks Owner=alice: %v\n%s", err, cfg)
	}
	if err := session.Invoke(ctx, &ice.Request{Operation: "destroy"}); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if st := g.state(t, "SessionServer"); st != "Inactive" {
		t.Errorf("SessionServer once destroy returned = %s, want Inactive", st)
	}
}
