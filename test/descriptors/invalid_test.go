package descriptors_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"floe/internal/descriptor"
)

const invalidDir = "../../internal/descriptor/testdata/invalid"

// TestInvalidDescriptorsRejectedByIceGrid checks that IceGrid rejects each descriptor Floe
// rejects: a parse error at the same line, a deployment error with the same reason.
func TestInvalidDescriptorsRejectedByIceGrid(t *testing.T) {
	g := grid(t)
	files, _ := filepath.Glob(filepath.Join(invalidDir, "*.xml"))
	if len(files) < 20 {
		t.Fatalf("found %d invalid descriptors in %s, want at least 20", len(files), invalidDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			abs, _ := filepath.Abs(f)
			ferr, parseErr := floeError(t, abs)
			out, err := g.admin("application add -n " + quote(abs))
			var ae *adminError
			if !errors.As(err, &ae) || ae.code != 1 {
				if err == nil {
					_, _ = g.admin("application remove " + quote(appName(abs)))
				}
				t.Fatalf("IceGrid accepts %s (Floe: %v): %v %s", f, ferr, err, out)
			}
			compareRejection(t, ferr, parseErr, ae.stderr)
		})
	}
}

// floeError returns Floe's error for the file and whether it is a parse error.
func floeError(t *testing.T, path string) (*descriptor.Error, bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := descriptor.ParseDocument(path, data, descriptor.ReadFile(os.ReadFile))
	parseErr := err != nil
	if err == nil {
		_, err = descriptor.Expand(doc.App, descriptor.WithSource(doc.Source))
	}
	var e *descriptor.Error
	if !errors.As(err, &e) {
		t.Fatalf("Floe accepts %s (err %v)", path, err)
	}
	return e, parseErr
}

var (
	parserErrorRE = regexp.MustCompile(`(?s).*error in <[^>]*> descriptor, line (\d+), column \d+:\n(.*)`)
	deployErrorRE = regexp.MustCompile(`(?s)::IceGrid::DeploymentException:\n(.*)`)
	unknownAttrRE = regexp.MustCompile(`unknown attributes in <[^>]*> descriptor, line \d+:\n`)
	exceptionRE   = regexp.MustCompile(`(?m)^src/\S+:\d+: ::\S+?:?$`) // "src/Ice/Initialize.cpp:597: ::Ice::IdentityParseException:"
)

// reworded lists the rejections whose reason Floe words differently: IceGrid names the missing
// included file as the file in error, and proxy parse errors come from Ice's own texts.
var reworded = map[string]bool{"include-missing.xml": true, "bad-proxy-options.xml": true}

func compareRejection(t *testing.T, ferr *descriptor.Error, parseErr bool, stderr string) {
	t.Helper()
	if parseErr {
		m := parserErrorRE.FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("IceGrid: %s, Floe: parse error %v", stderr, ferr)
		}
		if m[1] != strconv.Itoa(ferr.Line) {
			t.Errorf("IceGrid reports line %s, Floe %v", m[1], ferr)
		}
		reason := oneLine(exceptionRE.ReplaceAllString(unknownAttrRE.ReplaceAllString(m[2], "unknown attributes: "), ""))
		if !reworded[filepath.Base(ferr.File)] && reason != ferr.Msg {
			t.Errorf("IceGrid: %q\nFloe:    %q", reason, ferr.Msg)
		}
		return
	}
	m := deployErrorRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("IceGrid: %s, Floe: deployment error %v", stderr, ferr)
	}
	if reason := oneLine(m[1]); !reworded[filepath.Base(ferr.File)] && reason != ferr.Msg {
		t.Errorf("IceGrid: %q\nFloe:    %q", reason, ferr.Msg)
	}
}

func oneLine(s string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}

func appName(path string) string {
	data, _ := os.ReadFile(path)
	m := regexp.MustCompile(`<application name="([^"]*)"`).FindSubmatch(data)
	if m == nil {
		return ""
	}
	return string(m[1])
}
