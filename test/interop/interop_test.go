package interop_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"

	"github.com/google/go-cmp/cmp"

	"floe/ice"
	"floe/ice/encoding"
)

// TestPythonClientGoServer runs every scenario of testdata/client.py (real Python Ice 3.7)
// against a Go Tester server configured as the scenarios expect: ACM timeout 2 s with close on
// idle (heartbeats on dispatch).
func TestPythonClientGoServer(t *testing.T) {
	floetest.RequirePython(t)
	if testing.Short() {
		t.Skip("interop: -short")
	}
	comm := floetest.NewCommunicator(t, "Ice.ACM.Server.Timeout=2", "Ice.ACM.Server.Close=3")
	a, err := comm.CreateObjectAdapterWithEndpoints("TestAdapter", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Add(&tester{}, ice.Identity{Name: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Activate(testContext(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"1.1", "1.0"} {
		t.Run("encoding "+enc, func(t *testing.T) {
			out, err := runPython(t, 2*time.Minute, "client.py", "--proxy", p.String(), "--encoding", enc)
			t.Log(out)
			if err != nil || !strings.Contains(out, " passed, 0 failed") {
				t.Fatalf("client.py --encoding %s: %v\n%s", enc, err, out)
			}
		})
	}
}

// TestGoClientPythonServer calls a real Python Ice 3.7 Tester server from the Go runtime.
func TestGoClientPythonServer(t *testing.T) {
	floetest.RequirePython(t)
	proxy, _ := startPython(t, "server.py", "--Ice.ACM.Server.Timeout=2", "--Ice.ACM.Server.Close=1")
	comm := floetest.NewCommunicator(t)
	base, err := comm.StringToProxy(proxy)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []encoding.Version{encoding.Encoding11, encoding.Encoding10} {
		t.Run("encoding "+enc.String(), func(t *testing.T) {
			c := testerClient{p: base.WithEncoding(enc)}
			checkTwoway(t, c)
			checkOneway(t, c)
			checkExceptions(t, c)
			checkOptionals(t, c, enc)
			checkClasses(t, c)
		})
	}
	t.Run("heartbeats keep an idle connection open", func(t *testing.T) {
		c := testerClient{p: base.WithConnectionID("heartbeat")}
		ctx := testContext(t, 30*time.Second)
		conn, err := c.p.Connection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetACM(ice.ACM{Timeout: 2 * time.Second, Close: ice.CloseOff, Heartbeat: ice.HeartbeatAlways})
		select {
		case <-conn.Done():
			t.Fatalf("connection closed while heartbeating: %v", conn.Err())
		case <-time.After(5 * time.Second):
		}
		if _, err := c.echo(ctx, "still here"); err != nil {
			t.Fatal(err)
		}
		if again, _ := c.p.Connection(ctx); again != conn {
			t.Error("the call used a new connection")
		}
	})
	t.Run("server heartbeats during a long dispatch", func(t *testing.T) {
		c := testerClient{p: base.WithConnectionID("long")}
		ctx := testContext(t, 30*time.Second)
		conn, err := c.p.Connection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetACM(ice.ACM{Timeout: 2 * time.Second, Close: ice.CloseOnInvocation, Heartbeat: ice.HeartbeatOff})
		if err := c.sleep(ctx, 5000); err != nil {
			t.Fatalf("sleep(5000) with a 2 s ACM timeout: %v", err)
		}
	})
	t.Run("idle connection closed by the server", func(t *testing.T) {
		c := testerClient{p: base.WithConnectionID("idle")}
		ctx := testContext(t, 30*time.Second)
		conn, err := c.p.Connection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetACM(ice.ACM{})
		select {
		case <-conn.Done():
			if !errors.Is(conn.Err(), ice.ErrConnectionClosed) {
				t.Errorf("close reason = %v, want a graceful CloseConnection", conn.Err())
			}
		case <-time.After(8 * time.Second):
			t.Fatal("the server did not close the idle connection")
		}
		if _, err := c.echo(ctx, "reconnected"); err != nil {
			t.Fatal(err)
		}
	})
	if err := (testerClient{p: base}).shutdown(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
}

func checkTwoway(t *testing.T, c testerClient) {
	t.Helper()
	ctx := testContext(t, 20*time.Second)
	for _, s := range []string{"", "hello", "héllo wörld ✓", strings.Repeat("x", 300)} {
		if got, err := c.echo(ctx, s); err != nil || got != s {
			t.Errorf("echo(%.20q) = %.20q, %v", s, got, err)
		}
	}
	if got, err := c.add(ctx, 40, 2); err != nil || got != 42 {
		t.Errorf("add(40, 2) = %d, %v; want 42", got, err)
	}
	big := bytes.Repeat([]byte("0123456789"), 7000)
	if got, err := c.echoBytes(ctx, big); err != nil || !bytes.Equal(got, big) {
		t.Errorf("echoBytes(70000 bytes) = %d bytes, %v", len(got), err)
	}
	dict := map[string]int32{"a": 1, "b": 2, "ü": -3}
	if got, err := c.echoDict(ctx, dict); err != nil || !cmp.Equal(got, dict) {
		t.Errorf("echoDict = %v, %v; want %v", got, err, dict)
	}
	s := structS{A: 7, S: "seven"}
	if got, err := c.echoStruct(ctx, s); err != nil || got != s {
		t.Errorf("echoStruct = %+v, %v", got, err)
	}
	if got, err := c.echoColor(ctx, blue); err != nil || got != blue {
		t.Errorf("echoColor(blue) = %v, %v", got, err)
	}
}

func checkOneway(t *testing.T, c testerClient) {
	t.Helper()
	ctx := testContext(t, 20*time.Second)
	ow := c.p.Oneway()
	for _, m := range []string{"a", "b", "c"} {
		if err := c.record(ctx, ow, m); err != nil {
			t.Fatalf("oneway record: %v", err)
		}
	}
	if err := c.p.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := c.recorded(ctx); err != nil || !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("after oneways: recorded() = %q, %v", got, err)
	}
	batch := c.p.BatchOneway()
	for _, m := range []string{"x", "y", "z"} {
		if err := c.record(ctx, batch, m); err != nil {
			t.Fatalf("batch record: %v", err)
		}
	}
	if err := batch.FlushBatch(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.p.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := c.recorded(ctx); err != nil || !cmp.Equal(got, []string{"x", "y", "z"}) {
		t.Errorf("after batch: recorded() = %q, %v", got, err)
	}
}

func checkExceptions(t *testing.T, c testerClient) {
	t.Helper()
	ctx := testContext(t, 20*time.Second)
	var be *baseError
	if err := c.throw(ctx, "throwBase", "why", 0, ""); !errors.As(err, &be) || be.Reason != "why" {
		t.Errorf("throwBase = %v, want BaseError{why}", err)
	}
	var de *derivedError
	if err := c.throw(ctx, "throwDerived", "d", 7, ""); !errors.As(err, &de) || de.Reason != "d" || de.Code != 7 {
		t.Errorf("throwDerived = %#v, want DerivedError{d, 7}", err)
	}
	// MoreDerivedError is unknown to this client: sliced format lets it read the DerivedError part.
	de = nil
	if err := c.throw(ctx, "throwMoreDerived", "m", 9, "extra"); !errors.As(err, &de) || de.Reason != "m" || de.Code != 9 {
		t.Errorf("throwMoreDerived = %#v, want DerivedError{m, 9}", err)
	}
	err := c.p.Invoke(ctx, &ice.Request{Operation: "noSuchOp"})
	if !errors.Is(err, ice.ErrOperationNotExist) {
		t.Errorf("noSuchOp = %v, want OperationNotExist", err)
	}
	err = c.p.WithIdentity(ice.Identity{Name: "nobody"}).Ping(ctx)
	if !errors.Is(err, ice.ErrObjectNotExist) {
		t.Errorf("ping nobody = %v, want ObjectNotExist", err)
	}
	err = c.p.WithFacet("nofacet").Ping(ctx)
	if !errors.Is(err, ice.ErrFacetNotExist) {
		t.Errorf("ping facet = %v, want FacetNotExist", err)
	}
}

func checkOptionals(t *testing.T, c testerClient, enc encoding.Version) {
	t.Helper()
	ctx := testContext(t, 20*time.Second)
	s, col, st := "hi", blue, structS{A: 1, S: "y"}
	got, err := c.opt(ctx, &s, 3, &col, &st)
	if err != nil {
		t.Fatal(err)
	}
	// Encoding 1.0 has no optionals: even the optional return value is never sent.
	unset := enc == encoding.Encoding10
	want := "ret=7 os={1 y}"
	if unset {
		want = "ret=<nil> os=<nil>"
	}
	if g := optString(got); g != want {
		t.Errorf("opt(all set) = %s, want %s", g, want)
	}
	want = "ret=5 os=<nil>"
	if unset {
		want = "ret=<nil> os=<nil>"
	}
	if got, err = c.opt(ctx, nil, 5, nil, nil); err != nil || optString(got) != want {
		t.Errorf("opt(none) = %s, %v; want %s", optString(got), err, want)
	}
	if got, err = c.opt(ctx, &s, -1, nil, &st); err != nil {
		t.Fatal(err)
	}
	want = "ret=<nil> os={1 y}"
	if unset {
		want = "ret=<nil> os=<nil>"
	}
	if g := optString(got); g != want {
		t.Errorf("opt(x<0) = %s, want %s", g, want)
	}
}

func optString(r optResult) string {
	ret, os := "<nil>", "<nil>"
	if r.Ret != nil {
		ret = fmt.Sprint(*r.Ret)
	}
	if r.Os != nil {
		os = fmt.Sprint(*r.Os)
	}
	return "ret=" + ret + " os=" + os
}

func checkClasses(t *testing.T, c testerClient) {
	t.Helper()
	ctx := testContext(t, 20*time.Second)
	a, b, cc := &node{Name: "A"}, &node{Name: "B"}, &node{Name: "C"}
	a.Next, b.Next, cc.Next = b, cc, a
	got, err := c.graph(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if names := graphNames(got, 4); names != "A!>B!>C!>A!>" {
		t.Errorf("graph(cycle) names = %s", names)
	}
	if got == nil || got.Next == nil || got.Next.Next == nil || got.Next.Next.Next != got {
		t.Error("graph(cycle): the cycle was not preserved")
	}
	d := &node{Name: "D"}
	d.Next = d
	if got, err = c.graph(ctx, d); err != nil || got == nil || got.Next != got || got.Name != "D!" {
		t.Errorf("graph(self loop) = %+v, %v", got, err)
	}
}

// TestPythonServerRegistersThroughGoLocator: a Python server with Ice.Default.Locator pointing
// at a Go locator registers its adapter; Go and Python clients then resolve tester@PyAdapter.
func TestPythonServerRegistersThroughGoLocator(t *testing.T) {
	floetest.RequirePython(t)
	ctx := testContext(t, 60*time.Second)
	comm := floetest.NewCommunicator(t)
	stub, loc, err := startLocator(ctx, comm)
	if err != nil {
		t.Fatal(err)
	}
	startPython(t, "server.py", "--Ice.Default.Locator="+loc.String(), "--TestAdapter.AdapterId=PyAdapter")
	if stub.adapter("PyAdapter") == nil {
		t.Fatal("the Python server did not register PyAdapter")
	}
	client := floetest.NewCommunicator(t, "Ice.Default.Locator="+loc.String())
	p, err := client.StringToProxy("tester@PyAdapter")
	if err != nil {
		t.Fatal(err)
	}
	tc := testerClient{p: p}
	if got, err := tc.echo(ctx, "via-go-locator"); err != nil || got != "via-go-locator" {
		t.Fatalf("echo through the locator = %q, %v", got, err)
	}
	out, err := runPython(t, 30*time.Second, "locator_client.py", "--locator", loc.String(), "--adapter-id", "PyAdapter")
	if err != nil || !strings.Contains(out, "ok") {
		t.Fatalf("locator_client.py: %v\n%s", err, out)
	}
	unknown, _ := client.StringToProxy("tester@NoSuchAdapter")
	if err := unknown.Ping(ctx); !errors.Is(err, ice.ErrNotRegistered) {
		t.Errorf("ping tester@NoSuchAdapter = %v, want NotRegistered", err)
	}
	if err := tc.shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for stub.adapter("PyAdapter") != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if stub.adapter("PyAdapter") != nil {
		t.Error("the Python server did not unregister PyAdapter on shutdown")
	}
}
