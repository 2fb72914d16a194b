package ha

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/zktest"
)

// runCluster starts three replicas with session timeout to and runs the phases on them: every
// phase on the first cluster, only the kill -9 failover on the others. false: stop the run.
func runCluster(ctx context.Context, b *testing.B, rep *report, cfg config, ens *zktest.Ensemble, zc *zk.Conn,
	bin, lb, dir, label string, to time.Duration, first bool) bool {
	b.Helper()
	c, err := newCluster(bin, ens.Servers(), "/ha-"+label, to, dir, cfg.debug)
	if err != nil {
		b.Fatal(err)
	}
	started := time.Now()
	defer func() {
		c.stop()
		connectionNotes(rep, c, label, time.Since(started))
		copyLogs(rep, c, filepath.Join(cfg.out, "logs"), label)
	}()
	if err := c.start(); err != nil {
		b.Fatal(err)
	}
	if _, _, err := c.waitReady(ctx, 60*time.Second); err != nil {
		rep.note("%s: cluster did not become ready: %v", label, err)
		return false
	}
	rep.say("%s: 3 replicas ready after %v (SessionTimeout %v)", label, time.Since(started).Round(time.Millisecond), to)
	stamp := strconv.FormatInt(time.Now().Unix(), 36)
	logDir := filepath.Join(cfg.out, "logs")
	healthy := func(phase string) {
		if err := recoverEnsemble(ctx, rep, ens, logDir); err != nil {
			rep.note("before %s: ZooKeeper ensemble not serving: %v", phase, err)
		}
		c.ensureReady(ctx, rep, phase)
	}
	if first && cfg.phases["propagation"] {
		healthy("propagation")
		probe, err := newWatchProbe(ens)
		if err != nil {
			rep.note("raw ZooKeeper watch probe: %v", err)
			probe = nil
		}
		propagationPhase(ctx, rep, c, cfg.writes, stamp, probe)
		if probe != nil {
			probe.close()
		}
	}
	if cfg.phases["failover"] {
		healthy("failover")
		rep.say("%s: failover, kill -9 of the master, %d trials", label, cfg.trials)
		st := runFailover(ctx, rep, c, zc, label, syscall.SIGKILL, cfg.trials)
		failoverRows(rep, st, fmt.Sprintf("failover (SessionTimeout %d ms)", to.Milliseconds()), "kill -9 master", ms(to)+1000)
	}
	if first && cfg.phases["graceful"] {
		healthy("graceful")
		rep.say("%s: graceful failover, SIGTERM of the master, %d trials", label, cfg.gracefulTrials)
		st := runFailover(ctx, rep, c, zc, label+"-term", syscall.SIGTERM, cfg.gracefulTrials)
		failoverRows(rep, st, fmt.Sprintf("graceful stop (SessionTimeout %d ms)", to.Milliseconds()), "SIGTERM master", 300)
	}
	if first && cfg.phases["zkleader"] {
		healthy("zkleader")
		rep.say("%s: ZooKeeper leader kill -9, %d trials", label, cfg.zkTrials)
		st := runZKLeader(ctx, rep, c, ens, zc, cfg.zkTrials, logDir)
		phase := fmt.Sprintf("ZooKeeper leader kill (SessionTimeout %d ms)", to.Milliseconds())
		rep.add(latencyRow(phase, "kill -9 ZK leader → next write acked by the Floe master (HTTP POST every 5 ms)", st.ack, 600, st.failed,
			fmt.Sprintf("Floe mastership moved in %d of %d trials", st.moved, len(st.ack))))
		rep.add(latencyRow(phase, "… → Floe master's go-zookeeper logs \"authenticated\" (session re-established)", st.floeAuth, 0, 0, "needs HA_FLOE_DEBUG=1"))
		rep.add(latencyRow(phase, "… → both surviving ZK servers report leader/follower (srvr every 5 ms)", st.serving, 0, 0, "raw ensemble, same trials"))
		rep.add(latencyRow(phase, "… → first Set by a raw go-zookeeper client, no 1 s back-off", st.rawQuick, 0, 0, "raw client, same trials"))
		rep.add(latencyRow(phase, "… → first Set by a raw go-zookeeper client, default HostProvider", st.rawDefault, 0, 0, "raw client, same trials"))
		rep.note("ZooKeeper leader kill: refusals seen by the writer before the acknowledgement: %s", st.errs.String())
	}
	if first && cfg.phases["registrations"] {
		healthy("registrations")
		registrationPhase(ctx, rep, c, zc, lb, cfg, filepath.Join(dir, "icegrid"))
	}
	return true
}

