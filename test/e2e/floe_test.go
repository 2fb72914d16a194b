package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"floe/internal/floetest"
)

// binDir is a temporary directory created by TestMain for the binaries built by the tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "floe-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var floeBuild struct {
	once sync.Once
	path string
	err  error
}

// floeBinary builds bin/floe from the module root once per test binary run, on first use, so
// runs that do not select the floe target do not need it to compile.
func floeBinary(t *testing.T) string {
	t.Helper()
	floeBuild.once.Do(func() {
		path := filepath.Join(binDir, "floe")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "./cmd/floe")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			floeBuild.err = fmt.Errorf("go build ./cmd/floe: %w\n%s", err, out)
			return
		}
		floeBuild.path = path
	})
	if floeBuild.err != nil {
		t.Fatal(floeBuild.err)
	}
	return floeBuild.path
}

// floe is `floe registry` in standalone mode, administered with `floe admin` over HTTP; with a
// node, its collocated node runs the deployed servers.
type floe struct {
	*registry
	bin string
}

func newFloe(t *testing.T, node bool) target {
	t.Helper()
	return &floe{registry: newRegistry(t, "floe", node), bin: floeBinary(t)}
}

func (f *floe) start(t *testing.T, dynamic bool) {
	t.Helper()
	cfg := f.writeConfig(t, dynamic, "Floe.HTTP.Endpoint="+f.httpAddr())
	f.run(t, func() bool { return f.healthy(t.Context()) }, f.bin, "registry", "--Ice.Config="+cfg)
}

// healthy reports whether GET /healthz answers 200.
func (f *floe) healthy(ctx context.Context) bool { return floetest.Healthy(ctx, f.httpAddr()) }

func (f *floe) admin(t *testing.T, command string) (string, error) {
	t.Helper()
	return runAdmin(t, f.bin, "admin", "--registry", "http://"+f.httpAddr(), "-e", command)
}
