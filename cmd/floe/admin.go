package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// runAdmin is `floe admin`: icegridadmin's command language over the HTTP API (SPEC.md §6).
// With -e it runs the commands given ("cmd; cmd"); otherwise it reads commands from stdin,
// with a prompt when stdin is a terminal.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("registry", "http://127.0.0.1:4080", "HTTP address of a registry replica")
	var cmds multiFlag
	fs.Var(&cmds, "e", "run a command (may repeat; commands may be separated by ';')")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	a := &admin{client: newAPIClient(*url), out: stdout}
	if len(cmds) > 0 {
		for _, c := range cmds {
			for _, line := range splitCommands(c) {
				if err := a.exec(ctx, line); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return a.interactive(ctx, os.Stdin, stderr)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ";") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// splitCommands splits "a; b" at semicolons outside quotes.
func splitCommands(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ';':
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	out = append(out, cur.String())
	var nonEmpty []string
	for _, c := range out {
		if strings.TrimSpace(c) != "" {
			nonEmpty = append(nonEmpty, c)
		}
	}
	return nonEmpty
}

// tokenize splits a command line into words; single and double quotes group, backslash escapes.
func tokenize(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\\' && i+1 < len(runes):
			i++
			cur.WriteRune(runes[i])
			inWord = true
		case r == '\'' || r == '"':
			quote = r
			inWord = true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func (a *admin) interactive(ctx context.Context, in io.Reader, stderr io.Writer) error {
	sc := bufio.NewScanner(in)
	tty := isTerminal(os.Stdin)
	for {
		if tty {
			fmt.Fprint(a.out, ">>> ")
		}
		if !sc.Scan() {
			return sc.Err()
		}
		for _, line := range splitCommands(sc.Text()) {
			if strings.TrimSpace(line) == "exit" || strings.TrimSpace(line) == "quit" {
				return nil
			}
			if err := a.exec(ctx, line); err != nil {
				fmt.Fprintf(stderr, "error: %v\n", err)
			}
		}
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
