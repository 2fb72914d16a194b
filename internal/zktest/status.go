package zktest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

const pollInterval = 50 * time.Millisecond

// status is one srvr round over the ensemble.
type status struct {
	modes   []string // per server: a srvr mode, "" (not serving), "paused", "down" or an error
	leaders []int    // indexes of live servers that lead
	ready   bool     // every live server serves, exactly one leads
	crashed []int    // servers that exited without Kill or Stop
}

// poll asks every live server for its mode, concurrently.
func (e *Ensemble) poll(ctx context.Context) status {
	st := status{modes: make([]string, len(e.servers))}
	type answer struct {
		mode string
		err  error
	}
	answers := make([]chan answer, len(e.servers))
	for i, s := range e.servers {
		s.mu.Lock()
		run, paused, crashed := s.running(), s.paused, s.crashed()
		s.mu.Unlock()
		switch {
		case crashed:
			st.modes[i] = "exited"
			st.crashed = append(st.crashed, i)
		case !run:
			st.modes[i] = "down"
		case paused:
			st.modes[i] = "paused"
		default:
			answers[i] = make(chan answer, 1)
			go func() {
				m, err := serverMode(ctx, s.addr())
				answers[i] <- answer{m, err}
			}()
		}
	}
	st.ready = true
	live := 0
	for i, ch := range answers {
		if ch == nil {
			continue
		}
		live++
		a := <-ch
		switch {
		case a.err != nil:
			st.modes[i] = "error: " + a.err.Error()
		case a.mode == "":
			st.modes[i] = "not serving"
		default:
			st.modes[i] = a.mode
		}
		if !serving(a.mode) {
			st.ready = false
		}
		if leading(a.mode) {
			st.leaders = append(st.leaders, i)
		}
	}
	if live == 0 || len(st.leaders) != 1 {
		st.ready = false
	}
	return st
}

func (st status) String() string {
	parts := make([]string, len(st.modes))
	for i, m := range st.modes {
		parts[i] = fmt.Sprintf("%d=%s", i, m)
	}
	return strings.Join(parts, " ")
}

// WaitServing waits until every running, unpaused server answers srvr as leader, follower
// or standalone and exactly one of them leads. Killed, stopped and paused servers are not
// waited for, but at least one server must be live. It returns ctx's error, with the last
// status, if that does not happen before ctx is done.
func (e *Ensemble) WaitServing(ctx context.Context) error {
	for {
		st := e.poll(ctx)
		if st.ready {
			return nil
		}
		if len(st.crashed) > 0 {
			return fmt.Errorf("%w: servers %v (%v)", errExited, st.crashed, st)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for ensemble to serve (%v): %w", st, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// Leader returns the index of the server that leads now (a standalone server leads
// itself), waiting up to 30 s for exactly one running, unpaused server to claim it. A paused
// former leader is ignored. It calls t.Fatal with the logs when there is none.
func (e *Ensemble) Leader() int {
	e.t.Helper()
	i, err := e.leader(leaderTimeout)
	if err != nil {
		e.t.Fatalf("zktest: Leader: %v\n%s", err, e.Logs())
	}
	return i
}

var (
	errNoLeader = errors.New("no single leader")
	errExited   = errors.New("exited unexpectedly")
)

func (e *Ensemble) leader(d time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		st := e.poll(ctx)
		if len(st.leaders) == 1 {
			return st.leaders[0], nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("%w within %v (%v)", errNoLeader, d, st)
		case <-time.After(pollInterval):
		}
	}
}
