package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

type admin struct {
	client *apiClient
	out    io.Writer
}

// exec runs one command line.
func (a *admin) exec(ctx context.Context, line string) error {
	words, err := tokenize(line)
	if err != nil {
		return &usageError{err.Error()}
	}
	if len(words) == 0 {
		return nil
	}
	if len(words) < 2 && words[0] != "help" {
		return &usageError{fmt.Sprintf("%s: missing subcommand", words[0])}
	}
	switch words[0] {
	case "registry":
		return a.registry(ctx, words[1], words[2:])
	case "adapter":
		return a.adapter(ctx, words[1], words[2:])
	case "object":
		return a.object(ctx, words[1], words[2:])
	case "application":
		return a.application(ctx, words[1], words[2:])
	case "server":
		return a.server(ctx, words[1], words[2:])
	case "node":
		return a.node(ctx, words[1], words[2:])
	case "help":
		fmt.Fprintln(a.out, adminHelp)
		return nil
	}
	return &usageError{fmt.Sprintf("unknown command %q (try help)", words[0])}
}

const adminHelp = `commands:
  application add FILE | application update [-n|--no-restart] FILE | application remove NAME
  application list | application describe NAME | application diff [-s|--servers] FILE
  server list | server state ID | server pid ID | server start ID | server stop ID | server describe ID
  server enable ID | server disable ID
  server show [-f] [-t N | -h N] ID stdout|stderr
  node list | node describe NAME | node load NAME | node shutdown NAME
  registry list | registry describe NAME
  adapter list | adapter endpoints ID | adapter remove ID
  object add PROXY [TYPE] | object remove IDENTITY | object find TYPE
  object list [PREFIX] | object describe [PREFIX]`

func needArgs(cmd string, args []string, least, most int) error {
	if len(args) < least || len(args) > most {
		return &usageError{fmt.Sprintf("%s: wrong number of arguments", cmd)}
	}
	return nil
}

func (a *admin) registry(ctx context.Context, sub string, args []string) error {
	var regs []map[string]any
	if err := a.client.get(ctx, "/api/v1/registries", &regs); err != nil {
		return err
	}
	switch sub {
	case "list":
		for _, r := range regs {
			fmt.Fprintln(a.out, r["name"])
		}
		return nil
	case "describe":
		if err := needArgs("registry describe", args, 1, 1); err != nil {
			return err
		}
		for _, r := range regs {
			if r["name"] == args[0] {
				for _, k := range []string{"name", "role", "epoch", "locator", "http", "zookeeper"} {
					if v, ok := r[k]; ok {
						fmt.Fprintf(a.out, "%s = %v\n", k, v)
					}
				}
				return nil
			}
		}
		return fmt.Errorf("registry %q does not exist", args[0])
	}
	return &usageError{fmt.Sprintf("registry %s: unknown subcommand", sub)}
}

type adapterInfo struct {
	ID           string   `json:"id"`
	ReplicaGroup string   `json:"replicaGroupId"`
	Endpoints    []string `json:"endpoints"`
	Members      []string `json:"members"`
}

func (a *admin) adapter(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "list":
		var list []adapterInfo
		if err := a.client.get(ctx, "/api/v1/adapters", &list); err != nil {
			return err
		}
		for _, ad := range list {
			fmt.Fprintln(a.out, ad.ID)
		}
		return nil
	case "endpoints":
		if err := needArgs("adapter endpoints", args, 1, 1); err != nil {
			return err
		}
		var ad adapterInfo
		if err := a.client.get(ctx, "/api/v1/adapters/"+url.PathEscape(args[0]), &ad); err != nil {
			return err
		}
		fmt.Fprintln(a.out, strings.Join(ad.Endpoints, ":"))
		return nil
	case "remove":
		if err := needArgs("adapter remove", args, 1, 1); err != nil {
			return err
		}
		return a.client.do(ctx, "DELETE", "/api/v1/adapters/"+url.PathEscape(args[0]), nil, nil)
	}
	return &usageError{fmt.Sprintf("adapter %s: unknown subcommand", sub)}
}

type objectInfo struct {
	Identity string `json:"identity"`
	Type     string `json:"type"`
	Proxy    string `json:"proxy"`
}

