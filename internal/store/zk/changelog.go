package zk

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-zookeeper/zk"
)

// The change log makes registrations cheap to follow. Without it a replica learns of a new
// adapter from a children event on /Adapters and must list the whole directory — O(adapters)
// for ZooKeeper and for every replica, after every registration. With it, every unfenced write
// (adapter or object, set or delete) also creates, in the same multi-op, a persistent
// sequential entry under /Changes/<writer> that names the records it changed: in its name for
// a small batch (k<changes>-<seq>), else in its content (c-<seq>). The other
// replicas watch their peers' log directories, list them (a few hundred names at most), read
// the new entries in order and re-read the records they name; the directory watches on
// /Adapters and /Objects remain as a slow safety net for changes made outside Floe.
//
// Each writer trims its own directory, oldest first, so a reader whose last seen entry was
// trimmed away may have missed some: it resyncs everything. Entries name records, they do not
// carry their content: the reader reads the record itself, so writes to one key through two
// replicas can never be applied out of order.

const (
	// logKeep is how many entries a writer keeps in its log directory; it trims when it has
	// twice as many.
	logKeep = 200
	// logPrefix names the sequential entries whose content lists the changes; an entry named
	// by inlinePrefix carries them in its name instead (small batches: the reader saves a
	// round trip).
	logPrefix    = "c-"
	inlinePrefix = "k"
	// maxInline bounds the changes carried in a name.
	maxInline = 300
)

// changeLog is a writer's side of the log: its own entries, oldest first, for trimming.
type changeLog struct {
	mu       sync.Mutex
	own      []string // entry names this writer created and has not trimmed
	trimming bool
}

// entryLines returns the lines of the entry for batch: one per changed record znode, relative
// to the root, "+" for a write and "-" for a delete.
func (s *Store) entryLines(batch []*write) []string {
	lines := make([]string, len(batch))
	for i, w := range batch {
		op := "+"
		if w.data == nil {
			op = "-"
		}
		lines[i] = op + strings.TrimPrefix(w.path, s.paths.root+"/")
	}
	return lines
}

// logChange is one line of an entry.
type logChange struct {
	path    string // absolute znode path
	deleted bool
}

// parseLine decodes one line of an entry; ok is false for a malformed one, which the reader
// skips (it re-reads whatever a line names, so a bad line costs nothing but the safety net's
// delay).
func (s *Store) parseLine(line string) (logChange, bool) {
	if len(line) < 2 || (line[0] != '+' && line[0] != '-') {
		return logChange{}, false
	}
	return logChange{path: s.paths.root + "/" + line[1:], deleted: line[0] == '-'}, true
}

// parseEntry returns the changes an entry's content names.
func (s *Store) parseEntry(data []byte) []logChange {
	var out []logChange
	for line := range strings.SplitSeq(string(data), "\n") {
		if c, ok := s.parseLine(line); ok {
			out = append(out, c)
		}
	}
	return out
}

// logOp is the multi operation that appends an entry for batch to this writer's log.
func (s *Store) logOp(batch []*write) *zk.CreateRequest {
	path, data := s.entryPath(batch)
	return &zk.CreateRequest{Path: path, Data: data, Acl: s.acl, Flags: zk.FlagSequence}
}

// entryPath returns the path prefix and content of the entry for batch: the changes in the
// name when they are short (each line query-escaped, joined by ','), else in the content (a
// line each).
func (s *Store) entryPath(batch []*write) (string, []byte) {
	lines := s.entryLines(batch)
	escaped := make([]string, len(lines))
	for i, line := range lines {
		escaped[i] = url.QueryEscape(line)
	}
	if name := strings.Join(escaped, ","); len(name) <= maxInline {
		return s.paths.myLog + "/" + inlinePrefix + name + "-", nil
	}
	return s.paths.myLog + "/" + logPrefix, entryContent(lines)
}

