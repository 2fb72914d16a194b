package zktest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// flwTimeout bounds one four-letter-word exchange; a paused server accepts the TCP
// connection (kernel backlog) and never answers.
const flwTimeout = time.Second

// Server modes reported by srvr (zookeeper.md §3). A server that is up but not serving
// answers "This ZooKeeper instance is not currently serving requests", reported as "".
const (
	modeLeader     = "leader"
	modeFollower   = "follower"
	modeObserver   = "observer"
	modeStandalone = "standalone"
)

// FourLetterWord sends a four-letter word (ruok, srvr, mntr, conf, …) to addr and returns
// the whole answer. The server closes the connection after answering.
func FourLetterWord(ctx context.Context, addr, word string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, flwTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return "", err
		}
	}
	if _, err := io.WriteString(conn, word); err != nil {
		return "", fmt.Errorf("%s to %s: %w", word, addr, err)
	}
	b, err := io.ReadAll(io.LimitReader(conn, 1<<20))
	if err != nil {
		return "", fmt.Errorf("%s to %s: %w", word, addr, err)
	}
	return string(b), nil
}

// serverMode returns the "Mode:" of srvr's answer, or "" when the server does not serve.
func serverMode(ctx context.Context, addr string) (string, error) {
	out, err := FourLetterWord(ctx, addr, "srvr")
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if mode, ok := strings.CutPrefix(sc.Text(), "Mode: "); ok {
			return strings.TrimSpace(mode), nil
		}
	}
	return "", nil
}

func serving(mode string) bool {
	switch mode {
	case modeLeader, modeFollower, modeObserver, modeStandalone:
		return true
	}
	return false
}

func leading(mode string) bool { return mode == modeLeader || mode == modeStandalone }
