// Command floe is Floe's single binary: an IceGrid 3.7–compatible registry, node and admin CLI.
// See SPEC.md §1 for the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"floe/ice/properties"
)

// usageError makes run exit with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"registry", "run a registry replica (Ice locator, locator registry, query, admin, HTTP API)", runRegistry},
		{"node", "run a node that activates and supervises the servers deployed on it", runNode},
		{"admin", "administer a grid (icegridadmin's command language)", runAdmin},
		{"version", "print version information", runVersion},
	}
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--help" || a == "-h" || a == "help" {
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: floe <command> [arguments]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// run executes one floe command; main maps its error to the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) == 0 {
		usage(stderr)
		return "", &usageError{"missing command"}
	}
	if wantsHelp(args[:1]) {
		usage(stdout)
		return "", nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.name, c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return "", &usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func main() {
	os.Exit(exitCode(os.Args[1:]))
}

// exitCode runs the command and maps its error to the exit status (SPEC.md §1).
func exitCode(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	name, err := run(ctx, args, os.Stdout, os.Stderr)
	if err == nil {
		return 0
	}
	prefix := "floe"
	if name != "" {
		prefix += " " + name
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", prefix, err)
	if _, ok := errors.AsType[*usageError](err); ok {
		return 2
	}
	return 1
}

// parseProperties reads --Ice.Config=FILE and --Name=Value arguments, as icegridregistry and
// icegridnode do; anything else is a usage error.
func parseProperties(args []string) (*properties.Properties, error) {
	props, rest, err := properties.Parse(args, nil, nil)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	if len(rest) > 0 {
		return nil, &usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	return props, nil
}
