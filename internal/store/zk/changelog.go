package zk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-zookeeper/zk"
)

// The change log makes registrations cheap to follow. Without it a replica learns of a new
// adapter from a children event on /Adapters and must list the whole directory — O(adapters)
// for ZooKeeper and for every replica, after every registration. With it, every unfenced write
// (adapter or object, set or delete) also creates, in the same multi-op, a persistent entry
// /Changes/<writer>/e-<counter> whose content carries the records it changed, with their new
// content: a reader applies them without reading the records.
//
// The writer numbers its entries itself, 0, 1, 2, … with no gap, rather than letting ZooKeeper
// number sequential znodes: ZooKeeper's number is the directory's child version, which every
// trim moves on, so a reader could not know the next name. Knowing it, a reader never lists a
// log: it reads e-<next> and, once that does not exist yet, leaves an exists watch on it, so
// following a peer costs two small requests per entry whatever the log's length. The directory
// watches on /Adapters and /Objects remain as a slow safety net for changes made outside Floe.
//
// Each writer trims its own directory, oldest first, and records in the directory's content
// the lowest entry it kept (the low-water mark): a reader whose next entry is below it has
// missed some and resyncs everything.
//
// Writes to one key through two replicas must not be applied out of order by a reader that
// reads one writer's log before the other's: every record version a replica applies is tagged
// with the zxid of the transaction that wrote it — the entry's, which the multi-op's last
// operation (a set of the entry it just created) returns to the writer and which the entry's
// stat gives the reader, or the record's own when it is read — and a version no newer than
// the one applied is dropped (see applied).

const (
	// logKeep is how many entries a writer keeps in its log directory; it trims when it has
	// twice as many. A reader further behind than that resyncs.
	logKeep = 1000
	// entryPrefix starts every entry's name; ten digits of counter follow.
	entryPrefix = "e-"
)

// changeLog is a writer's side of the log. Commits are serialized by the batcher, so one
// entry at most is being created at any time.
type changeLog struct {
	mu        sync.Mutex
	next      int64   // counter of the next entry
	uncertain bool    // the create of entry next failed on the connection: it may exist
	own       []int64 // counters of the entries this writer has not trimmed, ascending
	trimming  bool
}

// entryName is the name of entry n.
func entryName(n int64) string { return fmt.Sprintf("%s%010d", entryPrefix, n) }

// entryPath is the znode of this writer's entry n.
func (s *Store) entryPath(n int64) string { return s.paths.myLog + "/" + entryName(n) }

// logChange is one change an entry carries.
type logChange struct {
	path    string // absolute znode path of the record
	deleted bool
	data    []byte // the record's new content, unless deleted
}

// entryContent encodes the changes of batch: for each write, '+' or '-' (delete), the record's
// path relative to the root as a uvarint length and bytes, and for '+' the record's content,
// likewise.
func (s *Store) entryContent(batch []*write) []byte {
	var out []byte
	for _, w := range batch {
		rel := strings.TrimPrefix(w.path, s.paths.root+"/")
		if w.data == nil {
			out = append(out, '-')
			out = binary.AppendUvarint(out, uint64(len(rel)))
			out = append(out, rel...)
			continue
		}
		out = append(out, '+')
		out = binary.AppendUvarint(out, uint64(len(rel)))
		out = append(out, rel...)
		out = binary.AppendUvarint(out, uint64(len(w.data)))
		out = append(out, w.data...)
	}
	return out
}