// entryContent is the content of an entry that does not carry its changes in its name.
func entryContent(lines []string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// inlineChanges returns the changes an entry's name carries; ok is false for an entry whose
// content must be read.
func (s *Store) inlineChanges(name string) ([]logChange, bool) {
	rest, ok := strings.CutPrefix(name, inlinePrefix)
	if !ok {
		return nil, false
	}
	var out []logChange
	for part := range strings.SplitSeq(rest[:max(strings.LastIndexByte(rest, '-'), 0)], ",") {
		line, err := url.QueryUnescape(part)
		if err != nil {
			continue
		}
		if c, ok := s.parseLine(line); ok {
			out = append(out, c)
		}
	}
	return out, true
}

// logged records an entry this writer created (its full path) and trims when there are too
// many, in the background: trimming is not on any write's path.
func (s *Store) logged(sess *session, path string) {
	name := path[strings.LastIndexByte(path, '/')+1:]
	s.clog.mu.Lock()
	s.clog.own = append(s.clog.own, name)
	if len(s.clog.own) < 2*logKeep || s.clog.trimming {
		s.clog.mu.Unlock()
		return
	}
	s.clog.trimming = true
	old := slices.Clone(s.clog.own[:len(s.clog.own)-logKeep])
	s.clog.mu.Unlock()
	go s.trim(sess, old)
}

// trim deletes old entries of this writer's log, oldest first (readers rely on that order),
// in one multi-op: a transaction costs ZooKeeper far more than an operation in it.
func (s *Store) trim(sess *session, old []string) {
	ops := make([]any, len(old))
	for i, name := range old {
		ops[i] = &zk.DeleteRequest{Path: s.paths.myLog + "/" + name, Version: -1}
	}
	done := len(old)
	if _, err := sess.conn.Multi(ops...); err != nil {
		done = 0 // one entry already gone (an earlier run's trim): one by one
		for _, name := range old {
			err := sess.conn.Delete(s.paths.myLog+"/"+name, -1)
			if err != nil && !errors.Is(err, zk.ErrNoNode) {
				s.log.Debug("trimming the change log stopped", "err", err)
				break
			}
			done++
		}
	}
	s.clog.mu.Lock()
	s.clog.own = s.clog.own[done:]
	s.clog.trimming = false
	s.clog.mu.Unlock()
}

// loadOwnLog lists this writer's log directory at bootstrap (a restarted replica trims what an
// earlier run left).
func (s *Store) loadOwnLog(sess *session) error {
	names, _, err := sess.conn.Children(s.paths.myLog)
	if err != nil {
		return fmt.Errorf("list %s: %w", s.paths.myLog, err)
	}
	names = sortEntries(names)
	s.clog.mu.Lock()
	if !s.clog.trimming {
		s.clog.own = names
	}
	s.clog.mu.Unlock()
	return nil
}

// entrySeq parses an entry name (ZooKeeper appends ten digits to the prefix it was created
// with); ok false for names that are not log entries.
func entrySeq(name string) (int64, bool) {
	if !strings.HasPrefix(name, logPrefix) && !strings.HasPrefix(name, inlinePrefix) {
		return 0, false
	}
	i := strings.LastIndexByte(name, '-')
	if i < 0 || len(name)-i-1 != 10 {
		return 0, false
	}
	n, err := strconv.ParseInt(name[i+1:], 10, 64)
	return n, err == nil && n >= 0
}

// sortEntries keeps the log entries of names, in sequence order.
func sortEntries(names []string) []string {
	type entry struct {
		seq  int64
		name string
	}
	es := make([]entry, 0, len(names))
	for _, n := range names {
		if seq, ok := entrySeq(n); ok {
			es = append(es, entry{seq, n})
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.name
	}
	return out
}

// newEntries returns the entries of a listing that come after last, in order, and whether
// some may have been trimmed before this reader saw them (then it must resync). last -1 means
// "nothing seen yet": every entry is new (ZooKeeper numbers the first entry 0).
func newEntries(names []string, last int64) (fresh []string, gap bool) {
	sorted := sortEntries(names)
	if last >= 0 && len(sorted) > 0 {
		first, _ := entrySeq(sorted[0])
		// Trimming deletes the oldest entries first: if the last one seen is gone and a later
		// one remains, entries between the two may have been deleted unseen.
		if first > last && !slices.ContainsFunc(sorted, func(n string) bool { s, _ := entrySeq(n); return s == last }) {
			gap = true
		}
	}
	for _, n := range sorted {
		if s, _ := entrySeq(n); s > last {
			fresh = append(fresh, n)
		}
	}
	return fresh, gap
}

// lastSeq returns the highest sequence number of a listing, -1 when it has no entry.
func lastSeq(names []string) int64 {
	top := int64(-1)
	for _, n := range names {
		if s, ok := entrySeq(n); ok && s > top {
			top = s
		}
	}
	return top
}
