package ha_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"floe/internal/floetest"
)

// killWait bounds the wait for a child to be reaped after SIGKILL.
const killWait = 10 * time.Second

// startProcess starts cmd with sysProcAttr (the kernel kills it if the test binary dies); cleanup
// kills it (SIGKILL, by PID) if it still runs.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) *floetest.Proc {
	t.Helper()
	cmd.SysProcAttr = sysProcAttr()
	p := floetest.StartProc(t, name, cmd)
	p.StopSignal, p.StopWait = os.Kill, killWait
	return p
}

// replica is one `floe registry` in ZooKeeper mode. Its ports and data directory are kept
// across restarts.
type replica struct {
	name                   string
	client, server, http   int
	dataDir, root, zkHosts string
	log                    *floetest.Buffer
	proc                   *floetest.Proc // current incarnation; used by the test goroutine only
}

// newReplica picks ports and a data directory; the replica is killed at cleanup and its log
// printed if the test failed.
func newReplica(t *testing.T, name, root, zkHosts string) *replica {
	t.Helper()
	r := &replica{name: name, client: freePort(t), server: freePort(t), http: freePort(t),
		dataDir: t.TempDir(), root: root, zkHosts: zkHosts, log: &floetest.Buffer{}}
	t.Cleanup(func() { // runs after the cleanups of the replica's incarnations, which kill them
		if t.Failed() || os.Getenv("HA_LOGS") != "" {
			t.Logf("--- replica %s log tail ---\n%s", r.name, r.log.Tail(80))
		}
	})
	return r
}

// locator is the replica's Ice locator proxy.
func (r *replica) locator() string {
	return fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d", r.client)
}

// start launches the replica and waits until /healthz answers, which Floe does once it holds
// its state: synced from ZooKeeper, or after 2 session timeouts from its local cache.
func (r *replica) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(floeBin, "registry", //nolint:noctx // runs until the test kills it (kill9, cleanup), in the order the test chooses
		"--IceGrid.Registry.ReplicaName="+r.name,
		fmt.Sprintf("--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", r.client),
		fmt.Sprintf("--IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p %d", r.server),
		"--IceGrid.Registry.LMDB.Path="+r.dataDir,
		"--IceGrid.Registry.DynamicRegistration=1",
		fmt.Sprintf("--Floe.HTTP.Endpoint=127.0.0.1:%d", r.http),
		"--Floe.ZooKeeper.Hosts="+r.zkHosts,
		"--Floe.ZooKeeper.Root="+r.root,
		fmt.Sprintf("--Floe.ZooKeeper.SessionTimeout=%d", sessionTimeout.Milliseconds()))
	if os.Getenv("HA_LOGS") == "debug" {
		cmd.Args = append(cmd.Args, "--Floe.Log.Debug=1")
	}
	cmd.Stdout, cmd.Stderr = r.log, r.log
	fmt.Fprintf(r.log, "=== test: %s starting %s\n", time.Now().Format("15:04:05.000"), r.name)
	p := startProcess(t, "replica "+r.name, cmd)
	r.proc = p
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _, err := r.do("GET", "/healthz", ""); err == nil && status == http.StatusOK {
			return
		}
		if p.Exited() {
			t.Fatalf("replica %s exited at start: %v\n%s", r.name, cmd.ProcessState, r.log.Tail(40))
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s not healthy within 30s\n%s", r.name, r.log.Tail(40))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill9 kills the replica with SIGKILL and waits for it to be reaped.
func (r *replica) kill9(t *testing.T) {
	t.Helper()
	fmt.Fprintf(r.log, "=== test: %s kill -9 %s\n", time.Now().Format("15:04:05.000"), r.name)
	r.proc.Stop(t, os.Kill, killWait)
}

// signal sends SIGSTOP or SIGCONT to the replica.
func (r *replica) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	fmt.Fprintf(r.log, "=== test: %s %v %s\n", time.Now().Format("15:04:05.000"), sig, r.name)
	if err := r.proc.Cmd.Process.Signal(sig); err != nil {
		t.Fatalf("%v to replica %s: %v", sig, r.name, err)
	}
}

// httpClient never reuses connections: a connection to a killed or frozen replica must not
// be picked for the next request.
var httpClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// do sends one request to the replica's HTTP API. body is XML for applications, JSON otherwise.
func (r *replica) do(method, path, body string) (int, []byte, error) {
	url := fmt.Sprintf("http://127.0.0.1:%d%s", r.http, path)
	req, err := http.NewRequest(method, url, strings.NewReader(body)) //nolint:noctx // its callers (the writer goroutine, polls) have no context; httpClient.Timeout bounds it
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if strings.HasPrefix(body, "<") {
			req.Header.Set("Content-Type", "application/xml")
		}
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// getJSON GETs path and decodes a 200 answer into v.
func (r *replica) getJSON(path string, v any) error {
	status, b, err := r.do("GET", path, "")
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return &statusError{status: status, body: strings.TrimSpace(string(b))}
	}
	return json.Unmarshal(b, v)
}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

func isNotFound(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == http.StatusNotFound
}

// regInfo is GET /api/v1/registry, and one entry of /api/v1/registries.
type regInfo struct {
	Name      string            `json:"name"`
	Role      string            `json:"role"`
	Epoch     int64             `json:"epoch"`
	ZooKeeper string            `json:"zookeeper"`
	Invalid   map[string]string `json:"invalid"`
}

func (r *replica) info() (regInfo, error) {
	var i regInfo
	return i, r.getJSON("/api/v1/registry", &i)
}

// role is the replica's role, or "" when it does not answer.
func (r *replica) role() string {
	i, err := r.info()
	if err != nil {
		return ""
	}
	return i.Role
}

// registries lists the live replicas this replica sees, name → role.
func (r *replica) registries() (map[string]string, error) {
	var list []regInfo
	if err := r.getJSON("/api/v1/registries", &list); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, i := range list {
		out[i.Name] = i.Role
	}
	return out, nil
}