// parseEntry decodes an entry's content: the changes up to the first malformed one, and an
// error if there is one (any ZooKeeper client can write an entry; what it names is re-read
// by the safety net).
func (s *Store) parseEntry(data []byte) ([]logChange, error) {
	var out []logChange
	field := func() ([]byte, bool) {
		n, k := binary.Uvarint(data)
		if k <= 0 || k > 1 && data[k-1] == 0 || n > uint64(len(data)-k) { // short, overlong, or past the end
			return nil, false
		}
		f := data[k : k+int(n)]
		data = data[k+int(n):]
		return f, true
	}
	for len(data) > 0 {
		op := data[0]
		data = data[1:]
		rel, ok := field()
		if !ok || len(rel) == 0 || (op != '+' && op != '-') {
			return out, errors.New("malformed change-log entry")
		}
		c := logChange{path: s.paths.root + "/" + string(rel), deleted: op == '-'}
		if !c.deleted {
			if c.data, ok = field(); !ok {
				return out, errors.New("malformed change-log entry")
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// reserve returns the counter of the next entry. After a create that failed on the
// connection it first asks ZooKeeper whether that entry exists, so that the counter never
// skips a number (a reader would wait for it forever) nor reuses one.
func (s *Store) reserve(sess *session) (int64, error) {
	s.clog.mu.Lock()
	n, uncertain := s.clog.next, s.clog.uncertain
	s.clog.mu.Unlock()
	if !uncertain {
		return n, nil
	}
	ok, _, err := sess.conn.Exists(s.entryPath(n))
	if err != nil {
		return 0, err
	}
	s.clog.mu.Lock()
	defer s.clog.mu.Unlock()
	if ok {
		s.clog.own = append(s.clog.own, n)
		s.clog.next = n + 1
	}
	s.clog.uncertain = false
	return s.clog.next, nil
}

// created records the outcome of creating entry n: err nil, it exists; a connection error, it
// may; any other error, it does not.
func (s *Store) created(sess *session, n int64, err error) {
	s.clog.mu.Lock()
	switch {
	case err == nil:
		s.clog.own = append(s.clog.own, n)
		s.clog.next = n + 1
		s.stats.written.Add(1)
	case isConnErr(err):
		s.clog.uncertain = true
	}
	if len(s.clog.own) < 2*logKeep || s.clog.trimming || err != nil {
		s.clog.mu.Unlock()
		return
	}
	s.clog.trimming = true
	old := slices.Clone(s.clog.own[:len(s.clog.own)-logKeep])
	low := s.clog.own[len(s.clog.own)-logKeep]
	s.clog.mu.Unlock()
	go s.trim(sess, old, low) // trimming is on no write's path
}

// trim deletes old entries of this writer's log and records the new low-water mark in the
// directory's content, in one multi-op: a transaction costs ZooKeeper far more than an
// operation in it.
func (s *Store) trim(sess *session, old []int64, low int64) {
	ops := make([]any, 0, len(old)+1)
	for _, n := range old {
		ops = append(ops, &zk.DeleteRequest{Path: s.entryPath(n), Version: -1})
	}
	ops = append(ops, &zk.SetDataRequest{Path: s.paths.myLog, Data: []byte(strconv.FormatInt(low, 10)), Version: -1})
	done := len(old)
	if _, err := sess.conn.Multi(ops...); err != nil {
		done = 0 // one entry already gone (an earlier run's trim): one by one
		for _, n := range old {
			err := sess.conn.Delete(s.entryPath(n), -1)
			if err != nil && !errors.Is(err, zk.ErrNoNode) {
				s.log.Debug("trimming the change log stopped", "err", err)
				break
			}
			done++
		}
		if done == len(old) {
			if _, err := sess.conn.Set(s.paths.myLog, []byte(strconv.FormatInt(low, 10)), -1); err != nil {
				s.log.Debug("recording the change log's low-water mark failed", "err", err)
			}
		}
	}
	s.clog.mu.Lock()
	s.clog.own = s.clog.own[done:]
	s.clog.trimming = false
	s.clog.mu.Unlock()
}

// loadOwnLog lists this writer's log directory at bootstrap: a restarted replica goes on
// numbering after the entries an earlier run left (or at the low-water mark, if they are all
// gone), and trims them in time.
func (s *Store) loadOwnLog(sess *session) error {
	data, _, err := sess.conn.Get(s.paths.myLog)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.paths.myLog, err)
	}
	names, _, err := sess.conn.Children(s.paths.myLog)
	if err != nil {
		return fmt.Errorf("list %s: %w", s.paths.myLog, err)
	}
	own := entries(names)
	s.clog.mu.Lock()
	defer s.clog.mu.Unlock()
	if !s.clog.trimming {
		s.clog.own = own
	}
	s.clog.next = max(s.clog.next, parseLow(data))
	if len(own) > 0 {
		s.clog.next = max(s.clog.next, own[len(own)-1]+1)
	}
	s.clog.uncertain = false // the listing shows whether the uncertain entry exists
	return nil
}

// entrySeq parses an entry name; ok false for names that are not log entries.
func entrySeq(name string) (int64, bool) {
	digits, ok := strings.CutPrefix(name, entryPrefix)
	if !ok || len(digits) != 10 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// entries returns the counters of the log entries among names, ascending.
func entries(names []string) []int64 {
	var out []int64
	for _, name := range names {
		if n, ok := entrySeq(name); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// parseLow decodes a log directory's low-water mark: 0 for an empty or unreadable one (a
// directory never trimmed).
func parseLow(data []byte) int64 {
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
