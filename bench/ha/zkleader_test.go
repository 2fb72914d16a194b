package ha

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/zktest"
)

// zkLeaderStats are the samples of the ZooKeeper-leader-kill series, in ms from the kill.
type zkLeaderStats struct {
	ack        []float64 // → next acknowledged write through the Floe master
	serving    []float64 // → both surviving servers report leader/follower (srvr every 5 ms)
	rawQuick   []float64 // → first Set by a raw go-zookeeper client without the 1 s back-off
	rawDefault []float64 // → first Set by a raw go-zookeeper client with its default HostProvider
	floeAuth   []float64 // → the Floe master's go-zookeeper logs "authenticated" (session back)
	moved      int       // trials in which Floe's mastership moved (epoch changed)
	failed     int
	errs       tally
	restart    []float64 // killed server restarted → every server serves again
}

const probePath = "/ha-probe"

// runZKLeader kills the ZooKeeper leader trials times and times the gap until the Floe master
// acknowledges a write again, beside raw ZooKeeper probes; the killed server is restarted after
// each trial. It must run on the benchmark's goroutine (zktest's rule).
func runZKLeader(ctx context.Context, rep *report, c *cluster, ens *zktest.Ensemble, zc *zk.Conn, trials int, logDir string) *zkLeaderStats {
	st := &zkLeaderStats{}
	bound := 5*c.timeout + 10*time.Second
	zq, err := zkClient(ens.Addrs(), 4*time.Second, true)
	if err != nil {
		rep.note("zk-leader: raw client: %v", err)
		st.failed++
		return st
	}
	defer zq.Close()
	if _, err := zq.Create(probePath, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
		rep.note("zk-leader: create %s: %v", probePath, err)
	}
	for trial := range trials {
		m, epoch, err := c.waitReady(ctx, 60*time.Second)
		if err != nil {
			rep.note("zk-leader: cluster not ready before trial %d: %v", trial, err)
			st.failed++
			return st
		}
		leader := ens.Leader()
		var survivors []string
		for i, a := range ens.Addrs() {
			if i != leader {
				survivors = append(survivors, a)
			}
		}
		pctx, pcancel := context.WithTimeout(ctx, bound)
		t0 := time.Now()
		ens.Kill(leader)
		servingCh := ensembleServing(pctx, survivors)
		quickCh := firstWrite(pctx, zq, probePath)
		defaultCh := firstWrite(pctx, zc, probePath)
		var trialErrs tally
		a, ok := c.writeUntilAck(ctx, []int{m}, fmt.Sprintf("zk-%d", trial), bound, &trialErrs)
		st.errs.merge(&trialErrs)
		line := fmt.Sprintf("zk-leader trial=%d killed_zk=%d floe_master=%s epoch=%d", trial, leader, c.reps[m].name, epoch)
		if ok {
			st.ack = append(st.ack, ms(a.at.Sub(t0)))
			line += fmt.Sprintf(" ack_ms=%.1f tries=%d", ms(a.at.Sub(t0)), a.tries)
		} else {
			st.failed++
			line += " ack=none"
			rep.note("zk-leader trial %d: no write acknowledged within %v; refusals: %s", trial, bound, trialErrs.String())
		}
		for _, p := range []struct {
			name string
			ch   <-chan time.Time
			dst  *[]float64
		}{{"zk_serving_ms", servingCh, &st.serving}, {"raw_quick_set_ms", quickCh, &st.rawQuick}, {"raw_default_set_ms", defaultCh, &st.rawDefault}} {
			if t, ok := gotBy(p.ch, 10*time.Second); ok {
				*p.dst = append(*p.dst, ms(t.Sub(t0)))
				line += fmt.Sprintf(" %s=%.1f", p.name, ms(t.Sub(t0)))
			}
		}
		pcancel()
		if t, ok := c.firstLogAfter(m, "authenticated: id=", t0); ok {
			st.floeAuth = append(st.floeAuth, ms(t.Sub(t0)))
			line += fmt.Sprintf(" floe_master_reauthenticated_log_ms=%.0f", ms(t.Sub(t0)))
		}
		if nm, in := c.master(ctx); nm >= 0 {
			line += fmt.Sprintf(" master_after=%s epoch_after=%d", c.reps[nm].name, in.Epoch)
			if in.Epoch != epoch {
				st.moved++
			}
		}
		restarted := time.Now()
		ens.Start(leader)
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err = ens.WaitServing(wctx)
		cancel()
		if err != nil {
			rep.note("zk-leader: ZooKeeper server %d restarted, but the ensemble does not serve: %v", leader, err)
			if err := recoverEnsemble(ctx, rep, ens, logDir); err != nil {
				rep.note("zk-leader: ensemble not recovered: %v", err)
				st.failed++
				return st
			}
		}
		st.restart = append(st.restart, ms(time.Since(restarted)))
		rep.rawf("%s refusals=[%s]", line, trialErrs.String())
		rep.say("%s", line)
		// Let the replicas' sessions settle (reconnects, pings) before the next kill.
		sleep(ctx, time.Second)
	}
	return st
}
