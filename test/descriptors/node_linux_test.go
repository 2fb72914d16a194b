//go:build linux

package descriptors_test

import (
	"os"
	"path/filepath"
	"syscall"

	"floe/internal/descriptor"
)

// floeNode describes a node of the grid as Floe's expansion needs it: the same values
// icegridnode uses for ${node.*} and adds to the configuration files.
func (g *realGrid) floeNode(name string) descriptor.Node {
	var u syscall.Utsname
	_ = syscall.Uname(&u)
	host, _ := os.Hostname()
	n := descriptor.Node{
		Name: name, OS: utsString(u.Sysname[:]), Hostname: host, Release: utsString(u.Release[:]),
		Version: utsString(u.Version[:]), Machine: utsString(u.Machine[:]),
		DataDir: filepath.Join(g.nodeDir(name), "data"), Locator: g.locator,
	}
	switch name {
	case "node2":
		n.OutputDir = filepath.Join(g.nodeDir(name), "out")
	case "Node":
		n.RedirectErrToOut = true
		n.PropertiesOverride = map[string]string{"Ice.Trace.Network": "1", "Floe.Extra": "x"}
	}
	return n
}

func utsString(b []int8) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}
