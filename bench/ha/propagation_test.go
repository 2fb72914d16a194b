package ha

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// pollGap is the pause between two lookups of one poller (each lookup is a loopback round
// trip, about 0.1–0.3 ms here), so the resolution is a few tenths of a millisecond.
const pollGap = 100 * time.Microsecond

// propKind is one kind of write whose propagation is measured.
type propKind struct {
	name  string
	how   string
	write func(ctx context.Context, c *cluster, w int, id string) error
	seen  func(ctx context.Context, c *cluster, j int, id string) (bool, error)
}

var propKinds = []propKind{
	{
		name: "object", how: "HTTP POST /api/v1/objects on replica i%3; seen = Ice findObjectById",
		write: func(ctx context.Context, c *cluster, w int, id string) error { return c.postObject(ctx, w, id) },
		seen:  func(ctx context.Context, c *cluster, j int, id string) (bool, error) { return c.findObject(ctx, j, id) },
	},
	{
		name: "adapter", how: "Ice setAdapterDirectProxy on replica i%3's LocatorRegistry; seen = Ice findAdapterById",
		write: func(ctx context.Context, c *cluster, w int, id string) error { return c.setAdapter(ctx, w, id) },
		seen: func(ctx context.Context, c *cluster, j int, id string) (bool, error) {
			return c.findAdapter(ctx, j, id)
		},
	},
	{
		name: "application", how: "HTTP POST /api/v1/applications on replica i%3 (slaves forward); seen = HTTP GET /api/v1/applications/{name}",
		write: func(ctx context.Context, c *cluster, w int, id string) error { return c.postApp(ctx, w, id) },
		seen:  func(ctx context.Context, c *cluster, j int, id string) (bool, error) { return c.hasApp(ctx, j, id) },
	},
}

// propStats are one kind's samples.
type propStats struct {
	all      []float64 // ack → the last other replica serves it (ms; negative: before the ack)
	each     []float64 // ack → each other replica serves it
	write    []float64 // issue → ack
	ryw      int       // the acknowledging replica did not serve it right after the ack
	rywSlave int       // … of which the acknowledging replica was a slave
	rywLag   []float64 // ack → the acknowledging replica served it, for violations
	missing  int       // not seen by some replica within the bound
	failed   int       // writes refused
	errs     tally
	rawAck   []float64 // raw ZooKeeper, one sample after each write: setData ack → watch event
	rawCall  []float64 // … setData call → watch event
	slow     int       // (write, replica) pairs over 10 ms
	// … of which the lagging replica's go-zookeeper re-established its connection between 2 s
	// before the ack and the moment the replica served the write
	slowReconnect int
}

type lag struct {
	j           int
	acked, seen time.Time
}

// reconnected counts the slow samples whose replica logged a ZooKeeper (re)authentication in
// [ack - 2 s, seen].
func reconnected(c *cluster, slow []lag) int {
	auth := map[int][]time.Time{}
	n := 0
	for _, s := range slow {
		if _, ok := auth[s.j]; !ok {
			auth[s.j] = c.logTimes(s.j, "authenticated: id=")
		}
		for _, t := range auth[s.j] {
			if !t.Before(s.acked.Add(-2*time.Second)) && !t.After(s.seen) {
				n++
				break
			}
		}
	}
	return n
}

// runPropagation performs writes writes of kind k, rotating the replica that receives them, and
// times when the other replicas serve each one. Pollers start before the write is sent. After
// each write, probe (if not nil) takes one raw ZooKeeper sample, so both see the same machine.
func runPropagation(ctx context.Context, rep *report, c *cluster, k propKind, writes int, stamp string, probe *watchProbe) *propStats {
	st := &propStats{}
	const bound = 3 * time.Second
	m, _, err := c.waitReady(ctx, 60*time.Second)
	if err != nil {
		rep.note("propagation %s: cluster not ready: %v", k.name, err)
		st.failed = writes
		return st
	}
	var slow []lag
	defer func() { st.slow, st.slowReconnect = len(slow), reconnected(c, slow) }()
	for i := range writes {
		if ctx.Err() != nil {
			break
		}
		w := i % len(c.reps)
		id := fmt.Sprintf("ha-%s-%s-%d", stamp, k.name, i)
		seenAt := make([]time.Time, len(c.reps))
		pctx, cancel := context.WithTimeout(ctx, bound)
		var wg sync.WaitGroup
		for _, j := range c.others(w) {
			wg.Go(func() {
				for n := 0; pctx.Err() == nil && n < 1000000; n++ {
					ok, err := k.seen(pctx, c, j, id)
					if ok {
						seenAt[j] = time.Now()
						return
					}
					if err != nil && pctx.Err() == nil {
						st.errs.add(fmt.Errorf("lookup on %s: %w", c.reps[j].name, err))
					}
					sleep(pctx, pollGap)
				}
			})
		}
		issued := time.Now()
		werr := k.write(pctx, c, w, id)
		acked := time.Now()
		if werr != nil {
			cancel()
			wg.Wait()
			st.failed++
			st.errs.add(fmt.Errorf("write on %s: %w", c.reps[w].name, werr))
			continue
		}
		ok, _ := k.seen(pctx, c, w, id) // read-your-writes on the replica that acknowledged it
		if !ok {
			st.ryw++
			if w != m {
				st.rywSlave++
			}
			for n := 0; !ok && pctx.Err() == nil && n < 1000000; n++ {
				sleep(pctx, pollGap)
				ok, _ = k.seen(pctx, c, w, id)
			}
			if ok {
				st.rywLag = append(st.rywLag, ms(time.Since(acked)))
			}
		}
		wg.Wait()
		cancel()
		worst, complete := time.Duration(0), true
		line := fmt.Sprintf("propagation kind=%s i=%d writer=%s write_ms=%.2f ryw=%v", k.name, i, c.reps[w].name, ms(acked.Sub(issued)), ok)
		for _, j := range c.others(w) {
			if seenAt[j].IsZero() {
				complete = false
				line += fmt.Sprintf(" %s=missing", c.reps[j].name)
				continue
			}
			d := seenAt[j].Sub(acked)
			st.each = append(st.each, ms(d))
			if d > 10*time.Millisecond {
				slow = append(slow, lag{j: j, acked: acked, seen: seenAt[j]})
			}
			worst = max(worst, d)
			line += fmt.Sprintf(" %s_ms=%.2f", c.reps[j].name, ms(d))
		}
		st.write = append(st.write, ms(acked.Sub(issued)))
		if complete {
			st.all = append(st.all, ms(worst))
		} else {
			st.missing++
		}
		if probe != nil {
			if fromAck, fromCall, err := probe.sample(); err == nil {
				st.rawAck, st.rawCall = append(st.rawAck, ms(fromAck)), append(st.rawCall, ms(fromCall))
				line += fmt.Sprintf(" raw_zk_ack_to_watch_ms=%.2f", ms(fromAck))
			} else {
				st.errs.add(fmt.Errorf("raw ZooKeeper probe: %w", err))
			}
		}
		rep.rawf("%s", line)
		sleep(ctx, 2*time.Millisecond)
	}
	return st
}
