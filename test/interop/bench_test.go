package interop_test

import (
	"context"
	"testing"

	"floe/internal/floetest"
)

// BenchmarkRoundTripGoToPython measures a small twoway call (Tester.add) from the Go runtime to a
// real Python Ice 3.7 server over loopback.
func BenchmarkRoundTripGoToPython(b *testing.B) {
	if err := pythonAvailable(b.Context()); err != nil {
		b.Skip(err)
	}
	proxy, _ := startPython(b, "server.py")
	comm := floetest.NewCommunicator(b)
	p, err := comm.StringToProxy(proxy)
	if err != nil {
		b.Fatal(err)
	}
	c := testerClient{p: p}
	ctx := context.Background()
	if _, err := c.add(ctx, 1, 2); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := c.add(ctx, int32(i), 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = c.shutdown(ctx)
}

// BenchmarkRoundTripGoToGo is the same call to a Go server.
func BenchmarkRoundTripGoToGo(b *testing.B) {
	c := startGoTester(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := c.add(ctx, int32(i), 1); err != nil {
			b.Fatal(err)
		}
	}
}
