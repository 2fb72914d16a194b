package ha

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"floe/ice"
	"floe/ice/encoding"
	"floe/ice/properties"
)

// replica is one `floe registry` in ZooKeeper mode.
type replica struct {
	*proc
	name                 string
	client, server, http int
}

func (r *replica) baseURL() string { return fmt.Sprintf("http://127.0.0.1:%d", r.http) }

// cluster is three Floe replicas sharing one ZooKeeper root.
type cluster struct {
	root    string
	timeout time.Duration
	reps    []*replica
	hc      *http.Client
	comm    *ice.Communicator
	locs    []*ice.Proxy // each replica's IceGrid/Locator
	lregs   []*ice.Proxy // each replica's IceGrid/LocatorRegistry
}

// info is GET /api/v1/registry.
type info struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	Epoch     int64  `json:"epoch"`
	ZooKeeper string `json:"zookeeper"`
}

// newCluster prepares (but does not start) three replicas r1..r3 under dir; debug turns on
// Floe.Log.Debug.
func newCluster(bin, zkHosts, root string, timeout time.Duration, dir string, debug bool) (*cluster, error) {
	comm, err := ice.New(properties.New(), nil)
	if err != nil {
		return nil, err
	}
	c := &cluster{root: root, timeout: timeout, comm: comm,
		hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}}}
	for i := range 3 {
		base, err := freePorts(3)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("r%d", i+1)
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(d, "db"), 0o755); err != nil {
			return nil, err
		}
		r := &replica{name: name, client: base, server: base + 1, http: base + 2}
		r.proc = &proc{name: "floe " + name, logPath: filepath.Join(d, "log"), argv: []string{bin, "registry",
			"--IceGrid.Registry.ReplicaName=" + name,
			fmt.Sprintf("--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", r.client),
			fmt.Sprintf("--IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p %d", r.server),
			"--IceGrid.Registry.LMDB.Path=" + filepath.Join(d, "db"),
			"--IceGrid.Registry.DynamicRegistration=1",
			fmt.Sprintf("--Floe.HTTP.Endpoint=127.0.0.1:%d", r.http),
			"--Floe.ZooKeeper.Hosts=" + zkHosts,
			"--Floe.ZooKeeper.Root=" + root,
			fmt.Sprintf("--Floe.ZooKeeper.SessionTimeout=%d", timeout.Milliseconds()),
		}}
		if debug {
			// go-zookeeper's connection messages (connected, authenticated) with timestamps
			r.argv = append(r.argv, "--Floe.Log.Debug=1")
		}
		loc, err := comm.StringToProxy(fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d", r.client))
		if err != nil {
			return nil, err
		}
		lreg, err := comm.StringToProxy(fmt.Sprintf("IceGrid/LocatorRegistry:tcp -h 127.0.0.1 -p %d", r.server))
		if err != nil {
			return nil, err
		}
		c.reps, c.locs, c.lregs = append(c.reps, r), append(c.locs, loc), append(c.lregs, lreg)
	}
	return c, nil
}

func (c *cluster) start() error {
	for _, r := range c.reps {
		if err := r.start(); err != nil {
			return err
		}
	}
	return nil
}

// stop stops every replica (SIGTERM, bounded) and the Ice communicator.
func (c *cluster) stop() {
	c.stopReplicas()
	c.comm.Destroy()
	c.hc.CloseIdleConnections()
}

func (c *cluster) stopReplicas() {
	for _, r := range c.reps {
		_ = r.stop()
	}
}

// ensureReady waits up to 30 s for a ready cluster; if there is none, it restarts every replica
// (a stuck cluster must not cost the phases that follow) and waits up to 60 s more.
func (c *cluster) ensureReady(ctx context.Context, rep *report, phase string) bool {
	_, _, err := c.waitReady(ctx, 30*time.Second)
	if err == nil {
		return true
	}
	rep.note("before %s: %v for 30 s; restarting all three replicas", phase, err)
	c.stopReplicas()
	if err := c.start(); err != nil {
		rep.note("before %s: restart: %v", phase, err)
		return false
	}
	if _, _, err := c.waitReady(ctx, 60*time.Second); err != nil {
		rep.note("before %s: still %v after restarting the replicas", phase, err)
		return false
	}
	return true
}

