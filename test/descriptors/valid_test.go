package descriptors_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"floe/internal/descriptor"
	"floe/internal/slice/icegrid"
)

// Descriptor corpora: ice-demos (GPL, read in place) and Floe's own valid descriptors.
const (
	demosDir = "../../../shared/testdata"
	validDir = "../../internal/descriptor/testdata/valid"
)

func xmlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".xml") && !strings.Contains(path, "/include/") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

// TestValidDescriptorsMatchIceGrid loads each valid descriptor into IceGrid and into Floe and
// compares what both deploy.
func TestValidDescriptorsMatchIceGrid(t *testing.T) {
	g := grid(t)
	defaults := defaultTemplates(t)
	files := append(xmlFiles(t, demosDir), xmlFiles(t, validDir)...)
	if len(files) < 60 {
		t.Fatalf("found %d descriptors, want at least 60", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(strings.TrimPrefix(f, demosDir+"/"), "../../internal/descriptor/"), func(t *testing.T) {
			x := expandFile(t, g, f, defaults)
			abs, _ := filepath.Abs(f)
			if out, err := g.admin("application add -n " + quote(abs)); err != nil {
				t.Fatalf("IceGrid rejects %s: %v %s", f, err, out)
			}
			t.Cleanup(func() { g.remove(t, x) })
			compareDeployment(t, g, x)
		})
	}
}

func defaultTemplates(t *testing.T) *icegrid.ApplicationDescriptor {
	t.Helper()
	data, err := os.ReadFile("/usr/share/ice/templates.xml")
	if err != nil {
		t.Fatalf("IceGrid's default templates: %v", err)
	}
	app, _, err := descriptor.ParseDefaultTemplates("/usr/share/ice/templates.xml", data)
	if err != nil {
		t.Fatalf("ParseDefaultTemplates = %v", err)
	}
	return app
}

func expandFile(t *testing.T, g *realGrid, f string, defaults *icegrid.ApplicationDescriptor) *descriptor.Expanded {
	t.Helper()
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := descriptor.ParseDocument(f, data, descriptor.ReadFile(os.ReadFile), descriptor.DefaultTemplates(defaults))
	if err != nil {
		t.Fatalf("ParseDocument = %v", err)
	}
	x, err := descriptor.Expand(doc.App, descriptor.WithSource(doc.Source), descriptor.WithNode(g.floeNode))
	if err != nil {
		t.Fatalf("Expand = %v", err)
	}
	return x
}

