package node

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// FuzzProcFiles reads arbitrary bytes as the files the node parses: a pid file
// (servers/<id>/pid, which survives the node and may be damaged), /proc/<pid>/stat and
// /proc/loadavg. A pid file that parses names a pid ReapOrphans may signal as a group (above 1,
// within pid_t) and survives being written again; a stat that parses has a one-letter state;
// a load that parses is finite and not negative, so that it encodes in JSON.
func FuzzProcFiles(f *testing.F) {
	for _, s := range []string{
		`{"pid":12345,"start":987654,"boot":"6b1f7f2e-4f4e-4f0e-9e0e-0b4d2b0c8a11"}`,
		`{"pid":1,"start":1,"boot":"b"}`, `{"pid":4294967297,"start":0,"boot":""}`, `{"pid":-5}`, `{"pid":"7"}`,
		"123 (sleep) S 1 123 123 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 8192 100",
		"7 (a (b) c) Z 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0",
		"0.52 0.58 0.59 1/467 12345\n", "NaN 0 0", "Inf 1e38 0", "1e39 0 0", "0x1p-2 0 0",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if pf, err := parsePidFile(data); err == nil {
			if pf.PID <= 1 || pf.PID > math.MaxInt32 {
				t.Fatalf("parsePidFile(%q) = %+v", data, pf)
			}
			b, _ := json.Marshal(pf)
			if back, err := parsePidFile(b); err != nil || back != pf {
				t.Fatalf("pid file %+v written as %s reads back as %+v, %v", pf, b, back, err)
			}
		} else if pf != (pidFile{}) {
			t.Fatalf("parsePidFile(%q) = %+v with error %v", data, pf, err)
		}
		if st, err := parseStat(data); err == nil && strings.ContainsRune(" \t\n\v\f\r", rune(st.state)) {
			t.Fatalf("parseStat(%q) = %+v", data, st)
		}
		if l, err := parseLoadavg(string(data)); err == nil {
			for _, v := range []float32{l.Avg1, l.Avg5, l.Avg15} {
				if !(v >= 0) || math.IsInf(float64(v), 0) {
					t.Fatalf("parseLoadavg(%q) = %+v", data, l)
				}
			}
			if _, err := json.Marshal(l); err != nil {
				t.Fatalf("load %+v does not encode: %v", l, err)
			}
		} else if l != unknownLoad {
			t.Fatalf("parseLoadavg(%q) = %+v with error %v", data, l, err)
		}
	})
}
