package ha_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

const python = floetest.Python

// clientReport is the last line of testdata/failover_client.py.
type clientReport struct {
	OK          int      `json:"ok"`
	OKAfterMark int      `json:"ok_after_mark"`
	Failed      int      `json:"failed"`
	Errors      []string `json:"errors"`
}

// TestFailoverWithPythonClient has a real Python Ice 3.7 client resolve an adapter through a
// locator proxy with the three replicas' endpoints, the master's first, and call it in a loop
// with no locator cache, while the master is killed with -9: not one call may fail.
func TestFailoverWithPythonClient(t *testing.T) {
	floetest.RequirePython(t)
	c := newCluster(t)
	rs := c.startReplicas(t, "r1", "r2", "r3")
	master := rs[0]
	c.registerAdapter(t, rs[1], "PyAdapter")
	locator := fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d:tcp -h 127.0.0.1 -p %d:tcp -h 127.0.0.1 -p %d",
		master.client, rs[1].client, rs[2].client)
	script, err := filepath.Abs(filepath.Join("testdata", "failover_client.py"))
	if err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "killed")
	out, errOut := &floetest.Buffer{}, &floetest.Buffer{}
	cmd := exec.CommandContext(t.Context(), python, script, "--proxy", "hello@PyAdapter", "--seconds", "8", "--mark", mark,
		"--Ice.Default.Locator="+locator, "--Ice.Default.LocatorCacheTimeout=0")
	cmd.Stdout, cmd.Stderr = out, errOut
	p := startProcess(t, "Python client", cmd)
	floetest.WaitUntil(t, 30*time.Second, "the Python client's first call", func() bool {
		return strings.Contains(out.Tail(5), "READY") || p.Exited()
	})
	if p.Exited() {
		t.Fatalf("the Python client exited before its first call:\n%s\n%s", out.Tail(20), errOut.Tail(20))
	}

	time.Sleep(time.Second)
	killed := time.Now()
	master.kill9(t)
	if err := os.WriteFile(mark, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	next, epoch := waitMaster(t, failoverBound, rs[1], rs[2])
	t.Logf("failover: %s is master with epoch %d %v after kill -9", next.name, epoch, time.Since(killed).Round(time.Millisecond))

	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("the Python client did not finish within 30s:\n%s", errOut.Tail(20))
	}
	lines := strings.Split(strings.TrimSpace(out.Tail(1)), "\n")
	var rep clientReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("Python client report %q: %v\nstderr:\n%s", out.Tail(5), err, errOut.Tail(20))
	}
	t.Logf("Python client: %d calls succeeded (%d after the kill), %d failed %v", rep.OK, rep.OKAfterMark, rep.Failed, rep.Errors)
	if rep.Failed != 0 || rep.OK == 0 || rep.OKAfterMark == 0 {
		t.Errorf("Python client through a 3-endpoint locator while the master is killed: %d ok, %d ok after the kill, %d failed %v; want 0 failed and calls after the kill",
			rep.OK, rep.OKAfterMark, rep.Failed, rep.Errors)
	}
}
