package floetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"floe/ice"
	"floe/ice/properties"
)

// Python is the interpreter with ZeroC Ice 3.7 (python3-zeroc-ice); the python3 on PATH may be
// another one.
const Python = "/usr/bin/python3"

// RequirePython skips the test when Python Ice is missing, and fails it in CI, where a missing
// peer is an error.
func RequirePython(tb testing.TB) {
	tb.Helper()
	if err := exec.CommandContext(tb.Context(), Python, "-c", "import Ice").Run(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("python3-zeroc-ice is required in CI: %v", err)
		}
		tb.Skipf("python3-zeroc-ice not installed: %v", err)
	}
}

// NewCommunicator creates a Go Ice communicator from "Name=Value" properties; it is destroyed
// at cleanup (its adapters unregister first).
func NewCommunicator(tb testing.TB, props ...string) *ice.Communicator {
	tb.Helper()
	p := properties.New()
	for _, kv := range props {
		k, v, _ := strings.Cut(kv, "=")
		p.Set(k, v)
	}
	c, err := ice.New(p, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Destroy)
	return c
}
