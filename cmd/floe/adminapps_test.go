package main

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		args      []string
		want      []string // options given, by long name
		wantFiles []string
	}{
		{[]string{"app.xml"}, nil, []string{"app.xml"}},
		{[]string{"-n", "app.xml"}, []string{"no-restart"}, []string{"app.xml"}},
		{[]string{"app.xml", "--no-restart"}, []string{"no-restart"}, []string{"app.xml"}},
	}
	for _, tt := range tests {
		opts, files, err := parseOptions("application update", tt.args, appOptions["update"])
		var got []string
		for o := range opts {
			got = append(got, o)
		}
		if err != nil || !slices.Equal(got, tt.want) || !slices.Equal(files, tt.wantFiles) {
			t.Errorf("parseOptions(%q) = %v, %q, %v; want %v, %q", tt.args, got, files, err, tt.want, tt.wantFiles)
		}
	}
	for _, bad := range [][]string{{"-s", "app.xml"}, {"--no-patch", "app.xml"}, {"--restart", "app.xml"}} {
		if _, _, err := parseOptions("application update", bad, appOptions["update"]); !errors.As(err, new(*usageError)) {
			t.Errorf("parseOptions(%q) = %v, want a usage error", bad, err)
		}
	}
}

// TestServerDiff: `application diff -s` prints as icegridadmin 3.7.8 does (captured from it).
func TestServerDiff(t *testing.T) {
	deployed := `<icegrid><application name="App"><node name="node1">
  <server id="A" exe="python3"><property name="Test.Greeting" value="hello"/></server>
  <server id="B" exe="python3"><property name="Test.Greeting" value="hello"/></server>
  <server id="C" exe="python3"/>
</node></application></icegrid>`
	file := `<icegrid><application name="App"><node name="node1">
  <server id="B" exe="python3"><option>--x</option><property name="Test.Greeting" value="hello"/></server>
  <server id="C" exe="python3"><property name="New" value="1"/></server>
  <server id="D" exe="python3"/>
</node></application></icegrid>`
	var out strings.Builder
	if err := serverDiff(&out, []byte(deployed), []byte(file)); err != nil {
		t.Fatal(err)
	}
	want := "application `App'\n{\n" +
		"    server `A': removed\n" +
		"    server `B': updated (restart required)\n" +
		"    server `C': properties updated (no restart required)\n" +
		"    server `D': added\n" +
		"}\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("serverDiff() (-want +got):\n%s", diff)
	}
}
