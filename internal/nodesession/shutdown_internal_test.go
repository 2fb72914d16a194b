package nodesession

import (
	"context"
	"testing"

	"floe/internal/node"
)

// TestShutdownChecksName: the node shuts down only when the registry names it, and refuses
// when it has no way to shut down.
func TestShutdownChecksName(t *testing.T) {
	n, err := node.New(node.Config{Name: "n1", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Shutdown(context.Background()) })
	calls := 0
	a := New(Config{Node: n, Shutdown: func() { calls++ }})
	if err := a.shutdown("n2"); err == nil || calls != 0 {
		t.Errorf("shutdown(n2) on node n1 = %v, %d calls; want an error and none", err, calls)
	}
	if err := a.shutdown("n1"); err != nil || calls != 1 {
		t.Errorf("shutdown(n1) = %v, %d calls; want nil and one", err, calls)
	}
	if err := New(Config{Node: n}).shutdown("n1"); err == nil {
		t.Error("shutdown(n1) with no Config.Shutdown succeeded, want an error")
	}
}
