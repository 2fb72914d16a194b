package zk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"floe/internal/store"
)

// term is this replica's mastership: the epoch it won and the /Epoch version that fences its
// writes. done is closed when the term ends (session loss, lease expiry, failed fenced write).
type term struct {
	sess         *session
	epoch        int64
	epochVersion int32
	done         chan struct{}
}

// campaign runs the election recipe (reference/zookeeper.md §6.2) for one session: a protected
// ephemeral sequential candidate; the lowest becomes master by creating /Master and bumping
// /Epoch in one multi; the others watch only their predecessor.
func (s *Store) campaign(ctx context.Context, sess *session) {
	node, err := s.candidate(sess)
	if err != nil {
		s.log.WarnContext(ctx, "cannot join the election", "err", err)
		return
	}
	for ctx.Err() == nil {
		wait, err := s.electionStep(ctx, sess, node)
		if err != nil {
			if ctx.Err() == nil {
				s.log.WarnContext(ctx, "election", "err", err)
				sleep(ctx, 200*time.Millisecond)
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-wait:
		}
	}
}

// candidate creates this session's election znode and checks that this session owns it.
func (s *Store) candidate(sess *session) (string, error) {
	node, err := sess.conn.CreateProtectedEphemeralSequential(s.paths.election+"/n_", []byte(s.cfg.Member.Name), s.acl)
	if err != nil {
		return "", err
	}
	_, stat, err := sess.conn.Get(node)
	if err != nil {
		return "", err
	}
	if stat.EphemeralOwner != sess.id {
		return "", fmt.Errorf("candidate %s belongs to session 0x%x, not 0x%x", node, stat.EphemeralOwner, sess.id)
	}
	return path.Base(node), nil
}

// seq extracts the sequence number of a candidate name (the last 10 digits).
func seq(name string) int64 {
	if len(name) < 10 {
		return -1
	}
	n, err := strconv.ParseInt(name[len(name)-10:], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// electionStep checks the queue once. It returns a channel that fires when the step must be
// taken again: the predecessor went away, or this replica's term ended.
func (s *Store) electionStep(ctx context.Context, sess *session, me string) (<-chan struct{}, error) {
	names, _, err := sess.conn.Children(s.paths.election)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(names, func(a, b string) int { return int(seq(a) - seq(b)) })
	i := slices.Index(names, me)
	if i < 0 {
		return nil, fmt.Errorf("candidate %s vanished", me)
	}
	if i == 0 {
		return s.lead(ctx, sess)
	}
	ok, _, ch, err := sess.conn.ExistsW(s.paths.election + "/" + names[i-1])
	if err != nil {
		return nil, err
	}
	wake := make(chan struct{})
	if !ok {
		close(wake)
		return wake, nil
	}
	go func() {
		select {
		case <-ch:
		case <-ctx.Done():
		}
		close(wake)
	}()
	return wake, nil
}

// lead makes this replica master: read /Epoch, then create /Master and bump /Epoch in one
// multi. It returns the term's done channel.
func (s *Store) lead(ctx context.Context, sess *session) (<-chan struct{}, error) {
	data, stat, err := sess.conn.Get(s.paths.epoch)
	if err != nil {
		return nil, err
	}
	epoch, _ := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	next := epoch + 1
	info, _ := json.Marshal(MasterInfo{Name: s.cfg.Member.Name, Epoch: next, HTTP: s.cfg.Member.HTTP})
	var ops []any
	// This session's own /Master from an earlier term (after a lease step-down) is replaced.
	if _, mstat, err := sess.conn.Get(s.paths.master); err == nil && mstat.EphemeralOwner == sess.id {
		ops = append(ops, &zk.DeleteRequest{Path: s.paths.master, Version: mstat.Version})
	}
	ops = append(ops, &zk.CreateRequest{Path: s.paths.master, Data: info, Acl: s.acl, Flags: zk.FlagEphemeral},
		&zk.SetDataRequest{Path: s.paths.epoch, Data: []byte(strconv.FormatInt(next, 10)), Version: stat.Version})
	_, err = sess.conn.Multi(ops...)
	if errors.Is(err, zk.ErrNodeExists) {
		// The previous master's session has not ended yet: wait for its /Master to go.
		ok, _, ch, err := sess.conn.ExistsW(s.paths.master)
		if err != nil {
			return nil, err
		}
		wake := make(chan struct{})
		go func() {
			if ok {
				select {
				case <-ch:
				case <-ctx.Done():
				case <-time.After(s.cfg.SessionTimeout):
				}
			}
			close(wake)
		}()
		return wake, nil
	}
	if err != nil {
		return nil, err
	}
	t := &term{sess: sess, epoch: next, epochVersion: stat.Version + 1, done: make(chan struct{})}
	s.mu.Lock()
	s.term = t
	s.master = MasterInfo{Name: s.cfg.Member.Name, Epoch: next, HTTP: s.cfg.Member.HTTP}
	s.mu.Unlock()
	s.notify()
	s.log.InfoContext(ctx, "became master", "epoch", next)
	return t.done, nil
}

// stepDown ends the current term, if any.
func (s *Store) stepDown(why string) {
	s.mu.Lock()
	t := s.term
	s.term = nil
	s.mu.Unlock()
	if t != nil {
		close(t.done)
		s.log.Warn("stepped down as master", "epoch", t.epoch, "why", why)
		s.notify()
	}
}

// leaseCheck ends the term when ZooKeeper has not been heard from for four fifths of the session
// timeout: by then the ensemble may have expired the session and elected someone else. Fencing
// stops any write that races this check. The session itself is kept: if it survived (a brief
// ZooKeeper hiccup), this replica's candidate is still first in line and it leads again at once
// with a new epoch; if it expired, the session loop starts over.
func (s *Store) leaseCheck(ctx context.Context, sess *session) {
	tick := time.NewTicker(s.cfg.SessionTimeout / 10)
	defer tick.Stop()
	lease := s.cfg.SessionTimeout * 4 / 5
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		last := time.Unix(0, sess.lastRead.Load())
		if s.isMaster() && time.Since(last) > lease {
			s.stepDown(fmt.Sprintf("no word from ZooKeeper for %v", time.Since(last).Round(time.Millisecond)))
		}
	}
}

func (s *Store) isMaster() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.term != nil
}

// fenced runs ops in one multi guarded by the current term's /Epoch version. A failed check
// means a newer master exists: the term ends.
func (s *Store) fenced(ctx context.Context, ops ...any) error {
	s.mu.Lock()
	t := s.term
	master := s.master
	s.mu.Unlock()
	if t == nil {
		if master.Name == "" {
			return store.ErrNoMaster
		}
		return store.ErrNotMaster
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.sess.connected.Load() {
		return fmt.Errorf("zk: master suspended while disconnected from ZooKeeper: %w", store.ErrUnavailable)
	}
	all := append([]any{&zk.CheckVersionRequest{Path: s.paths.epoch, Version: t.epochVersion}}, ops...)
	res, err := t.sess.conn.Multi(all...)
	if err != nil && len(res) > 0 && res[0].Error != nil {
		s.stepDown("fenced write refused: a newer master exists")
		return store.ErrNotMaster
	}
	if errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNodeExists) || errors.Is(err, zk.ErrNoNode) {
		return fmt.Errorf("zk: fenced write: %w: %w", store.ErrConflict, err)
	}
	return unavailable("fenced write", err)
}

// PutApplication writes an application's descriptor (master only, fenced).
func (s *Store) PutApplication(ctx context.Context, a *store.Application) error {
	if len(a.Descriptor) > store.MaxApplicationSize {
		return fmt.Errorf("zk: application %q: %d bytes is over the %d-byte limit", a.Name, len(a.Descriptor), store.MaxApplicationSize)
	}
	p := s.paths.node(store.KindApplication, a.Name)
	if a.Revision <= 1 {
		return s.fenced(ctx, &zk.CreateRequest{Path: p, Data: a.Descriptor, Acl: s.acl})
	}
	return s.fenced(ctx, &zk.SetDataRequest{Path: p, Data: a.Descriptor, Version: int32(a.Revision - 2)})
}

// DeleteApplication removes an application (master only, fenced).
func (s *Store) DeleteApplication(ctx context.Context, name string) error {
	return s.fenced(ctx, &zk.DeleteRequest{Path: s.paths.node(store.KindApplication, name), Version: -1})
}
