package descriptor

import (
	"strconv"
	"strings"
)

// Pos is where an element starts: a file name (as given to Parse, or the path of an included
// file) and a 1-based line.
type Pos struct {
	File string
	Line int
}

// Error is a descriptor that IceGrid would reject. File and Line locate the element at fault;
// they are empty when the descriptor did not come from XML (or the element has no position).
// Msg is IceGrid's own reason, on one line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return "descriptor: " + e.Msg
}

// Warning is something IceGrid accepts that Floe does not act on, or a deprecated construct.
type Warning struct {
	File string
	Line int
	Msg  string
}

func (w Warning) String() string {
	return (&Error{File: w.File, Line: w.Line, Msg: w.Msg}).Error()
}

// failure is raised (panicked) by the builders and the resolver and turned into an *Error at
// the boundary of Parse and Expand, which locate it. Only failure values are recovered; any
// other panic is a bug and propagates.
type failure struct {
	msg  string
	path string // Source path of the element at fault, when known
}

func fail(msg string) { panic(failure{msg: msg}) }

func failAt(path, msg string) { panic(failure{msg: msg, path: path}) }

// oneLine joins IceGrid's multi-line reasons ("context:\nreason") into one line.
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}

// catch runs fn and returns the failure it raised, if any.
func catch(fn func()) (msg string, failed bool) {
	f := catchFailure(fn)
	if f == nil {
		return "", false
	}
	return f.msg, true
}

// catchFailure runs fn and returns the failure it raised (message on one line), or nil.
func catchFailure(fn func()) (f *failure) {
	defer func() {
		if r := recover(); r != nil {
			v, ok := r.(failure)
			if !ok {
				panic(r)
			}
			v.msg = oneLine(v.msg)
			f = &v
		}
	}()
	fn()
	return nil
}
