package ha_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gozk "github.com/go-zookeeper/zk"

	"floe/internal/floetest"
	"floe/internal/zktest"
)

// cluster is a set of replicas sharing one ZooKeeper root, the operator's own ZooKeeper client
// ("zkCli") and the ledger of every write made through them.
type cluster struct {
	ens    *zktest.Ensemble
	root   string
	zk     *gozk.Conn
	ledger ledger
}

var rootSeq atomic.Int64

// newCluster starts a three-server ensemble and connects the operator's client to it. Every
// cluster has its own root, so its /Epoch starts at 0.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	ens := zktest.Start(t, 3)
	c := &cluster{ens: ens, root: fmt.Sprintf("/ha%d_%d", time.Now().UnixNano()%1e6, rootSeq.Add(1))}
	conn, _, err := gozk.Connect(ens.Addrs(), 10*time.Second, gozk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		if t.Failed() {
			t.Logf("ZooKeeper logs:\n%s", ens.Logs())
		}
	})
	c.zk = conn
	return c
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// replica creates (not starts) a replica of the cluster that reaches ZooKeeper at zkHosts, or
// at the ensemble's servers when zkHosts is empty.
func (c *cluster) replica(t *testing.T, name, zkHosts string) *replica {
	t.Helper()
	if zkHosts == "" {
		zkHosts = c.ens.Servers()
	}
	return newReplica(t, name, c.root, zkHosts)
}

// startReplicas creates and starts one replica per name, the first alone until it is master,
// so that it is the master of epoch 1.
func (c *cluster) startReplicas(t *testing.T, names ...string) []*replica {
	t.Helper()
	var rs []*replica
	for i, n := range names {
		r := c.replica(t, n, "")
		r.start(t)
		if i == 0 {
			floetest.WaitUntil(t, 30*time.Second, n+" master", func() bool { return r.role() == "master" })
		}
		rs = append(rs, r)
	}
	for _, r := range rs {
		floetest.WaitUntil(t, 15*time.Second, r.name+" registered", func() bool {
			m, err := r.registries()
			return err == nil && len(m) == len(rs)
		})
	}
	return rs
}

// waitMaster waits until exactly one of rs says it is master and returns it with its epoch.
func waitMaster(t *testing.T, d time.Duration, rs ...*replica) (*replica, int64) {
	t.Helper()
	var master *replica
	var epoch int64
	floetest.WaitUntil(t, d, "a single master", func() bool {
		master = nil
		for _, r := range rs {
			if i, err := r.info(); err == nil && i.Role == "master" {
				if master != nil {
					return false
				}
				master, epoch = r, i.Epoch
			}
		}
		return master != nil
	})
	return master, epoch
}

// zkCall runs an operator call, retrying it after connection losses, bounded in time:
// go-zookeeper queues requests while it has no connection. The tests only call it while the
// ensemble serves.
func zkCall(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		done := make(chan error, 1)
		go func() { done <- f() }()
		select {
		case err := <-done:
			switch {
			case err == nil:
				return
			case errors.Is(err, gozk.ErrConnectionClosed), errors.Is(err, gozk.ErrNoServer), errors.Is(err, gozk.ErrSessionExpired):
				t.Logf("zkCli %s: %v; retrying", what, err)
				time.Sleep(100 * time.Millisecond)
			default:
				t.Fatalf("zkCli %s: %v", what, err)
			}
		case <-deadline:
			t.Fatalf("zkCli %s: no answer within 15s", what)
		}
	}
}

func (c *cluster) appPath(name string) string { return c.root + "/Configuration/Applications/" + name }

// zkApp reads an application's znode as the operator does (after a sync): its text, or ""
// when it does not exist, and its version.
func (c *cluster) zkApp(t *testing.T, name string) (string, int32) {
	t.Helper()
	var data []byte
	var version int32 = -1
	zkCall(t, "get "+c.appPath(name), func() error {
		if _, err := c.zk.Sync(c.appPath(name)); err != nil && !errors.Is(err, gozk.ErrNoNode) {
			return err
		}
		d, st, err := c.zk.Get(c.appPath(name))
		if errors.Is(err, gozk.ErrNoNode) {
			return nil
		}
		data, version = d, st.Version
		return err
	})
	return string(data), version
}

