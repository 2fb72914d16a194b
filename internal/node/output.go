package node

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// ErrNoOutput is returned for a server whose stdout or stderr is not captured in a file:
// neither IceGrid.Node.Output nor the server's Ice.StdOut/Ice.StdErr is set (IceGrid's
// FileNotAvailableException).
var ErrNoOutput = errors.New("node: output file not available")

// ErrBadOutputName is returned for an output name other than stdout and stderr.
var ErrBadOutputName = errors.New("node: unknown output (want stdout or stderr)")

// maxOutput bounds the bytes one Output call returns.
const maxOutput = 4 << 20

// OutputQuery selects part of an output file: the first Head lines, the last Tail lines, or
// everything from byte offset From (when From >= 0). With none of them, the whole file. At
// most 4 MiB is returned: the last 4 MiB of the part for Tail and the whole file, the first
// 4 MiB otherwise.
type OutputQuery struct {
	Head, Tail int
	From       int64
}

// OutputFile is part of a server's stdout or stderr file.
type OutputFile struct {
	Path   string `json:"path"`
	Text   string `json:"text"`
	Offset int64  `json:"offset"` // where Text starts in the file
	End    int64  `json:"end"`    // where Text ends: the From of the next read when following
	Size   int64  `json:"size"`   // the file's size when read
}

// outputPaths returns the files the server's stdout and stderr go to: Ice.StdOut and
// Ice.StdErr of its generated configuration (IceGrid.Node.Output sets them to
// <Output>/<id>.out and .err, ServerI::getProperties), "" when not set. A relative path is
// relative to the server's working directory, as the server opens it.
func (s *server) outputPaths() (stdout, stderr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outputPathsLocked()
}

// outputPathsLocked is outputPaths with s.mu held.
func (s *server) outputPathsLocked() (stdout, stderr string) {
	cfg := s.spec.Config
	pwd := cfg.Descriptor.Server().Pwd
	for _, f := range cfg.Files {
		if f.Name != "config" {
			continue
		}
		for _, p := range f.Properties {
			switch p.Name {
			case "Ice.StdOut":
				stdout = p.Value
			case "Ice.StdErr":
				stderr = p.Value
			}
		}
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || pwd == "" {
			return p
		}
		return filepath.Join(pwd, p)
	}
	return abs(stdout), abs(stderr)
}

// redirectOutput points the process's stdout and stderr at the server's output files (opened
// for appending, as the Ice runtime opens Ice.StdOut), or at the node's own when there are none.
// The returned function closes the node's copies of the files. s.mu must be held.
func (s *server) redirectOutput(cmd *exec.Cmd) (func(), error) {
	stdout, stderr := s.outputPathsLocked()
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			_ = f.Close()
		}
	}
	open := func(path string, std *os.File) (io.Writer, error) {
		if path == "" {
			return std, nil
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		return f, nil
	}
	var err error
	if cmd.Stdout, err = open(stdout, os.Stdout); err != nil {
		return nil, err
	}
	if stderr == stdout && stdout != "" {
		cmd.Stderr = cmd.Stdout
	} else if cmd.Stderr, err = open(stderr, os.Stderr); err != nil {
		closeAll()
		return nil, err
	}
	return closeAll, nil
}

// Output reads part of a server's stdout or stderr file (admin "server show"). It returns
// ErrNoOutput when that output is not captured in a file.
func (n *Node) Output(id, name string, q OutputQuery) (OutputFile, error) {
	s := n.server(id)
	if s == nil {
		return OutputFile{}, fmt.Errorf("node: server %q is not deployed on %s", id, n.cfg.Name)
	}
	stdout, stderr := s.outputPaths()
	var path, prop string
	switch name {
	case "stdout":
		path, prop = stdout, "Ice.StdOut"
	case "stderr":
		path, prop = stderr, "Ice.StdErr"
	default:
		return OutputFile{}, fmt.Errorf("%w: %q", ErrBadOutputName, name)
	}
	if path == "" {
		return OutputFile{}, fmt.Errorf("%w: server %s: %s is not set (set IceGrid.Node.Output on the node)", ErrNoOutput, id, prop)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return OutputFile{Path: path}, nil // nothing written yet
	}
	if err != nil {
		return OutputFile{}, fmt.Errorf("%w: %w", ErrNoOutput, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return OutputFile{}, fmt.Errorf("%w: %w", ErrNoOutput, err)
	}
	out, err := readOutput(f, st.Size(), q)
	if err != nil {
		return OutputFile{}, fmt.Errorf("%w: read %s: %w", ErrNoOutput, path, err)
	}
	out.Path = path
	return out, nil
}

// readOutput reads the part of the first size bytes of r that q selects.
func readOutput(r io.ReaderAt, size int64, q OutputQuery) (OutputFile, error) {
	start, end := int64(0), size
	var err error
	switch {
	case q.Head > 0:
		end, err = headEnd(r, size, q.Head)
	case q.Tail > 0:
		start, err = tailStart(r, size, q.Tail)
	case q.From > 0:
		start = min(q.From, size)
	}
	if err != nil {
		return OutputFile{}, err
	}
	if end-start > maxOutput {
		if q.Head > 0 || q.From > 0 {
			end = start + maxOutput
		} else {
			start = end - maxOutput
		}
	}
	buf := make([]byte, end-start)
	if _, err := r.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
		return OutputFile{}, err
	}
	return OutputFile{Text: string(buf), Offset: start, End: end, Size: size}, nil
}

// outputBlock is how much headEnd and tailStart read at a time.
const outputBlock = 16 << 10

// tailStart returns the offset where the last n lines of the first size bytes of r begin. A
// final line without a newline counts; the file's final newline does not begin a line.
func tailStart(r io.ReaderAt, size int64, n int) (int64, error) {
	buf := make([]byte, outputBlock)
	count := 0
	for pos := size; pos > 0; {
		chunk := min(int64(len(buf)), pos)
		pos -= chunk
		b := buf[:chunk]
		if _, err := r.ReadAt(b, pos); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i, c := range slices.Backward(b) {
			if c != '\n' || pos+int64(i) == size-1 {
				continue
			}
			if count++; count == n {
				return pos + int64(i) + 1, nil
			}
		}
	}
	return 0, nil
}

// headEnd returns the offset just past the first n lines of the first size bytes of r (at
// most maxOutput bytes are examined).
func headEnd(r io.ReaderAt, size int64, n int) (int64, error) {
	buf := make([]byte, outputBlock)
	count := 0
	for pos := int64(0); pos < min(size, maxOutput); {
		chunk := min(int64(len(buf)), size-pos)
		b := buf[:chunk]
		if _, err := r.ReadAt(b, pos); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i, c := range b {
			if c != '\n' {
				continue
			}
			if count++; count == n {
				return pos + int64(i) + 1, nil
			}
		}
		pos += chunk
	}
	return size, nil
}