func (c *cluster) others(i int) []int {
	var out []int
	for j := range c.reps {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

// waitReady waits until every replica is connected to ZooKeeper, exactly one is master, all
// agree on its epoch, and the master lists all three registries, for at most within. It
// returns the master and its epoch.
func (c *cluster) waitReady(ctx context.Context, within time.Duration) (int, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var last string
	for {
		m, epoch, why := c.readyOnce(ctx)
		if why == "" {
			return m, epoch, nil
		}
		last = why
		select {
		case <-ctx.Done():
			return -1, 0, fmt.Errorf("cluster %s not ready: %s", c.root, last)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (c *cluster) readyOnce(ctx context.Context) (master int, epoch int64, why string) {
	master = -1
	for i := range c.reps {
		in, err := c.info(ctx, i)
		switch {
		case err != nil:
			return -1, 0, fmt.Sprintf("%s: %v", c.reps[i].name, err)
		case in.ZooKeeper != "connected":
			return -1, 0, fmt.Sprintf("%s: zookeeper %q", c.reps[i].name, in.ZooKeeper)
		case in.Role == "master" && master >= 0:
			return -1, 0, "two masters"
		case in.Role == "master":
			master = i
		}
		if i > 0 && in.Epoch != epoch {
			return -1, 0, fmt.Sprintf("epochs differ (%d, %d)", epoch, in.Epoch)
		}
		epoch = in.Epoch
	}
	if master < 0 {
		return -1, 0, "no master"
	}
	var regs []info
	if err := c.getJSON(ctx, master, "/api/v1/registries", &regs); err != nil {
		return -1, 0, fmt.Sprintf("registries: %v", err)
	}
	if len(regs) != len(c.reps) {
		return -1, 0, fmt.Sprintf("master lists %d registries", len(regs))
	}
	return master, epoch, ""
}

func (c *cluster) info(ctx context.Context, i int) (info, error) {
	var in info
	err := c.getJSON(ctx, i, "/api/v1/registry", &in)
	return in, err
}

// master returns the replica that says it is master, among those that answer.
func (c *cluster) master(ctx context.Context) (int, info) {
	for i := range c.reps {
		if in, err := c.info(ctx, i); err == nil && in.Role == "master" {
			return i, in
		}
	}
	return -1, info{}
}

func (c *cluster) getJSON(ctx context.Context, i int, path string, v any) error {
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, body, err := c.do(rctx, http.MethodGet, i, path, "", "")
	if err != nil {
		return err
	}
	if st != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, st, body)
	}
	return json.Unmarshal([]byte(body), v)
}

// do sends one request to replica i and returns the status and up to 4 KiB of the body.
func (c *cluster) do(ctx context.Context, method string, i int, path, ctype, body string) (int, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.reps[i].baseURL()+path, rd)
	if err != nil {
		return 0, "", err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, string(b), nil
}

// writeError is a refused or failed write: an HTTP status with its body, or a transport error.
type writeError struct {
	status int
	msg    string
}

func (e *writeError) Error() string {
	if e.status == 0 {
		return e.msg
	}
	return fmt.Sprintf("%d %s", e.status, strings.TrimSpace(e.msg))
}

func wrote(st int, body string, err error) error {
	switch {
	case err != nil:
		return &writeError{msg: err.Error()}
	case st/100 != 2:
		return &writeError{status: st, msg: body}
	}
	return nil
}

// postApp adds an empty application through replica i (a slave forwards it to the master).
func (c *cluster) postApp(ctx context.Context, i int, name string) error {
	return wrote(c.do(ctx, http.MethodPost, i, "/api/v1/applications", "application/xml",
		`<icegrid><application name="`+name+`"/></icegrid>`))
}

// hasApp reports whether replica i serves the application (GET /api/v1/applications/{name}).
func (c *cluster) hasApp(ctx context.Context, i int, name string) (bool, error) {
	st, body, err := c.do(ctx, http.MethodGet, i, "/api/v1/applications/"+name, "", "")
	switch {
	case err != nil:
		return false, err
	case st == http.StatusOK:
		return true, nil
	case st == http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("GET application: %d %s", st, body)
}

// postObject adds a well-known object through replica i (any replica writes it).
func (c *cluster) postObject(ctx context.Context, i int, name string) error {
	body := fmt.Sprintf(`{"proxy":"%s:tcp -h 127.0.0.1 -p 10001","type":"::Bench::HA"}`, name)
	return wrote(c.do(ctx, http.MethodPost, i, "/api/v1/objects", "application/json", body))
}

// findObject asks replica i's Locator for a well-known object (Ice findObjectById).
func (c *cluster) findObject(ctx context.Context, i int, name string) (bool, error) {
	err := c.locs[i].Invoke(ctx, &ice.Request{Operation: "findObjectById", Mode: ice.Nonmutating,
		Params:     func(e *encoding.Encoder) { e.WriteIdentity(ice.Identity{Name: name}) },
		Result:     func(d *encoding.Decoder) { _ = c.comm.ReadProxy(d) },
		Exceptions: ice.LocatorExceptions})
	if _, ok := errors.AsType[*ice.ObjectNotFoundException](err); ok {
		return false, nil
	}
	return err == nil, err
}

// findAdapter asks replica i's Locator for an adapter (Ice findAdapterById).
func (c *cluster) findAdapter(ctx context.Context, i int, id string) (bool, error) {
	err := c.locs[i].Invoke(ctx, &ice.Request{Operation: "findAdapterById", Mode: ice.Nonmutating,
		Params:     func(e *encoding.Encoder) { e.WriteString(id) },
		Result:     func(d *encoding.Decoder) { _ = c.comm.ReadProxy(d) },
		Exceptions: ice.LocatorExceptions})
	if _, ok := errors.AsType[*ice.AdapterNotFoundException](err); ok {
		return false, nil
	}
	return err == nil, err
}

// setAdapter registers an adapter through replica i's LocatorRegistry (setAdapterDirectProxy),
// as a server with IceGrid.Registry.DynamicRegistration does.
func (c *cluster) setAdapter(ctx context.Context, i int, id string) error {
	p, err := c.comm.StringToProxy("dummy:tcp -h 127.0.0.1 -p 10002")
	if err != nil {
		return err
	}
	return c.lregs[i].Invoke(ctx, &ice.Request{Operation: "setAdapterDirectProxy", Mode: ice.Idempotent,
		Params:     func(e *encoding.Encoder) { e.WriteString(id); ice.WriteProxy(e, p) },
		Exceptions: ice.LocatorExceptions})
}

// logTimes returns the times of the lines of replica i's log that contain substr, in order.
func (c *cluster) logTimes(i int, substr string) []time.Time {
	f, err := os.Open(c.reps[i].logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, substr) {
			continue
		}
		if ts, ok := strings.CutPrefix(line, "time="); ok {
			ts, _, _ = strings.Cut(ts, " ")
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// firstLogAfter is the first time after t0 (less 5 ms: the log clock has 1 ms steps) that
// replica i logged a line containing substr.
func (c *cluster) firstLogAfter(i int, substr string, t0 time.Time) (time.Time, bool) {
	for _, t := range c.logTimes(i, substr) {
		if t.After(t0.Add(-5 * time.Millisecond)) {
			return t, true
		}
	}
	return time.Time{}, false
}
