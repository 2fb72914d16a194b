package ha

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// iceGrid is a real IceGrid 3.7 registry: a master and two slaves on 127.0.0.1, configured as
// /work/shared/bench/icegrid-anchor/run-icegrid.sh does (client ports base..base+2, server
// ports base+10.., internal base+20..; slaves find the master through Ice.Default.Locator).
type iceGrid struct {
	procs  []*proc
	client []int
	server []int
}

var iceGridNames = []string{"Master", "Replica1", "Replica2"}

func (g *iceGrid) locator(i int) string {
	return fmt.Sprintf("IceGrid/Locator:tcp -h 127.0.0.1 -p %d", g.client[i])
}

func (g *iceGrid) registry(i int) string {
	return fmt.Sprintf("IceGrid/LocatorRegistry:tcp -h 127.0.0.1 -p %d", g.server[i])
}

func (g *iceGrid) stop() {
	for _, p := range g.procs {
		_ = p.stop()
	}
}

// startIceGrid starts the three icegridregistry processes under dir and waits (bounded) until
// the master lists both slaves.
func startIceGrid(ctx context.Context, dir string) (*iceGrid, error) {
	base, err := freePorts(23)
	if err != nil {
		return nil, err
	}
	g := &iceGrid{}
	all := "IceGrid/Locator"
	for i := range 3 {
		g.client = append(g.client, base+i)
		g.server = append(g.server, base+10+i)
		all += fmt.Sprintf(":tcp -h 127.0.0.1 -p %d", base+i)
	}
	for i, name := range iceGridNames {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(d, "db"), 0o755); err != nil {
			return nil, err
		}
		cfg := []string{
			"IceGrid.InstanceName=IceGrid",
			"IceGrid.Registry.ReplicaName=" + name,
			fmt.Sprintf("IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p %d", base+i),
			fmt.Sprintf("IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p %d", base+10+i),
			fmt.Sprintf("IceGrid.Registry.Internal.Endpoints=tcp -h 127.0.0.1 -p %d", base+20+i),
			"IceGrid.Registry.LMDB.Path=" + filepath.Join(d, "db"),
			"IceGrid.Registry.DynamicRegistration=1",
			"IceGrid.Registry.PermissionsVerifier=IceGrid/NullPermissionsVerifier",
			"IceGrid.Registry.AdminPermissionsVerifier=IceGrid/NullPermissionsVerifier",
			"IceGrid.Registry.Discovery.Enabled=0",
			"Ice.ProgramName=icegridregistry-" + name,
			"Ice.Warn.Connections=0",
		}
		if i > 0 {
			cfg = append(cfg, "Ice.Default.Locator="+all)
		}
		conf := filepath.Join(d, "config")
		if err := os.WriteFile(conf, []byte(strings.Join(cfg, "\n")+"\n"), 0o644); err != nil {
			return nil, err
		}
		p := &proc{name: "icegridregistry " + name, logPath: filepath.Join(d, "log"),
			argv: []string{"icegridregistry", "--Ice.Config=" + conf, "--nowarn"}}
		if err := p.start(); err != nil {
			g.stop()
			return nil, err
		}
		g.procs = append(g.procs, p)
		if i == 0 && !waitDial(ctx, base, 20*time.Second) {
			g.stop()
			return nil, fmt.Errorf("IceGrid master not listening on %d within 20 s (log %s)", base, p.logPath)
		}
	}
	for range 120 {
		out, _ := runBounded(ctxWithin(ctx, 15*time.Second), "icegridadmin", "--Ice.Default.Locator="+g.locator(0),
			"-u", "admin", "-p", "admin", "-e", "registry list")
		lines := strings.Fields(string(out))
		if slices.Contains(lines, "Master") && slices.Contains(lines, "Replica1") && slices.Contains(lines, "Replica2") {
			return g, nil
		}
		sleep(ctx, 500*time.Millisecond)
	}
	g.stop()
	return nil, fmt.Errorf("IceGrid slaves did not register with the master within 60 s (logs under %s)", dir)
}

// ctxWithin bounds ctx by d; the timer releases it when d passes.
func ctxWithin(ctx context.Context, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(ctx, d)
	time.AfterFunc(d, cancel)
	return c
}

func waitDial(ctx context.Context, port int, d time.Duration) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		d := net.Dialer{Timeout: time.Second}
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			_ = conn.Close()
			return true
		}
		sleep(ctx, 100*time.Millisecond)
	}
	return false
}
