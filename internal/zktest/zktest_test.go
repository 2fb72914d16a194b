package zktest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStartSkipsWithoutZooKeeper(t *testing.T) {
	t.Setenv("CI", "") // the skip path; with CI set, Start fails the test instead
	var sub *testing.T
	t.Run("missing", func(t *testing.T) {
		sub = t
		Start(t, 1, WithClasspath("/nonexistent/zookeeper.jar"))
		t.Error("Start returned without ZooKeeper")
	})
	if !sub.Skipped() {
		t.Errorf("Start with a missing classpath did not skip")
	}
}

func TestZooCfg(t *testing.T) {
	servers := []*server{
		{id: 1, clientPort: 10001, quorumPort: 10002, electionPort: 10003},
		{id: 2, clientPort: 10004, quorumPort: 10005, electionPort: 10006},
		{id: 3, clientPort: 10007, quorumPort: 10008, electionPort: 10009},
	}
	tests := []struct {
		name    string
		cfg     config
		all     []*server
		want    []string
		notWant []string
	}{
		{
			name: "quorum",
			cfg:  newConfig(nil),
			all:  servers,
			want: []string{
				"tickTime=200", "initLimit=10", "syncLimit=5", "dataDir=/d", "clientPort=10004",
				"clientPortAddress=127.0.0.1", "maxClientCnxns=0", "minSessionTimeout=400",
				"maxSessionTimeout=60000", "admin.enableServer=false", "4lw.commands.whitelist=*",
				"standaloneEnabled=false", "server.1=127.0.0.1:10002:10003",
				"server.3=127.0.0.1:10008:10009",
			},
		},
		{
			name:    "standalone, slow ticks, extra lines",
			cfg:     newConfig([]Option{WithTickTime(2 * time.Second), WithConfig("snapCount=10")}),
			all:     servers[1:2],
			want:    []string{"tickTime=2000", "minSessionTimeout=1000", "maxSessionTimeout=60000", "snapCount=10"},
			notWant: []string{"standaloneEnabled=false"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := strings.Split(zooCfg(tt.cfg, servers[1], "/d", tt.all), "\n")
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("zooCfg() lacks %q:\n%s", w, strings.Join(lines, "\n"))
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(lines, w) {
					t.Errorf("zooCfg() has %q", w)
				}
			}
		})
	}
}

func TestFreePorts(t *testing.T) {
	a, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	b, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range append(a, b...) {
		if seen[p] {
			t.Errorf("freePorts handed out %d twice", p)
		}
		if p < lowestPort || p >= ephemeralLow() {
			t.Errorf("freePorts() port %d outside [%d,%d)", p, lowestPort, ephemeralLow())
		}
		seen[p] = true
	}
}
