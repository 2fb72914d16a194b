package bolt

import (
	"errors"
	"sync"
)

// change is one Put (value != nil) or Delete.
type change struct {
	bucket, key, value []byte
	done               chan error
}

// groupCommit batches concurrent changes into shared transactions without a background
// goroutine. A caller that finds no commit in progress leads: it commits everything queued
// (its own change included) in one transaction, then hands the lead to the first change queued
// meanwhile, whose caller commits the next batch. No caller waits for more than two commits.
type groupCommit struct {
	mu         sync.Mutex
	queue      []*change
	committing bool
}

// errLead tells a waiting caller that it now leads the next commit.
var errLead = errors.New("lead")

// do queues c and returns once a transaction containing it has committed.
func (g *groupCommit) do(c change, commit func([]change) error) error {
	c.done = make(chan error, 1)
	g.mu.Lock()
	g.queue = append(g.queue, &c)
	if g.committing {
		g.mu.Unlock()
		if err := <-c.done; !errors.Is(err, errLead) {
			return err
		}
		g.mu.Lock()
	}
	g.committing = true
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()

	changes := make([]change, len(batch))
	for i, b := range batch {
		changes[i] = *b
	}
	err := commit(changes)
	for _, b := range batch {
		if b != &c {
			b.done <- err
		}
	}
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
	} else {
		g.committing = false
	}
	g.mu.Unlock()
	return err
}
