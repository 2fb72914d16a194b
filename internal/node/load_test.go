package node

import (
	"errors"
	"testing"
	"time"
)

func TestParseLoadavg(t *testing.T) {
	tests := []struct {
		in   string
		want Load
		ok   bool
	}{
		{"0.52 0.58 0.59 1/467 12345\n", Load{0.52, 0.58, 0.59}, true},
		{"12.00 3 0", Load{12, 3, 0}, true},
		{"0.5 0.5", unknownLoad, false},
		{"a b c", unknownLoad, false},
		{"-1 0 0", unknownLoad, false},
	}
	for _, tt := range tests {
		got, err := parseLoadavg(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseLoadavg(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestLoadSampler: a sample is reused for loadSampleEvery, then read again; a failed read
// reports the unknown load (-1).
func TestLoadSampler(t *testing.T) {
	reads := 0
	data, fail := "1 2 3 1/1 1", false
	l := &loadSampler{read: func() ([]byte, error) {
		reads++
		if fail {
			return nil, errors.New("no /proc")
		}
		return []byte(data), nil
	}}
	t0 := time.Unix(1000, 0)
	if got := l.sample(t0); got != (Load{1, 2, 3}) || reads != 1 {
		t.Fatalf("first sample = %v after %d reads", got, reads)
	}
	data = "4 5 6 1/1 1"
	if got := l.sample(t0.Add(loadSampleEvery / 2)); got != (Load{1, 2, 3}) || reads != 1 {
		t.Errorf("sample within the period = %v after %d reads, want the cached one", got, reads)
	}
	if got := l.sample(t0.Add(loadSampleEvery)); got != (Load{4, 5, 6}) || reads != 2 {
		t.Errorf("sample after the period = %v after %d reads", got, reads)
	}
	fail = true
	if got := l.sample(t0.Add(3 * loadSampleEvery)); got != unknownLoad {
		t.Errorf("sample with a failing read = %v, want %v", got, unknownLoad)
	}
}

func TestLoadOfThisHost(t *testing.T) {
	var l loadSampler
	got := l.sample(time.Now())
	if got.Avg1 < 0 || got.Avg5 < 0 || got.Avg15 < 0 {
		t.Errorf("load of this host = %v, want the averages of /proc/loadavg", got)
	}
}

// TestParseLoadavgNotFinite: "NaN" and "Inf" parsed as loads, which JSON cannot encode (the
// node protocol's Encode panics on them).
func TestParseLoadavgNotFinite(t *testing.T) {
	for _, in := range []string{"NaN 0 0", "0 inf 0", "0 0 +Infinity"} {
		if l, err := parseLoadavg(in); err == nil {
			t.Errorf("parseLoadavg(%q) = %+v, want an error", in, l)
		}
	}
}
