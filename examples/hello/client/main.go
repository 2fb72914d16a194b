// Command client calls Demo::Hello's sayHello N times through PROXY, which may be indirect
// (hello@Adapter or a well-known "hello") and is then resolved through Ice.Default.Locator.
//
//	go run ./examples/hello/client --proxy PROXY --count N [--shutdown] [--Ice.Config=FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"floe/examples/hello/hello"
	"floe/ice"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "client: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	ctx := context.Background()
	comm, rest, err := ice.Initialize(ctx, args, ice.Options{})
	if err != nil {
		return err
	}
	defer comm.Destroy()
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	proxy := fs.String("proxy", "hello", "proxy of the Demo::Hello object")
	count := fs.Int("count", 1, "number of sayHello calls")
	shutdown := fs.Bool("shutdown", false, "call shutdown after the greetings")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	p, err := comm.StringToProxy(*proxy)
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("empty proxy")
	}
	h := hello.Prx{Proxy: p}
	ok, err := h.IsA(ctx, hello.TypeID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s is not a %s", p, hello.TypeID)
	}
	start := time.Now()
	for range *count {
		if err := h.SayHello(ctx); err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "%d sayHello calls in %v (%.1f µs each)\n", *count, el.Round(time.Millisecond),
		float64(el.Microseconds())/float64(max(*count, 1)))
	if *shutdown {
		return h.Shutdown(ctx)
	}
	return nil
}
