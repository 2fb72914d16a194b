package ha

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/go-zookeeper/zk"
)

// writeGap is the pause after a refused write before the next attempt.
const writeGap = 5 * time.Millisecond

// ack is the first acknowledged write of a writeUntilAck.
type ack struct {
	at    time.Time
	by    int // replica that acknowledged it
	tries int // attempts over all writers
}

// writeUntilAck posts new applications through each of the targets concurrently, one writer
// per target, each retrying writeGap after a refusal, until one is acknowledged or bound passes.
// Refusals seen before the acknowledgement are added to errs.
func (c *cluster) writeUntilAck(ctx context.Context, targets []int, prefix string, bound time.Duration, errs *tally) (ack, bool) {
	wctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	acks := make(chan ack, len(targets))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		tries int
	)
	for _, i := range targets {
		wg.Go(func() {
			for n := 0; wctx.Err() == nil && n < 100000; n++ {
				mu.Lock()
				tries++
				mu.Unlock()
				rctx, rcancel := context.WithTimeout(wctx, time.Second)
				err := c.postApp(rctx, i, fmt.Sprintf("%s-%s-%d", prefix, c.reps[i].name, n))
				rcancel()
				if err == nil {
					acks <- ack{at: time.Now(), by: i}
					cancel()
					return
				}
				if wctx.Err() != nil {
					return // cancelled by another writer's acknowledgement, or out of time
				}
				errs.add(err)
				sleep(wctx, writeGap)
			}
		})
	}
	wg.Wait()
	close(acks)
	first, ok := ack{}, false
	for a := range acks {
		if !ok || a.at.Before(first.at) {
			first, ok = a, true
		}
	}
	first.tries = tries
	return first, ok
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// failoverStats are the samples of one failover series, in ms from the signal.
type failoverStats struct {
	ack     []float64 // → a new master acknowledged a write
	expiry  []float64 // → /Master deleted (ZooKeeper expired or closed the old session)
	elected []float64 // → "became master" in the new master's log
	exit    []float64 // → the signalled process exited
	failed  int
	// trials in which a survivor's go-zookeeper logged "authentication failed" (every server
	// refused it: the ensemble itself was not serving) between the signal and the ack
	zkOutage int
	errs     tally
}

// runFailover signals the master trials times (SIGKILL or SIGTERM) and times the gap until a
// surviving replica acknowledges a write, restarting the stopped replica after each trial.
func runFailover(ctx context.Context, rep *report, c *cluster, zc *zk.Conn, label string, sig syscall.Signal, trials int) *failoverStats {
	st := &failoverStats{}
	bound := 5*c.timeout + 10*time.Second
	for trial := range trials {
		m, epoch, err := c.waitReady(ctx, 60*time.Second)
		if err != nil {
			rep.note("%s: cluster not ready before trial %d: %v", label, trial, err)
			st.failed++
			return st
		}
		masterGone := watchMaster(zc, c.root)
		exitCh := c.reps[m].exitedAt()
		t0 := time.Now()
		if err := c.reps[m].signal(sig); err != nil {
			rep.note("%s: signal %v to %s: %v", label, sig, c.reps[m].name, err)
			st.failed++
			return st
		}
		var trialErrs tally
		a, ok := c.writeUntilAck(ctx, c.others(m), fmt.Sprintf("fo-%s-%d", label, trial), bound, &trialErrs)
		exitErr := c.reps[m].waitExit(15 * time.Second)
		st.errs.merge(&trialErrs)
		line := fmt.Sprintf("%s trial=%d killed=%s old_epoch=%d", label, trial, c.reps[m].name, epoch)
		if !ok {
			st.failed++
			rep.note("%s trial %d: no write acknowledged within %v after %v of %s; refusals: %s", label, trial, bound, sig, c.reps[m].name, trialErrs.String())
			rep.rawf("%s ack=none", line)
		} else {
			d := ms(a.at.Sub(t0))
			st.ack = append(st.ack, d)
			line += fmt.Sprintf(" ack_ms=%.1f by=%s tries=%d", d, c.reps[a.by].name, a.tries)
			if t, ok := gotBy(masterGone, time.Second); ok {
				st.expiry = append(st.expiry, ms(t.Sub(t0)))
				line += fmt.Sprintf(" master_znode_gone_ms=%.1f", ms(t.Sub(t0)))
			}
			if nm, in := c.master(ctx); nm >= 0 {
				line += fmt.Sprintf(" new_master=%s new_epoch=%d", c.reps[nm].name, in.Epoch)
				if t, ok := c.firstLogAfter(nm, `msg="became master"`, t0); ok {
					st.elected = append(st.elected, ms(t.Sub(t0)))
					line += fmt.Sprintf(" became_master_log_ms=%.0f", ms(t.Sub(t0)))
				}
			}
		}
		if ok {
			// Survivors that found no ZooKeeper server to talk to: an ensemble outage, not Floe.
			n := 0
			for _, j := range c.others(m) {
				for _, t := range c.logTimes(j, "authentication failed") {
					if !t.Before(t0) && !t.After(a.at) {
						n++
					}
				}
			}
			if n > 0 {
				st.zkOutage++
				line += fmt.Sprintf(" zk_refused_survivors=%d", n)
			}
		}
		if exitErr == nil {
			if t, ok := gotBy(exitCh, time.Second); ok {
				st.exit = append(st.exit, ms(t.Sub(t0)))
				line += fmt.Sprintf(" exited_ms=%.1f", ms(t.Sub(t0)))
			}
		} else {
			rep.note("%s trial %d: %v", label, trial, exitErr)
			_ = c.reps[m].kill()
		}
		rep.rawf("%s refusals=[%s]", line, trialErrs.String())
		rep.say("%s", line)
		if err := c.reps[m].start(); err != nil {
			rep.note("%s: restart %s: %v", label, c.reps[m].name, err)
			st.failed++
			return st
		}
	}
	if _, _, err := c.waitReady(ctx, 60*time.Second); err != nil {
		rep.note("%s: cluster not ready after the last trial: %v", label, err)
	}
	return st
}

// watchMaster returns a channel that receives the time /Master is deleted (or changes).
func watchMaster(zc *zk.Conn, root string) <-chan time.Time {
	out := make(chan time.Time, 1)
	if zc == nil {
		return out
	}
	ok, _, ch, err := zc.ExistsW(root + "/Master")
	if err != nil || !ok {
		return out
	}
	go func() {
		select {
		case <-ch:
			out <- time.Now()
		case <-time.After(2 * time.Minute):
		}
	}()
	return out
}

func gotBy(ch <-chan time.Time, d time.Duration) (time.Time, bool) {
	select {
	case t := <-ch:
		return t, true
	case <-time.After(d):
		return time.Time{}, false
	}
}
