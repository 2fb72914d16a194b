package nodesession

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"floe/internal/node"
	"floe/internal/nodeproto"
)

// FuzzLastKnownDeployment reads arbitrary bytes as the deployment.json a node keeps in its data
// directory (runLastKnown's load). An error names the file; a deployment that loads saves and
// loads back equal, with the same hash (the node compares hashes to skip what already runs),
// and each of its applications expands without panicking into servers of this node only. It
// does not deploy: servers would start.
func FuzzLastKnownDeployment(f *testing.F) {
	for _, d := range []*nodeproto.Deployment{
		dep("R1", "boot1", 5, app("A", "a1 n1", "a2 other")),
		dep("Master", "b", 1, app("A", "a1 n1"), app("C", "c1 n1")),
		dep("R2", "", 0),
	} {
		f.Add([]byte(nodeproto.Encode(d)))
	}
	f.Add([]byte(`{"replica":"R1","boot":"b","generation":2,"applications":[{"name":"T","revision":1,"descriptor":` +
		`"<icegrid><application name=\"T\"><server-template id=\"t\"><parameter name=\"i\"/><server id=\"s${i}\" exe=\"x\"/>` +
		`</server-template><node name=\"n1\"><server-instance template=\"t\" i=\"1\"/></node></application></icegrid>"}]}`))
	f.Add([]byte(`{"replica":"R1","applications":[{"name":"A"},{"name":"A"}]}`))
	f.Add([]byte(`{"replica":"R1"} trailing`))
	f.Add([]byte(`{"replica":"R1","applications":[{"name":"A","descriptor":"<icegrid>"`))
	n, err := node.New(node.Config{Name: "n1", DataDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { n.Shutdown(context.Background()) })
	a := New(Config{Node: n})
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(a.path(), data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := a.load()
		if err != nil {
			if d != nil || !strings.Contains(err.Error(), a.path()) {
				t.Fatalf("load(%q) = %+v, %v", data, d, err)
			}
			return
		}
		if err := a.save(d); err != nil {
			t.Fatal(err)
		}
		back, err := a.load()
		if err != nil || !cmp.Equal(d, back, cmpopts.EquateEmpty()) || back.Hash() != d.Hash() {
			t.Fatalf("deployment %+v saved and loaded back is %+v, %v", d, back, err)
		}
		for _, app := range d.Applications {
			servers, err := a.expand(app)
			if err != nil {
				continue // logged by apply; the registry validated it with the same code
			}
			for _, s := range servers {
				if s.Node != a.name() {
					t.Fatalf("application %q: server %q of node %q expanded for %q", app.Name, s.ID, s.Node, a.name())
				}
			}
		}
	})
}
