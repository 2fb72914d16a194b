package descriptor

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"floe/ice/reference"
	"floe/internal/slice/icegrid"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/valid")

// TestValidGolden expands Floe's own valid descriptors (checked against IceGrid by
// test/descriptors) and compares the result with golden files.
func TestValidGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.xml")
	if len(files) == 0 {
		t.Fatal("no descriptors in testdata/valid")
	}
	defaults := stockTemplates(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ParseDocument(f, data, ReadFile(os.ReadFile), DefaultTemplates(defaults))
			if err != nil {
				t.Fatalf("ParseDocument = %v", err)
			}
			x, err := Expand(doc.App, WithSource(doc.Source), WithNode(testNode))
			if err != nil {
				t.Fatalf("Expand = %v", err)
			}
			got := dump(doc, x)
			golden := strings.TrimSuffix(f, ".xml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("expansion of %s (-golden +got):\n%s", f, diff)
			}
		})
	}
}

// stockTemplates is a small stand-in for IceGrid's templates.xml (Glacier2 only).
func stockTemplates(t *testing.T) *icegrid.ApplicationDescriptor {
	t.Helper()
	app, _, err := ParseDefaultTemplates("templates.xml", []byte(`<icegrid><application name="Templates">
  <server-template id="Glacier2">
    <parameter name="instance-name" default="${application}.Glacier2"/>
    <parameter name="client-endpoints"/>
    <parameter name="server-endpoints" default=""/>
    <parameter name="session-timeout" default="0"/>
    <server id="${instance-name}" exe="glacier2router" activation="always">
      <properties>
        <property name="Glacier2.Client.Endpoints" value="${client-endpoints}"/>
        <property name="Glacier2.Server.Endpoints" value="${server-endpoints}"/>
        <property name="Glacier2.InstanceName" value="${instance-name}"/>
        <property name="Glacier2.SessionTimeout" value="${session-timeout}"/>
      </properties>
    </server>
  </server-template></application></icegrid>`))
	if err != nil {
		t.Fatalf("ParseDefaultTemplates = %v", err)
	}
	return app
}

// dump prints everything Expand produced, in a stable order.
func dump(doc *Document, x *Expanded) string {
	var b strings.Builder
	for _, w := range doc.Warnings {
		fmt.Fprintf(&b, "parse warning: %s\n", w)
	}
	for _, w := range x.Warnings {
		fmt.Fprintf(&b, "expand warning: %s\n", w)
	}
	for _, rg := range x.ReplicaGroups {
		fmt.Fprintf(&b, "replica group %s %T n=%s options=%q filter=%q\n", rg.ID, rg.LoadBalancing,
			rg.LoadBalancing.Policy().NReplicas, rg.ProxyOptions, rg.Filter)
	}
	for _, a := range x.Adapters {
		fmt.Fprintf(&b, "adapter %+v\n", a)
	}
	for _, o := range x.Objects {
		fmt.Fprintf(&b, "object %s type=%q proxy=%s server=%q\n", reference.IdentityString(o.ID), o.Type, o.Proxy(), o.Server)
	}
	for _, o := range x.Allocatables {
		fmt.Fprintf(&b, "allocatable %s type=%q proxy=%s\n", reference.IdentityString(o.ID), o.Type, o.Proxy())
	}
	for _, s := range x.Servers {
		fmt.Fprintf(&b, "\n==== server %s on %s\n", s.ID, s.Node)
		_ = Describe(&b, icegrid.ServerInfo{Node: s.Node, Descriptor: s.Descriptor})
		c := s.Config
		fmt.Fprintf(&b, "node error: %v\nprocess registered: %v\nservices: %q\nlogs: %q\nadapters: %+v\ndbenvs: %+v\n",
			c.NodeErr, c.ProcessRegistered, c.Services, c.Logs, c.Adapters, c.DbEnvs)
		for _, f := range c.Files {
			fmt.Fprintf(&b, "---- %s\n%s", f.Name, f.Bytes(time.Time{}))
		}
	}
	return b.String()
}
