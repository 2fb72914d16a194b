package deploy_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/floetest"
)

// sessionClient copies the sessionActivation client and application into the grid's directory
// and runs the client with input; it returns the client's output and exit error.
func (g *grid) sessionClient(t *testing.T, input string) (string, error) {
	t.Helper()
	for _, f := range []string{"session_client.py", "session-application.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(g.dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, floetest.Python, "session_client.py", "--Ice.Default.Locator="+g.locator)
	cmd.Dir = g.dir
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// adminErr runs floe admin and returns its error, with the output.
func (g *grid) adminErr(t *testing.T, cmd string) (string, error) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), floeBin, "admin", "--registry", "http://"+g.http, "-e", cmd).CombinedOutput()
	return string(out), err
}

// TestSessionActivationDemo runs ice-demos' IceGrid/sessionActivation scenario (its client in
// Python, its application with the Python demo's server): the server, with activation
// "session", does not start until the client's session allocates its object, then starts on
// the client's first call with ${session.id} set to the client's user id, and is stopped when
// the client destroys its session.
func TestSessionActivationDemo(t *testing.T) {
	g := startGrid(t)
	if _, err := g.sessionClient(t, ""); err == nil { // copies the files; no user id: exits 1
		t.Fatal("the session client succeeded without a user id")
	}
	g.admin(t, "application add "+filepath.Join(g.dir, "session-application.xml"))
	if got := g.admin(t, "server state SessionServer"); !strings.Contains(got, "inactive") {
		t.Fatalf("SessionServer before any session = %q, want inactive", got)
	}
	if out, err := g.adminErr(t, "server start SessionServer"); err == nil || !strings.Contains(out, "not owned by a session") {
		t.Errorf("server start of a session server no session owns = %v %q, want refused", err, out)
	}
	out, err := g.sessionClient(t, "alice\nany password\nt\nt\nx\n")
	if err != nil {
		t.Fatalf("session client: %v\n%s", err, out)
	}
	floetest.WaitFor(t, 10*time.Second, func() bool {
		return strings.Count(g.out.String(), "SessionServer-alice says Hello World!") == 2
	})
	// The session was destroyed when the client exited, and the server stopped before that
	// returned.
	if got := g.admin(t, "server state SessionServer"); !strings.Contains(got, "inactive") {
		t.Errorf("SessionServer after the client destroyed its session = %q, want inactive", got)
	}
	out, err = g.sessionClient(t, "bob\nx\nt\nx\n")
	if err != nil {
		t.Fatalf("session client: %v\n%s", err, out)
	}
	floetest.WaitFor(t, 10*time.Second, func() bool {
		return strings.Contains(g.out.String(), "SessionServer-bob says Hello World!")
	})
}

// TestSessionPermissions: without IceGrid.Registry.PermissionsVerifier a session is refused
// with IceGrid's reason; IceGrid.Registry.CryptPasswords is refused with a reason naming it.
func TestSessionPermissions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"no verifier", []string{"--IceGrid.Registry.PermissionsVerifier="},
			"permission denied:\nno permissions verifier configured, use the property\n" +
				"`IceGrid.Registry.PermissionsVerifier' to configure\na permissions verifier.\n"},
		{"crypt passwords", []string{"--IceGrid.Registry.PermissionsVerifier=", "--IceGrid.Registry.CryptPasswords=passwords"},
			"permission denied:\nFloe does not support IceGrid.Registry.CryptPasswords; use IceGrid.Registry.PermissionsVerifier\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := startGrid(t, tc.extra...)
			out, err := g.sessionClient(t, "alice\npw\n")
			if err == nil || !strings.Contains(out, tc.want) {
				t.Errorf("session client = %v\n%s\nwant it refused with %q", err, out, tc.want)
			}
		})
	}
}
