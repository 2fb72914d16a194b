package zk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/go-zookeeper/zk"
)

// register creates this replica's ephemeral /Registrys/<name>. A znode of that name owned by
// another session is either a crashed previous incarnation, whose session ends within the
// session timeout, or a live replica with the same name: wait for it to go, then give up.
func (s *Store) register(ctx context.Context, sess *session) error {
	data, err := json.Marshal(s.cfg.Member)
	if err != nil {
		return err
	}
	p := s.paths.registrys + "/" + s.cfg.Member.Name
	deadline := time.Now().Add(s.cfg.SessionTimeout + 2*time.Second)
	for {
		_, err := sess.conn.Create(p, data, zk.FlagEphemeral, s.acl)
		if !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
		_, stat, ch, err := sess.conn.GetW(p)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return err
		}
		if stat.EphemeralOwner == sess.id {
			return nil // an earlier attempt of ours succeeded before a connection loss
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("another live replica is registered as %q (session 0x%x): replica names must be unique",
				s.cfg.Member.Name, stat.EphemeralOwner)
		}
		s.log.InfoContext(ctx, "waiting for a previous registration of this replica to expire", "owner", fmt.Sprintf("0x%x", stat.EphemeralOwner))
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// setMaster publishes who the master is.
func (s *Store) setMaster(m MasterInfo) {
	s.mu.Lock()
	if t := s.term; t != nil {
		// A read of /Master that raced this replica's own election (nothing there yet, or the
		// previous master) must not depose it; only a newer epoch does. Fencing guards the rest.
		if m.Name == "" || m.Epoch < t.epoch || (m.Name == s.cfg.Member.Name && m.Epoch == t.epoch) {
			s.mu.Unlock()
			return
		}
		s.master = m
		s.mu.Unlock()
		s.stepDown("/Master names a newer master")
		return
	}
	changed := s.master != m
	s.master = m
	s.mu.Unlock()
	if changed {
		s.notify()
	}
}

// notify wakes everyone waiting in Changes.
func (s *Store) notify() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// Changes returns a channel closed at the next change of role, master or connection state.
func (s *Store) Changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Status describes this replica's view.
type Status struct {
	Role      string     `json:"role"` // master or slave
	Epoch     int64      `json:"epoch"`
	Master    MasterInfo `json:"master"`
	ZooKeeper string     `json:"zookeeper"` // connected, disconnected, unreachable, …
	Session   string     `json:"session"`
}

// Status returns the current status.
func (s *Store) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Role: "slave", Master: s.master, ZooKeeper: s.state, Epoch: s.master.Epoch}
	if s.term != nil {
		st.Role, st.Epoch = "master", s.term.epoch
	}
	if s.sess != nil {
		st.Session = fmt.Sprintf("0x%x", s.sess.id)
	}
	return st
}

// decodeMember reads /Registrys/<name>. The znode's name is the replica's, whatever the content
// says (it is what makes the registration unique); fields that do not decode are left empty,
// the others kept, so that a replica of another version is still listed.
func decodeMember(name string, data []byte) Member {
	var m Member
	_ = json.Unmarshal(data, &m)
	m.Name = name
	return m
}

// Registries lists the live replicas from /Registrys.
func (s *Store) Registries(ctx context.Context) ([]Member, error) {
	sess, err := s.current()
	if err != nil {
		return nil, err
	}
	names, _, err := sess.conn.Children(s.paths.registrys)
	if err != nil {
		return nil, unavailable("list registries", err)
	}
	var out []Member
	for _, n := range names {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		data, _, err := sess.conn.Get(s.paths.registrys + "/" + n)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, unavailable("read registry", err)
		}
		out = append(out, decodeMember(n, data))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
