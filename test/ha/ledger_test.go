package ha_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ledger records every write the tests make, under keys "application/<name>",
// "object/<identity>" and "adapter/<id>". An acknowledged write (2xx, or a successful Ice
// registration) must be what every replica and ZooKeeper hold at the end, unless a later write
// replaced it; a write that failed may or may not have landed, but only until the next
// acknowledged write of the same key: landing after it would be a stale write. Safe for
// concurrent use.
type ledger struct {
	mu   sync.Mutex
	recs map[string]*entry
}

type entry struct {
	acked string   // value of the last acknowledged write; "" = absent
	maybe []string // values of failed writes since then
}

func (e *entry) accepts(v string) bool { return v == e.acked || slices.Contains(e.maybe, v) }

func (l *ledger) entry(key string) *entry {
	if l.recs == nil {
		l.recs = map[string]*entry{}
	}
	if l.recs[key] == nil {
		l.recs[key] = &entry{}
	}
	return l.recs[key]
}

// ack records an acknowledged write.
func (l *ledger) ack(key, value string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key)
	e.acked, e.maybe = value, nil
}

// record records an HTTP write's outcome and returns an error unless it was acknowledged.
func (l *ledger) record(key, value string, status int, body []byte, err error) error {
	if err == nil && status/100 != 2 {
		err = &statusError{status: status, body: strings.TrimSpace(string(body))}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key)
	if err != nil {
		e.maybe = append(e.maybe, value)
		return err
	}
	e.acked, e.maybe = value, nil
	return nil
}

// snapshot returns a copy of the ledger.
func (l *ledger) snapshot() map[string]entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]entry{}
	for k, e := range l.recs {
		out[k] = entry{acked: e.acked, maybe: slices.Clone(e.maybe)}
	}
	return out
}

// verify waits up to d until every replica in rs, and ZooKeeper for applications, holds for
// every ledger key a value the ledger accepts, all of them the same one.
func (c *cluster) verify(t *testing.T, d time.Duration, rs ...*replica) {
	t.Helper()
	recs := c.ledger.snapshot()
	deadline := time.Now().Add(d)
	for {
		problems := c.check(t, recs, rs)
		if len(problems) == 0 {
			t.Logf("verified %d records on %d replicas and in ZooKeeper: nothing lost, nothing stale", len(recs), len(rs))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the acknowledged writes are not where they belong:\n%s", d, strings.Join(problems, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// check compares every holder's values with the ledger: want is the last acknowledged value
// of each key, except where the holder has an unacknowledged one that may have landed.
func (c *cluster) check(t *testing.T, recs map[string]entry, rs []*replica) []string {
	t.Helper()
	keys := slices.Sorted(maps.Keys(recs))
	held := map[string]map[string]string{} // holder → key → value
	var problems []string
	for _, r := range rs {
		got := map[string]string{}
		for _, k := range keys {
			v, err := current(r, k)
			if err != nil {
				problems = append(problems, fmt.Sprintf("replica %s: %s: %v", r.name, k, err))
			}
			got[k] = v
		}
		held["replica "+r.name] = got
	}
	zk := map[string]string{}
	for _, k := range keys {
		if name, ok := strings.CutPrefix(k, "application/"); ok {
			zk[k], _ = c.zkApp(t, name)
		}
	}
	held["zookeeper"] = zk
	agreed, agreedBy := zk, "zookeeper" // replicas must agree with each other and with ZooKeeper
	for _, holder := range slices.Sorted(maps.Keys(held)) {
		got := held[holder]
		want := map[string]string{}
		for k := range got {
			e := recs[k]
			want[k] = e.acked
			if e.accepts(got[k]) {
				want[k] = got[k]
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			problems = append(problems, fmt.Sprintf("%s holds (-acknowledged +held):\n%s", holder, diff))
		}
		if holder == "zookeeper" {
			continue
		}
		if diff := cmp.Diff(agreed, got, onlyKeysOf(agreed)); diff != "" {
			problems = append(problems, fmt.Sprintf("holders disagree (-%s +%s):\n%s", agreedBy, holder, diff))
		}
		if agreedBy == "zookeeper" {
			agreed, agreedBy = got, holder
		}
	}
	return problems
}

// onlyKeysOf compares two maps on the keys of ref only (ZooKeeper is read for applications
// only).
func onlyKeysOf(ref map[string]string) cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		if mi, ok := p.Last().(cmp.MapIndex); ok {
			_, in := ref[mi.Key().String()]
			return !in
		}
		return false
	}, cmp.Ignore())
}