// remove removes the application from IceGrid and waits until its nodes deleted its servers.
func (g *realGrid) remove(t *testing.T, x *descriptor.Expanded) {
	t.Helper()
	if out, err := g.admin("application remove " + quote(x.Application)); err != nil {
		t.Errorf("application remove %s: %v %s", x.Application, err, out)
		return
	}
	err := g.waitFor("server removal", func() bool {
		for _, s := range x.Servers {
			if _, err := os.Stat(g.serverDir(s.Node, s.ID)); err == nil {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Errorf("after application remove %s: %v", x.Application, err)
	}
}

func (g *realGrid) serverDir(node, id string) string {
	return filepath.Join(g.nodeDir(node), "data", "servers", id)
}

func compareDeployment(t *testing.T, g *realGrid, x *descriptor.Expanded) {
	t.Helper()
	var ids []string
	for _, s := range x.Servers {
		ids = append(ids, s.ID)
	}
	compareLines(t, g, "server list", ids)
	adapters := []string{}
	for _, a := range x.Adapters {
		adapters = append(adapters, a.ID)
	}
	for _, rg := range x.ReplicaGroups {
		adapters = append(adapters, rg.ID)
	}
	compareLines(t, g, "adapter list", adapters)
	compareObjects(t, g, x)
	compareReplicaGroups(t, g, x)
	for _, s := range x.Servers {
		compareServer(t, g, x.Application, s)
		compareConfigFiles(t, g, s)
	}
}

// compareLines compares the lines a listing command prints, in order, with want sorted.
func compareLines(t *testing.T, g *realGrid, command string, want []string) {
	t.Helper()
	out, err := g.admin(command)
	if err != nil {
		t.Errorf("%s: %v", command, err)
		return
	}
	got := lines(out)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: IceGrid %q, Floe %q", command, got, want)
	}
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func quote(s string) string { return "'" + s + "'" }

func compareServer(t *testing.T, g *realGrid, app string, s *descriptor.Server) {
	t.Helper()
	out, err := g.admin("server describe " + quote(s.ID))
	if err != nil {
		t.Errorf("server describe %s: %v", s.ID, err)
		return
	}
	// With its node up, IceGrid describes the server as the node resolved it.
	info := icegrid.ServerInfo{Application: app, UUID: field(out, "application uuid"), Revision: 1, Node: s.Node,
		Descriptor: s.Config.Descriptor}
	var b strings.Builder
	if err := descriptor.Describe(&b, info); err != nil {
		t.Fatal(err)
	}
	if b.String() != out {
		t.Errorf("server describe %s:\n--- IceGrid\n%s--- Floe\n%s", s.ID, out, b.String())
	}
}

// field returns the value of "name = `value'" in icegridadmin output.
func field(out, name string) string {
	_, rest, ok := strings.Cut(out, name+" = `")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "'")
	return v
}

// compareConfigFiles compares the files the node wrote for the server, past their time stamp.
func compareConfigFiles(t *testing.T, g *realGrid, s *descriptor.Server) {
	t.Helper()
	dir := filepath.Join(g.serverDir(s.Node, s.ID), "config")
	var want []string
	for _, f := range s.Config.Files {
		want = append(want, f.Name)
	}
	var got []string
	err := g.waitFor("config files of "+s.ID, func() bool {
		got = readDirNames(dir)
		return slices.Equal(got, want)
	})
	if err != nil {
		t.Errorf("server %s: IceGrid wrote %q, Floe %q", s.ID, got, want)
		return
	}
	for _, f := range s.Config.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Errorf("read %s: %v", f.Name, err)
			continue
		}
		_, gotBody, _ := strings.Cut(string(data), "\n")
		_, wantBody, _ := strings.Cut(string(f.Bytes(timeZero)), "\n")
		if gotBody != wantBody {
			t.Errorf("server %s, %s:\n--- IceGrid\n%s--- Floe\n%s", s.ID, f.Name, gotBody, wantBody)
		}
	}
}

func readDirNames(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func compareObjects(t *testing.T, g *realGrid, x *descriptor.Expanded) {
	t.Helper()
	out, err := g.admin("object list")
	if err != nil {
		t.Errorf("object list: %v", err)
		return
	}
	var got []string
	for _, id := range lines(out) {
		if !strings.HasPrefix(id, instanceName+"/") {
			got = append(got, id)
		}
	}
	want := map[string]descriptor.Object{}
	var wantIDs []string
	for _, o := range x.Objects { // allocatable objects are not listed
		id := identityText(o)
		want[id] = o
		wantIDs = append(wantIDs, id)
	}
	slices.Sort(got)
	slices.Sort(wantIDs)
	if !slices.Equal(got, wantIDs) {
		t.Errorf("object list: IceGrid %q, Floe %q", got, wantIDs)
	}
	for _, id := range got {
		o, ok := want[id]
		if !ok {
			continue
		}
		desc, err := g.admin("object describe " + quote(id))
		if err != nil {
			t.Errorf("object describe %s: %v", id, err)
			continue
		}
		if wantDesc := fmt.Sprintf("proxy = `%s'\ntype = `%s'\n", o.Proxy(), o.Type); desc != wantDesc {
			t.Errorf("object describe %s: IceGrid %q, Floe %q", id, desc, wantDesc)
		}
	}
}

// compareReplicaGroups compares the "replica groups" block of "application describe".
func compareReplicaGroups(t *testing.T, g *realGrid, x *descriptor.Expanded) {
	t.Helper()
	out, err := g.admin("application describe " + quote(x.Application))
	if err != nil {
		t.Errorf("application describe: %v", err)
		return
	}
	got := ""
	if _, rest, ok := strings.Cut(out, "\n    replica groups\n    {\n"); ok {
		got, _, _ = strings.Cut(rest, "\n    }\n")
	}
	if got != replicaGroupsBlock(x.ReplicaGroups) {
		t.Errorf("replica groups:\n--- IceGrid\n%s\n--- Floe\n%s", got, replicaGroupsBlock(x.ReplicaGroups))
	}
}
