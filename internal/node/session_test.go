package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"floe/internal/descriptor"
	"floe/internal/floetest"
	"floe/internal/node"
	"floe/internal/slice/icegrid"
)

// TestSessionServer: a `session` server starts only while a client session owns it, with
// ${session.id} set to the session's user id in its generated configuration; it is stopped when
// its session changes, and keeps its session across deployments.
func TestSessionServer(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "owner")
	// The node appends --Ice.Config=<file> to the options: $0 of the script (no ${…} in the
	// script: the node would take it for a descriptor variable).
	script := `grep '^Owner=' "$(echo "$0" | cut -d= -f2-)" > ` + out + `; exec sleep 100`
	d := &icegrid.ServerDescriptor{ID: "sess", Exe: "/bin/sh", Options: []string{"-c", script},
		Activation: "session", DeactivationTimeout: "2"}
	d.PropertySet.Properties = []icegrid.PropertyDescriptor{{Name: "Owner", Value: "${session.id}"}}
	s := &descriptor.Server{ID: "sess", Node: "n1", Application: "A", Descriptor: d,
		Config: descriptor.Configure("A", d, n.Info("n1"), "")}
	n.Deploy([]*descriptor.Server{s})

	if err := n.Activate(ctx, "sess"); err == nil || !strings.Contains(err.Error(), "not owned by a session") {
		t.Fatalf("Activate of an unowned session server = %v, want refused", err)
	}
	owner := func(want string) {
		t.Helper()
		floetest.WaitUntil(t, 10*time.Second, "Owner="+want+" in the configuration", func() bool {
			b, err := os.ReadFile(out)
			return err == nil && strings.TrimSpace(string(b)) == "Owner="+want
		})
	}
	if err := n.SetSession(ctx, "sess", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := n.Activate(ctx, "sess"); err != nil {
		t.Fatal(err)
	}
	owner("alice")
	if err := n.SetSession(ctx, "sess", ""); err != nil {
		t.Fatal(err)
	}
	if st := n.Servers()["sess"]; st != node.Inactive {
		t.Errorf("state after the session released it = %s, want Inactive", st)
	}
	if err := n.Start(ctx, "sess"); err == nil {
		t.Error("Start of a released session server succeeded")
	}

	if err := n.SetSession(ctx, "sess", "bob"); err != nil {
		t.Fatal(err)
	}
	n.Deploy([]*descriptor.Server{s}) // the registry's configuration, without the session
	if err := n.Activate(ctx, "sess"); err != nil {
		t.Fatal(err)
	}
	owner("bob")
	if err := n.SetSession(ctx, "sess", "carol"); err != nil {
		t.Fatal(err)
	}
	if st := n.Servers()["sess"]; st != node.Inactive {
		t.Errorf("state after another session took it = %s, want Inactive", st)
	}
}