// zkSetApp writes an application's descriptor straight to its znode, as an operator with
// zkCli.sh does.
func (c *cluster) zkSetApp(t *testing.T, name, descriptor string) {
	t.Helper()
	zkCall(t, "set "+c.appPath(name), func() error {
		_, err := c.zk.Set(c.appPath(name), []byte(descriptor), -1)
		return err
	})
}

// zkEpoch reads /Epoch.
func (c *cluster) zkEpoch(t *testing.T) string {
	t.Helper()
	var data []byte
	zkCall(t, "get /Epoch", func() error {
		var err error
		data, _, err = c.zk.Get(c.root + "/Epoch")
		return err
	})
	return string(data)
}

// appXML is a descriptor whose description tells versions apart.
func appXML(name, version string) string {
	return fmt.Sprintf(`<icegrid><application name="%s"><description>%s</description></application></icegrid>`, name, version)
}

// deployApp adds (POST) or updates (PUT) an application through via and records the outcome.
func (c *cluster) deployApp(via *replica, method, name, version string) error {
	body, path := appXML(name, version), "/api/v1/applications"
	if method == http.MethodPut {
		path += "/" + name
	}
	status, b, err := via.do(method, path, body)
	return c.ledger.record("application/"+name, body, status, b, err)
}

// addObject adds a well-known object through via; its type tells writes apart.
func (c *cluster) addObject(via *replica, identity, typ string) error {
	body := fmt.Sprintf(`{"proxy": "%s:tcp -h 127.0.0.1 -p 9", "type": "%s"}`, identity, typ)
	status, b, err := via.do(http.MethodPost, "/api/v1/objects", body)
	return c.ledger.record("object/"+identity, typ, status, b, err)
}

func mustDeploy(t *testing.T, c *cluster, via *replica, method, name, version string) {
	t.Helper()
	if err := c.deployApp(via, method, name, version); err != nil {
		t.Fatalf("%s application %s %s through %s: %v", method, name, version, via.name, err)
	}
}

func mustAddObject(t *testing.T, c *cluster, via *replica, identity, typ string) {
	t.Helper()
	if err := c.addObject(via, identity, typ); err != nil {
		t.Fatalf("add object %s through %s: %v", identity, via.name, err)
	}
}

// current reads what a replica holds for a ledger key ("" when it has nothing).
func current(r *replica, key string) (string, error) {
	kind, id, _ := strings.Cut(key, "/")
	var err error
	switch kind {
	case "application":
		var a struct{ Descriptor string }
		if err = r.getJSON("/api/v1/applications/"+id, &a); err == nil {
			return a.Descriptor, nil
		}
	case "object":
		var o struct{ Type string }
		if err = r.getJSON("/api/v1/objects/"+id, &o); err == nil {
			return o.Type, nil
		}
	case "adapter":
		var a struct{ Endpoints []string }
		if err = r.getJSON("/api/v1/adapters/"+id, &a); err == nil {
			sort.Strings(a.Endpoints)
			return strings.Join(a.Endpoints, ", "), nil
		}
	}
	if isNotFound(err) {
		return "", nil
	}
	return "", err
}

// zkMaster reads /Master: the master's name and epoch, or "" when there is none.
func (c *cluster) zkMaster(t *testing.T) (string, int64) {
	t.Helper()
	var m struct {
		Name  string `json:"name"`
		Epoch int64  `json:"epoch"`
	}
	zkCall(t, "get /Master", func() error {
		data, _, err := c.zk.Get(c.root + "/Master")
		if errors.Is(err, gozk.ErrNoNode) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(data, &m)
	})
	return m.Name, m.Epoch
}