func (a *admin) object(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "add":
		if err := needArgs("object add", args, 1, 2); err != nil {
			return err
		}
		o := objectInfo{Proxy: args[0]}
		if len(args) == 2 {
			o.Type = args[1]
		}
		return a.client.do(ctx, "POST", "/api/v1/objects", o, nil)
	case "remove":
		if err := needArgs("object remove", args, 1, 1); err != nil {
			return err
		}
		return a.client.do(ctx, "DELETE", "/api/v1/objects/"+url.PathEscape(args[0]), nil, nil)
	case "find", "list", "describe":
		return a.listObjects(ctx, sub, args)
	}
	return &usageError{fmt.Sprintf("object %s: unknown subcommand", sub)}
}

func (a *admin) listObjects(ctx context.Context, sub string, args []string) error {
	if err := needArgs("object "+sub, args, 0, 1); err != nil {
		return err
	}
	if sub == "find" && len(args) == 0 {
		return &usageError{"object find: missing type"}
	}
	var list []objectInfo
	if err := a.client.get(ctx, "/api/v1/objects", &list); err != nil {
		return err
	}
	for _, o := range list {
		switch {
		case sub == "find" && o.Type == args[0]:
			fmt.Fprintln(a.out, o.Proxy)
		case sub == "list" && (len(args) == 0 || strings.HasPrefix(o.Identity, args[0])):
			fmt.Fprintln(a.out, o.Identity)
		case sub == "describe" && (len(args) == 0 || strings.HasPrefix(o.Identity, args[0])):
			fmt.Fprintf(a.out, "object `%s'\n{\n  proxy = `%s'\n  type = `%s'\n}\n", o.Identity, o.Proxy, o.Type)
		}
	}
	return nil
}

type serverInfo struct {
	ID         string `json:"id"`
	Node       string `json:"node"`
	State      string `json:"state"`
	PID        int    `json:"pid"`
	Activation string `json:"activation"`
	Exe        string `json:"exe"`
	Enabled    bool   `json:"enabled"`
}

func (a *admin) server(ctx context.Context, sub string, args []string) error {
	if sub == "show" {
		return a.serverShow(ctx, args)
	}
	if sub == "list" {
		var list []serverInfo
		if err := a.client.get(ctx, "/api/v1/servers", &list); err != nil {
			return err
		}
		for _, s := range list {
			fmt.Fprintln(a.out, s.ID)
		}
		return nil
	}
	if err := needArgs("server "+sub, args, 1, 1); err != nil {
		return err
	}
	path := "/api/v1/servers/" + url.PathEscape(args[0])
	var s serverInfo
	var err error
	switch sub {
	case "state", "pid", "describe":
		err = a.client.get(ctx, path, &s)
	case "start", "stop", "enable", "disable":
		return a.client.do(ctx, "POST", path+"/"+sub, nil, nil)
	default:
		return &usageError{fmt.Sprintf("server %s: unknown subcommand", sub)}
	}
	if err != nil {
		return err
	}
	switch sub {
	case "state":
		fmt.Fprintln(a.out, stateLine(s))
	case "pid":
		if s.PID == 0 {
			return fmt.Errorf("server %q is not running", s.ID)
		}
		fmt.Fprintln(a.out, s.PID)
	default:
		fmt.Fprintf(a.out, "server `%s'\n{\n  node = `%s'\n  exe = `%s'\n  activation = `%s'\n  state = %s\n  enabled = %v\n}\n",
			s.ID, s.Node, s.Exe, s.Activation, s.State, s.Enabled)
	}
	return nil
}

func (a *admin) node(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "describe", "load", "shutdown":
		if err := needArgs("node "+sub, args, 1, 1); err != nil {
			return err
		}
		switch sub {
		case "describe":
			return a.nodeDescribe(ctx, args[0])
		case "shutdown": // IceGrid's Admin::shutdownNode: the node stops its servers and exits
			return a.client.do(ctx, "POST", "/api/v1/nodes/"+url.PathEscape(args[0])+"/shutdown", nil, nil)
		}
		return a.nodeLoad(ctx, args[0])
	case "list":
	default:
		return &usageError{fmt.Sprintf("node %s: unknown subcommand", sub)}
	}
	var list []struct{ Name string }
	if err := a.client.get(ctx, "/api/v1/nodes", &list); err != nil {
		return err
	}
	for _, n := range list {
		fmt.Fprintln(a.out, n.Name)
	}
	return nil
}
