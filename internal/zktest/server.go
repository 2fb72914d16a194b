package zktest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	termTimeout  = 10 * time.Second // SIGTERM → exit, before SIGKILL
	killTimeout  = 10 * time.Second // SIGKILL → exit
	logTailBytes = 6 << 10          // per server in failure messages
)

// server is one ZooKeeper process and its files: dir/zoo.cfg, dir/server.log, dir/data/myid.
type server struct {
	id                                   int // myid, 1-based
	dir                                  string
	clientPort, quorumPort, electionPort int
	argv                                 []string      // java command line, without class-sharing flags
	archive                              *classArchive // nil: no class-data sharing

	mu     sync.Mutex    // guards the fields below
	proc   *os.Process   // nil before the first start
	exited chan struct{} // closed when proc has exited and been reaped
	paused bool          // SIGSTOP sent, no SIGCONT yet
	ending bool          // SIGTERM or SIGKILL sent: exiting is expected
}

func (s *server) addr() string    { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.clientPort)) }
func (s *server) cfgPath() string { return filepath.Join(s.dir, "zoo.cfg") }
func (s *server) logPath() string { return filepath.Join(s.dir, "server.log") }

// prepare writes dir/data/myid and dir/zoo.cfg. all is the whole ensemble.
func (s *server) prepare(cfg config, all []*server) error {
	data := filepath.Join(s.dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data, "myid"), []byte(strconv.Itoa(s.id)+"\n"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(s.cfgPath(), []byte(zooCfg(cfg, s, data, all)), 0o644)
}

// zooCfg renders a server's zoo.cfg (reference/zookeeper.md §3). forceSync=no and a small
// preAllocSize (KiB) keep disk work out of the way: processes die in tests, machines do not.
func zooCfg(cfg config, s *server, data string, all []*server) string {
	tick := cfg.tickTime.Milliseconds()
	lines := []string{
		"tickTime=" + strconv.FormatInt(tick, 10),
		"initLimit=10",
		"syncLimit=5",
		"dataDir=" + data,
		"clientPort=" + strconv.Itoa(s.clientPort),
		"clientPortAddress=127.0.0.1",
		"maxClientCnxns=0",
		"minSessionTimeout=" + strconv.FormatInt(min(2*tick, 1000), 10),
		"maxSessionTimeout=" + strconv.FormatInt(max(20*tick, 60000), 10),
		"admin.enableServer=false",
		"4lw.commands.whitelist=*",
		"forceSync=no",
		"preAllocSize=1024",
	}
	if len(all) > 1 {
		lines = append(lines, "standaloneEnabled=false")
	}
	for _, p := range all {
		lines = append(lines, fmt.Sprintf("server.%d=127.0.0.1:%d:%d", p.id, p.quorumPort, p.electionPort))
	}
	lines = append(lines, cfg.extra...)
	return strings.Join(lines, "\n") + "\n"
}

func javaArgs(java string, cfg config, s *server) []string {
	args := []string{java}
	args = append(args, cfg.jvmFlags...)
	args = append(args, "-cp", cfg.classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", s.cfgPath())
	return args
}

// start launches the process with stdout and stderr appended to server.log. A goroutine
// locked to its OS thread starts the process and reaps it: on Linux the child gets SIGKILL
// when that thread dies (Pdeathsig), so servers do not outlive a crashed test binary, and
// the thread lives exactly as long as the child.
func (s *server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running() {
		return fmt.Errorf("server myid %d is already running (pid %d)", s.id, s.proc.Pid)
	}
	logf, err := os.OpenFile(s.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child holds its own descriptor
	cdsFlags, dumpTo := s.archive.flags()
	argv := append(append([]string{s.argv[0]}, cdsFlags...), s.argv[1:]...)
	fmt.Fprintf(logf, "=== zktest: %s starting: %s\n", time.Now().Format("15:04:05.000"), strings.Join(argv, " "))

	//nolint:noctx // the server outlives this call; Stop, Kill and the test's cleanup end it
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			if dumpTo != "" {
				s.archive.finish(dumpTo, -1)
			}
			started <- err
			close(exited)
			return
		}
		started <- nil
		_ = cmd.Wait() // exit status is expected to be a signal; the log tells the rest
		if dumpTo != "" {
			s.archive.finish(dumpTo, cmd.ProcessState.ExitCode())
		}
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start server myid %d: %w", s.id, err)
	}
	s.proc, s.exited, s.paused, s.ending = cmd.Process, exited, false, false
	return nil
}

// running reports whether the process has been started and not yet reaped. s.mu is held.
func (s *server) running() bool {
	if s.proc == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// crashed reports whether the process exited without being told to. s.mu is held.
func (s *server) crashed() bool { return s.proc != nil && !s.ending && !s.running() }

func (s *server) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return fmt.Errorf("server myid %d is not running", s.id)
	}
	if err := s.proc.Signal(sig); err != nil {
		return fmt.Errorf("signal %v to pid %d: %w", sig, s.proc.Pid, err)
	}
	switch sig {
	case syscall.SIGTERM, syscall.SIGKILL:
		s.ending = true
	case syscall.SIGSTOP:
		s.paused = true
	case syscall.SIGCONT:
		s.paused = false
	default:
	}
	return nil
}

// pause stops the process and waits (bounded) until the kernel reports it stopped, so that a
// caller's next request cannot still be answered by the process.
func (s *server) pause() error {
	if err := s.signal(syscall.SIGSTOP); err != nil {
		return err
	}
	stat := filepath.Join("/proc", strconv.Itoa(s.proc.Pid), "stat")
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			return nil // not Linux, or gone: nothing to wait for
		}
		if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
			return nil
		}
	}
	return nil
}
func (s *server) resume() error { return s.signal(syscall.SIGCONT) }

// kill sends SIGKILL and waits for the process to be reaped.
func (s *server) kill() error {
	if err := s.signal(syscall.SIGKILL); err != nil {
		return err
	}
	return s.wait(killTimeout)
}

// stop resumes a paused server, sends SIGTERM, waits termTimeout and then kills. Stopping a
// server that is not running is a no-op.
func (s *server) stop() error {
	s.mu.Lock()
	run, paused := s.running(), s.paused
	s.mu.Unlock()
	if !run {
		return nil
	}
	if paused {
		// A stopped process keeps SIGTERM pending; continue it so it can exit cleanly.
		_ = s.signal(syscall.SIGCONT)
	}
	if err := s.signal(syscall.SIGTERM); err != nil {
		return s.wait(killTimeout) // it exited meanwhile
	}
	if s.wait(termTimeout) == nil {
		return nil
	}
	return s.kill()
}

var errWaitTimeout = errors.New("process did not exit")

func (s *server) wait(d time.Duration) error {
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	if exited == nil {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-exited:
		return nil
	case <-timer.C:
		return fmt.Errorf("server myid %d: %w within %v", s.id, errWaitTimeout, d)
	}
}

// logTail returns up to n bytes from the end of server.log.
func (s *server) logTail(n int64) string {
	f, err := os.Open(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		if _, err := f.Seek(-n, io.SeekEnd); err != nil {
			return fmt.Sprintf("(read log: %v)", err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(read log: %v)", err)
	}
	if b := string(b); b != "" {
		return b
	}
	return "(empty log: no slf4j binding on the classpath?)"
}
