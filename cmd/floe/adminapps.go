package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"floe/internal/descriptor"
	"floe/internal/registry"
)

// appOptions are icegridadmin's options of each application subcommand: short name → long.
var appOptions = map[string]map[string]string{
	"add":    {"n": "no-patch"}, // accepted: Floe does not patch
	"update": {"n": "no-restart"},
	"diff":   {"s": "servers"},
}

func (a *admin) application(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "list":
		var list []struct{ Name string }
		if err := a.client.get(ctx, "/api/v1/applications", &list); err != nil {
			return err
		}
		for _, app := range list {
			fmt.Fprintln(a.out, app.Name)
		}
		return nil
	case "describe":
		if err := needArgs("application describe", args, 1, 1); err != nil {
			return err
		}
		var app struct {
			Name       string
			Revision   int
			Descriptor string
		}
		if err := a.client.get(ctx, "/api/v1/applications/"+url.PathEscape(args[0]), &app); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "application `%s' (revision %d)\n%s\n", app.Name, app.Revision, app.Descriptor)
		return nil
	case "remove":
		if err := needArgs("application remove", args, 1, 1); err != nil {
			return err
		}
		return a.client.do(ctx, "DELETE", "/api/v1/applications/"+url.PathEscape(args[0]), nil, nil)
	case "add", "update", "diff":
		return a.applicationFile(ctx, sub, args)
	}
	return &usageError{fmt.Sprintf("application %s: unknown subcommand", sub)}
}

// applicationFile runs the subcommands that read a descriptor file.
func (a *admin) applicationFile(ctx context.Context, sub string, args []string) error {
	opts, files, err := parseOptions("application "+sub, args, appOptions[sub])
	if err != nil {
		return err
	}
	if err := needArgs("application "+sub, files, 1, 1); err != nil {
		return err
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	path := "/api/v1/applications/" + url.PathEscape(appName(data))
	switch {
	case sub == "add":
		return a.client.send(ctx, "POST", "/api/v1/applications", data)
	case sub == "update" && opts["no-restart"]:
		return a.client.send(ctx, "PUT", path+"?restart=false", data)
	case sub == "update":
		return a.client.send(ctx, "PUT", path, data)
	}
	var app struct{ Descriptor string }
	if err := a.client.get(ctx, path, &app); err != nil {
		return err
	}
	if opts["servers"] {
		return serverDiff(a.out, []byte(app.Descriptor), data)
	}
	for _, l := range lineDiff(strings.Split(app.Descriptor, "\n"), strings.Split(string(data), "\n")) {
		fmt.Fprintln(a.out, l)
	}
	return nil
}

// parseOptions separates the options in args (-x or --long, from known: short → long) from the
// other arguments; it returns the options given by long name.
func parseOptions(cmd string, args []string, known map[string]string) (map[string]bool, []string, error) {
	opts := map[string]bool{}
	var rest []string
	for _, w := range args {
		name, isOpt := strings.CutPrefix(w, "-")
		if !isOpt || name == "" {
			rest = append(rest, w)
			continue
		}
		if long, ok := strings.CutPrefix(name, "-"); ok {
			name = long
		} else if known[name] != "" {
			name = known[name]
		}
		found := false
		for _, l := range known {
			found = found || l == name
		}
		if !found {
			return nil, nil, &usageError{fmt.Sprintf("%s: unknown option %q", cmd, w)}
		}
		opts[name] = true
	}
	return opts, rest, nil
}

// appName returns the application name in a descriptor ("" if it has none: the registry then
// reports the error).
func appName(data []byte) string {
	name, _ := registry.ApplicationName(data)
	return name
}

// serverDiff prints how the servers of the application in file differ from the deployed ones,
// as icegridadmin's `application diff -s` does (Parser.cpp diffApplication).
func serverDiff(out io.Writer, deployed, file []byte) error {
	old, err := instantiate("deployed", deployed)
	if err != nil {
		return err
	}
	x, err := instantiate("file", file)
	if err != nil {
		return err
	}
	var lines []string
	for _, c := range descriptor.Changes(old, x) {
		lines = append(lines, fmt.Sprintf("server `%s': %s", c.ID, c.Change))
	}
	slices.Sort(lines) // icegridadmin sorts the lines, not the ids
	fmt.Fprintf(out, "application `%s'\n{\n", old.Application)
	for _, l := range lines {
		fmt.Fprintln(out, "    "+l)
	}
	fmt.Fprintln(out, "}")
	return nil
}

func instantiate(name string, data []byte) (*descriptor.Expanded, error) {
	doc, err := descriptor.ParseDocument(name+".xml", data)
	if err != nil {
		return nil, err
	}
	return descriptor.Instantiate(doc.App, descriptor.WithSource(doc.Source))
}

// lineDiff returns the lines of a and b that are not in their longest common subsequence,
// prefixed with "-" (only in a) or "+" (only in b), in order.
func lineDiff(a, b []string) []string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, "+ "+b[j])
			j++
		default:
			out = append(out, "- "+a[i])
			i++
		}
	}
	return out
}
