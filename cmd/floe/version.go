package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 && !wantsHelp(args) {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	fmt.Fprintf(stdout, "floe %s\n%s %s/%s\nIce protocol 1.0, encodings 1.0 and 1.1 (IceGrid 3.7 compatible)\n",
		version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
