package ice

import (
	"context"
	"fmt"
	"testing"

	"floe/ice/encoding"
)

// BenchmarkEncodeDecodeProxy writes the proxy of the §7.1 findAdapterById answer and reads it
// back, in encodings 1.1 and 1.0.
func BenchmarkEncodeDecodeProxy(b *testing.B) {
	comm := newClient(b)
	p, err := comm.StringToProxy("dummy -t -e 1.1:tcp -h 127.0.0.1 -p 12011 -t 60000")
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []encoding.Version{encoding.Encoding11, encoding.Encoding10} {
		b.Run(v.String(), func(b *testing.B) {
			e := encoding.NewEncoder(make([]byte, 0, 64), v)
			b.ReportAllocs()
			for b.Loop() {
				e.Reset(e.Bytes()[:0], v)
				WriteProxy(e, p)
				d := encoding.NewDecoder(e.Bytes(), v)
				q := comm.ReadProxy(d)
				if d.Err() != nil || q == nil {
					b.Fatalf("ReadProxy = %v, %v", q, d.Err())
				}
			}
		})
	}
}

// echoRequest is a twoway call of echo(s), the result stored in *got.
func echoRequest(s string, got *string) *Request {
	return &Request{
		Operation: "echo",
		Params:    func(e *encoding.Encoder) { e.WriteString(s) },
		Result:    func(d *encoding.Decoder) { *got = d.ReadString() },
	}
}

// benchProxy starts a loopback server and returns a client proxy to its echo servant, with the
// connection established.
func benchProxy(b *testing.B) *Proxy {
	b.Helper()
	srv := startLoopbackServer(b)
	p, err := newClient(b).StringToProxy(srv.proxy)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Ping(context.Background()); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkRoundTrip calls echo("hello") from a Go client to a Go server over loopback TCP, one
// call at a time. Allocations of both sides are counted.
func BenchmarkRoundTrip(b *testing.B) {
	p := benchProxy(b)
	ctx := context.Background()
	var got string
	req := echoRequest("hello", &got)
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Invoke(ctx, req); err != nil || got != "hello" {
			b.Fatalf("echo = %q, %v", got, err)
		}
	}
}

// BenchmarkRoundTripParallel is BenchmarkRoundTrip with concurrent callers pipelining requests
// on the one shared connection: b.RunParallel with parallelism 1 (GOMAXPROCS goroutines) and 8
// (8 × GOMAXPROCS goroutines).
func BenchmarkRoundTripParallel(b *testing.B) {
	p := benchProxy(b)
	for _, parallelism := range []int{1, 8} {
		b.Run(fmt.Sprintf("parallelism=%d", parallelism), func(b *testing.B) {
			b.SetParallelism(parallelism)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				var got string
				req := echoRequest("hello", &got)
				for pb.Next() {
					if err := p.Invoke(ctx, req); err != nil || got != "hello" {
						b.Errorf("echo = %q, %v", got, err)
						return
					}
				}
			})
		})
	}
}
