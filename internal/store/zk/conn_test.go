package zk

import "testing"

// TestFastHostsRetryRounds: go-zookeeper's one-second retry round comes only after
// passesPerRetry fast passes over the servers, and a connection starts the count again.
func TestFastHostsRetryRounds(t *testing.T) {
	h := &fastHosts{}
	if err := h.Init([]string{"a:1", "b:2", "c"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := h.Next(); s != "a:1" {
		t.Fatalf("first server = %q", s)
	}
	h.Connected()
	rounds, calls := 0, 0
	for rounds == 0 && calls < 10*passesPerRetry*3 {
		if s, retry := h.Next(); retry {
			rounds++
		} else if s == "c" {
			t.Fatal(`"c" was not given the default port`)
		}
		calls++
	}
	if want := passesPerRetry*3 + 1; calls != want {
		t.Errorf("first retry round after %d calls, want %d", calls, want)
	}
}
