package interop_test

import (
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/ice"
	"floe/ice/encoding"
)

// startGoTester serves a Go Tester on 127.0.0.1 and returns a client for it.
func startGoTester(tb testing.TB, props ...string) testerClient {
	tb.Helper()
	comm := floetest.NewCommunicator(tb, props...)
	a, err := comm.CreateObjectAdapterWithEndpoints("TestAdapter", "tcp -h 127.0.0.1 -p 0")
	if err != nil {
		tb.Fatal(err)
	}
	p, err := a.Add(&tester{}, ice.Identity{Name: "tester"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.Activate(testContext(tb, 5*time.Second)); err != nil {
		tb.Fatal(err)
	}
	client := floetest.NewCommunicator(tb)
	cp, err := client.StringToProxy(p.String())
	if err != nil {
		tb.Fatal(err)
	}
	return testerClient{p: cp}
}

// TestGoClientGoServer runs the same checks Go to Go, without Python.
func TestGoClientGoServer(t *testing.T) {
	c := startGoTester(t)
	for _, enc := range []encoding.Version{encoding.Encoding11, encoding.Encoding10} {
		t.Run("encoding "+enc.String(), func(t *testing.T) {
			c := testerClient{p: c.p.WithEncoding(enc)}
			checkTwoway(t, c)
			checkOneway(t, c)
			checkExceptions(t, c)
			checkOptionals(t, c, enc)
			checkClasses(t, c)
		})
	}
}
