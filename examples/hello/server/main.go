// Command server is a Go Demo::Hello server, configured like ice-demos' Python server: adapter
// "Hello" from the properties (Hello.Endpoints, optional Hello.AdapterId / ReplicaGroupId) and the
// servant identity from the Identity property (default "hello"). It exits 0 after shutdown().
//
//	go run ./examples/hello/server --Ice.Config=FILE
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"floe/examples/hello/hello"
	"floe/ice"
	"floe/ice/reference"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	comm, rest, err := ice.Initialize(ctx, args, ice.Options{Prefixes: []string{"Hello", "Identity"}})
	if err != nil {
		return err
	}
	defer comm.Destroy()
	if len(rest) > 0 {
		return fmt.Errorf("too many arguments: %q", rest)
	}
	props := comm.Properties()
	name := props.GetWithDefault("Ice.ProgramName", "server")
	id, err := reference.ParseIdentity(props.GetWithDefault("Identity", "hello"))
	if err != nil {
		return err
	}
	adapter, err := comm.CreateObjectAdapter("Hello")
	if err != nil {
		return err
	}
	servant := &hello.Servant{
		SayHello: func(context.Context, *ice.Current) error {
			fmt.Fprintf(stdout, "%s says Hello World!\n", name)
			return nil
		},
		Shutdown: func(context.Context, *ice.Current) error {
			fmt.Fprintf(stdout, "%s shutting down...\n", name)
			comm.Shutdown()
			return nil
		},
	}
	if _, err := adapter.Add(servant, id); err != nil {
		return err
	}
	if err := adapter.Activate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ready: %s\n", adapter.CreateProxy(id))
	select {
	case <-comm.ShutdownDone():
	case <-ctx.Done():
		comm.Shutdown()
	}
	return nil
}