// failoverRows adds a failover series to the summary: the target row and its breakdown.
func failoverRows(rep *report, st *failoverStats, phase, what string, limit float64) {
	note := ""
	if st.zkOutage > 0 {
		note = fmt.Sprintf("in %d trial(s) the survivors were refused by every ZooKeeper server for a while (ensemble not serving; see ha-raw.txt zk_refused_survivors)", st.zkOutage)
	}
	rep.add(latencyRow(phase, what+" → new master acknowledges a write (POST through a survivor)", st.ack, limit, st.failed, note))
	rep.add(latencyRow(phase, what+" → /Master znode gone (ZooKeeper watch)", st.expiry, 0, 0, ""))
	rep.add(latencyRow(phase, what+" → \"became master\" in the new master's log (ms clock)", st.elected, 0, 0, ""))
	if strings.Contains(what, "SIGTERM") {
		rep.add(latencyRow(phase, what+" → old master process exited", st.exit, 0, 0, ""))
	}
	rep.note("%s: refusals seen by the writers before the acknowledgement: %s", phase, st.errs.String())
}

// propagationPhase measures every write kind, then reports the interleaved raw ZooKeeper probe.
func propagationPhase(ctx context.Context, rep *report, c *cluster, writes int, stamp string, probe *watchProbe) {
	var rawAck, rawCall []float64
	for _, k := range propKinds {
		rep.say("propagation: %d %s writes (%s)", writes, k.name, k.how)
		st := runPropagation(ctx, rep, c, k, writes, stamp, probe)
		rawAck, rawCall = append(rawAck, st.rawAck...), append(rawCall, st.rawCall...)
		phase := "propagation: " + k.name
		rep.add(latencyRow(phase, "ack → every other replica serves it", st.all, 10, st.failed+st.missing,
			fmt.Sprintf("%s; not seen within 3 s: %d", k.how, st.missing)))
		rep.add(latencyRow(phase, "ack → each other replica serves it", st.each, 0, 0,
			fmt.Sprintf("%d samples over 10 ms, %d of them with a ZooKeeper reconnection of that replica within 2 s before", st.slow, st.slowReconnect)))
		rep.add(latencyRow(phase, "issue → ack (write latency)", st.write, 0, 0, ""))
		rw := row{phase: phase, metric: "read-your-writes violations (acknowledging replica did not serve it at once)",
			n: len(st.write), p50: "-", p99: "-", maxVal: "-", target: "0", result: verdict(st.ryw == 0 && len(st.write) > 0),
			note: fmt.Sprintf("%d violations, %d of them on a slave; lag to visible p50 %s / max %s ms",
				st.ryw, st.rywSlave, fmtNum(median(st.rywLag)), fmtNum(percentile(st.rywLag, 1)))}
		rep.add(rw)
		if s := st.errs.String(); s != "none" {
			rep.note("propagation %s: errors: %s", k.name, s)
		}
	}
	phase := "propagation: raw ZooKeeper, interleaved"
	rep.add(latencyRow(phase, "setData ack (client on follower A) → data watch fires (client on follower B)", rawAck, 0, 0,
		"one go-zookeeper sample after each Floe write above: the floor under Floe's ack → other replica"))
	rep.add(latencyRow(phase, "setData call → data watch fires on the other follower", rawCall, 0, 0, ""))
}

// connectionNotes counts, in each replica's log, go-zookeeper connection drops by read timeout,
// session re-establishments and mastership losses, for the notes (needs HA_FLOE_DEBUG=1 for the
// first two).
func connectionNotes(rep *report, c *cluster, label string, up time.Duration) {
	var parts []string
	for i, r := range c.reps {
		parts = append(parts, fmt.Sprintf("%s: %d read timeouts, %d (re)authentications, %d lease step-downs",
			r.name, len(c.logTimes(i, "i/o timeout")), len(c.logTimes(i, "authenticated: id=")),
			len(c.logTimes(i, "no word from ZooKeeper"))))
	}
	rep.note("%s: ZooKeeper connections over %.0f s (with restarts): %s", label, up.Seconds(), strings.Join(parts, "; "))
}
