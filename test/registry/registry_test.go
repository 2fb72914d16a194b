package registry_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"

	"floe/ice"
)

// TestSIGTERM: the registry drains and exits 0 within 5 s (issue: SIGTERM).
func TestSIGTERM(t *testing.T) {
	r := startRegistry(t, "")
	comm := floetest.NewCommunicator(t, "Ice.Default.Locator="+r.locator)
	registerAdapter(t, comm, "A")
	took, code := r.stop(t)
	if code != 0 || took > 5*time.Second {
		t.Errorf("SIGTERM: exit code %d after %v, want 0 within 5s", code, took)
	}
}

// TestRegistrationSurvivesKill9: an acknowledged registration is durable.
func TestRegistrationSurvivesKill9(t *testing.T) {
	r := startRegistry(t, "")
	comm := floetest.NewCommunicator(t, "Ice.Default.Locator="+r.locator)
	a := registerAdapter(t, comm, "Durable")
	want := a.PublishedEndpoints()[0].String()
	r.kill(t)
	r.start(t)
	client := floetest.NewCommunicator(t, "Ice.Default.Locator="+r.locator)
	eps := resolve(t, client, "Durable")
	if len(eps) != 1 || eps[0] != want {
		t.Errorf("after kill -9 and restart: Durable = %v, want [%s]", eps, want)
	}
}

// resolve asks the registry's locator for an adapter's endpoints.
func resolve(t *testing.T, comm *ice.Communicator, id string) []string {
	t.Helper()
	p, err := comm.StringToProxy("x@" + id)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := p.Connection(testContext(t, 10*time.Second))
	if err != nil {
		t.Fatalf("resolve %s: %v", id, err)
	}
	_ = conn
	var out []string
	for _, ep := range p.Endpoints() {
		out = append(out, ep.String())
	}
	if len(out) == 0 {
		// Indirect proxy: report the endpoint actually connected to.
		out = append(out, "tcp -h 127.0.0.1 -p "+strings.Split(conn.RemoteAddr().String(), ":")[1]+" -t 60000")
	}
	return out
}

// TestBadPropertyFile: a malformed config is a one-line error and exit status 1.
func TestBadPropertyFile(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "bad.cfg")
	if err := os.WriteFile(cfg, []byte("IceGrid.InstanceName=X\nthis line has no equals sign\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), floeBin, "registry", "--Ice.Config="+cfg).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("floe registry with a bad config: err %v, output %s", err, out)
	}
	if s := string(out); !strings.HasPrefix(s, "floe registry: ") || !strings.Contains(s, "line 2") {
		t.Errorf("output = %q, want a one-line error naming line 2", s)
	}
}

// TestRejectsBadConfigValues: values that cannot work are errors, not surprises.
func TestRejectsBadConfigValues(t *testing.T) {
	for _, arg := range []string{
		"--IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p 99999",
		"--IceGrid.Registry.DynamicRegistration=maybe",
		"--IceGrid.Registry.SessionTimeout=abc",
	} {
		out, err := exec.CommandContext(t.Context(), floeBin, "registry", arg, "--IceGrid.Registry.LMDB.Path="+t.TempDir()).CombinedOutput()
		if err == nil || !strings.HasPrefix(string(out), "floe registry: ") {
			t.Errorf("floe registry %s: err %v, output %q; want a one-line error", arg, err, out)
		}
	}
}
