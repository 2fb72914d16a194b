package ha

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// percentile is the nearest-rank percentile (p in [0,1]) of xs; NaN when xs is empty. With 20
// samples p99 is the maximum.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

func median(xs []float64) float64 { return percentile(xs, 0.5) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fmtNum prints a number with a precision that suits its size; "-" for NaN.
func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// row is one line of the summary table.
type row struct {
	phase, metric    string
	n                int
	p50, p99, maxVal string
	target, result   string
	note             string
}

// report collects rows, notes and raw lines, and echoes progress.
type report struct {
	mu    sync.Mutex
	rows  []row
	notes []string
	out   io.Writer // progress: stderr and ha.log
	raw   io.Writer // one line per trial or write
}

func (r *report) say(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, "[ha %s] %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

func (r *report) rawf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.raw, format+"\n", args...)
}

func (r *report) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.say("note: %s", s)
	r.mu.Lock()
	r.notes = append(r.notes, s)
	r.mu.Unlock()
}

func (r *report) add(rw row) {
	r.mu.Lock()
	r.rows = append(r.rows, rw)
	r.mu.Unlock()
	r.say("%s | %s | n=%d p50=%s p99=%s max=%s | target %s | %s", rw.phase, rw.metric, rw.n, rw.p50, rw.p99, rw.maxVal, rw.target, rw.result)
}

// latencyRow summarises millisecond samples against "p99 ≤ limit" (limit ≤ 0: informational).
func latencyRow(phase, metric string, xs []float64, limit float64, failed int, note string) row {
	rw := row{phase: phase, metric: metric, n: len(xs), p50: fmtNum(percentile(xs, 0.5)),
		p99: fmtNum(percentile(xs, 0.99)), maxVal: fmtNum(percentile(xs, 1)), result: "info", target: "-", note: note}
	if limit > 0 {
		rw.target = "p99 ≤ " + fmtNum(limit) + " ms"
		rw.result = verdict(len(xs) > 0 && failed == 0 && percentile(xs, 0.99) <= limit)
	}
	if failed > 0 {
		rw.note = strings.TrimSpace(fmt.Sprintf("%d trial(s) failed; %s", failed, rw.note))
	}
	return rw
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// markdown renders the summary table and the notes.
func (r *report) markdown(header string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n| phase | measured | n | p50 | p99 | max | target | result | notes |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, rw := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n",
			rw.phase, rw.metric, rw.n, rw.p50, rw.p99, rw.maxVal, rw.target, rw.result, rw.note)
	}
	pass, fail := 0, 0
	for _, rw := range r.rows {
		switch rw.result {
		case "PASS":
			pass++
		case "FAIL":
			fail++
		}
	}
	fmt.Fprintf(&b, "\nTargets: %d PASS, %d FAIL.\n", pass, fail)
	if len(r.notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range r.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

// tally counts errors by class (digits and addresses masked) and keeps one sample per class.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
	sample map[string]string
}

var digits = regexp.MustCompile(`[0-9]+`)

func (t *tally) add(err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	class := digits.ReplaceAllString(msg, "N")
	if len(class) > 90 {
		class = class[:90]
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts, t.sample = map[string]int{}, map[string]string{}
	}
	t.counts[class]++
	if _, ok := t.sample[class]; !ok {
		t.sample[class] = msg
	}
}

func (t *tally) merge(o *tally) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts, t.sample = map[string]int{}, map[string]string{}
	}
	for k, n := range o.counts {
		t.counts[k] += n
		if _, ok := t.sample[k]; !ok {
			t.sample[k] = o.sample[k]
		}
	}
}

// String lists the classes, most frequent first, each with a sample.
func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.counts) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(t.counts))
	for k := range t.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return t.counts[keys[i]] > t.counts[keys[j]] })
	var parts []string
	for _, k := range keys {
		s := t.sample[k]
		if len(s) > 160 {
			s = s[:160] + "…"
		}
		parts = append(parts, fmt.Sprintf("%d× %q", t.counts[k], s))
	}
	return strings.Join(parts, "; ")
}
