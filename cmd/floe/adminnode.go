package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// stateLine is what icegridadmin's "server state" prints (Parser::stateServer).
func stateLine(s serverInfo) string {
	enabled := "enabled"
	if !s.Enabled {
		enabled = "disabled"
	}
	switch s.State {
	case "Active":
		return fmt.Sprintf("active (pid = %d, %s)", s.PID, enabled)
	case "ActivationTimedOut":
		return fmt.Sprintf("activation timed out (pid = %d, %s)", s.PID, enabled)
	default: // inactive, activating, deactivating, destroying, destroyed
		return fmt.Sprintf("%s (%s)", strings.ToLower(s.State), enabled)
	}
}

// showArgs are the arguments of "server show [-f] [-t N | -h N] ID stdout|stderr".
type showArgs struct {
	id, file   string
	head, tail int
	follow     bool
}

// parseShowArgs reads icegridadmin's "server show" arguments (Parser::show). The options may
// come anywhere; "stdout ID" is accepted as well as icegridadmin's "ID stdout".
func parseShowArgs(args []string) (showArgs, error) {
	var s showArgs
	var pos []string
	for i := 0; i < len(args); i++ {
		opt, val, hasVal := strings.Cut(args[i], "=")
		switch opt {
		case "-f", "--follow":
			s.follow = true
			continue
		case "-h", "--head", "-t", "--tail":
		default:
			pos = append(pos, args[i])
			continue
		}
		if !hasVal {
			if i+1 == len(args) {
				return s, &usageError{fmt.Sprintf("server show: %s needs a number of lines", opt)}
			}
			i++
			val = args[i]
		}
		n, err := strconv.Atoi(val)
		if err != nil || n <= 0 {
			return s, &usageError{"server show: invalid argument for -h | --head or -t | --tail option"}
		}
		if strings.HasPrefix(opt, "--h") || opt == "-h" {
			s.head = n
		} else {
			s.tail = n
		}
	}
	switch {
	case s.head > 0 && s.tail > 0:
		return s, &usageError{"server show: can't specify both -h | --head and -t | --tail options"}
	case s.head > 0 && s.follow:
		return s, &usageError{"server show: can't use -f | --follow option with -h | --head option"}
	case len(pos) != 2:
		return s, &usageError{"server show: requires two arguments: ID stdout|stderr"}
	}
	s.id, s.file = pos[0], pos[1]
	if isOutputName(s.id) && !isOutputName(s.file) {
		s.id, s.file = s.file, s.id
	}
	if !isOutputName(s.file) {
		return s, fmt.Errorf("server show: %q: only stdout and stderr are available (not the Ice log or log files)", s.file)
	}
	return s, nil
}

func isOutputName(s string) bool { return s == "stdout" || s == "stderr" }

// outputFile is GET /api/v1/servers/{id}/stdout|stderr.
type outputFile struct {
	Text string `json:"text"`
	End  int64  `json:"end"`
}

// followEvery is how often "server show -f" asks for new output.
const followEvery = time.Second

// serverShow prints a server's stdout or stderr as icegridadmin's "server show" does: a
// "server `ID' stdout: " line, then the lines; with -f it then prints what is appended until
// interrupted.
func (a *admin) serverShow(ctx context.Context, args []string) error {
	s, err := parseShowArgs(args)
	if err != nil {
		return err
	}
	path := "/api/v1/servers/" + url.PathEscape(s.id) + "/" + s.file
	q := ""
	switch {
	case s.head > 0:
		q = "?head=" + strconv.Itoa(s.head)
	case s.tail > 0:
		q = "?tail=" + strconv.Itoa(s.tail)
	}
	var out outputFile
	if err := a.client.get(ctx, path+q, &out); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "server `%s' %s: \n%s", s.id, s.file, out.Text)
	last := out.Text
	for s.follow && ctx.Err() == nil {
		select {
		case <-ctx.Done():
			continue
		case <-time.After(followEvery):
		}
		var more outputFile
		if err := a.client.get(ctx, path+"?from="+strconv.FormatInt(out.End, 10), &more); err != nil {
			if ctx.Err() != nil {
				break
			}
			return err
		}
		fmt.Fprint(a.out, more.Text)
		if more.Text != "" {
			last = more.Text
		}
		out.End = max(out.End, more.End)
	}
	if last != "" && !strings.HasSuffix(last, "\n") {
		fmt.Fprintln(a.out)
	}
	return nil
}

// nodeInfo is GET /api/v1/nodes/{name}.
type nodeInfo struct {
	Name, OS, Hostname, Release, Version, Machine string
	NProcessors                                   int
	DataDir                                       string
}

// loadInfo is GET /api/v1/nodes/{name}/load.
type loadInfo struct{ Avg1, Avg5, Avg15 float32 }

// cFloat formats a float as C++'s ostream does by default (%g, 6 significant digits), as
// icegridadmin prints loads.
func cFloat(f float32) string { return strconv.FormatFloat(float64(f), 'g', 6, 32) }

// nodeDescribe and nodeLoad print what icegridadmin's "node describe" and "node load" print
// (Parser::describeNode, Parser::printLoadNode).
func (a *admin) nodeDescribe(ctx context.Context, name string) error {
	var n nodeInfo
	if err := a.client.get(ctx, "/api/v1/nodes/"+url.PathEscape(name), &n); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "node `%s'\n{\n", name)
	for _, f := range []struct{ k, v string }{{"operating system", n.OS}, {"host name", n.Hostname}, {"release", n.Release},
		{"version", n.Version}, {"machine type", n.Machine}, {"number of threads", strconv.Itoa(n.NProcessors)}} {
		fmt.Fprintf(a.out, "    %s = `%s'\n", f.k, f.v)
	}
	fmt.Fprintln(a.out, "}")
	return nil
}

func (a *admin) nodeLoad(ctx context.Context, name string) error {
	var l loadInfo
	if err := a.client.get(ctx, "/api/v1/nodes/"+url.PathEscape(name)+"/load", &l); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "load average (1/5/15): %s / %s / %s\n", cFloat(l.Avg1), cFloat(l.Avg5), cFloat(l.Avg15))
	return nil
}
