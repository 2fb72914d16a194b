package descriptor

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"floe/internal/slice/icegrid"
)

// Document is a parsed descriptor: the application as icegridadmin sends it to the registry,
// what Floe accepted without acting on it, and where each element came from.
type Document struct {
	App      *icegrid.ApplicationDescriptor
	Warnings []Warning
	Source   *Source
}

// Parse parses an IceGrid XML descriptor. name is the file name used in errors and to resolve
// relative <include> paths. Errors are *Error.
func Parse(name string, data []byte, opts ...Option) (*icegrid.ApplicationDescriptor, error) {
	doc, err := ParseDocument(name, data, opts...)
	if err != nil {
		return nil, err
	}
	return doc.App, nil
}

// ParseDocument is Parse that also returns the warnings and the element positions (for
// WithSource).
func ParseDocument(name string, data []byte, opts ...Option) (*Document, error) {
	var cfg parseConfig
	for _, o := range opts {
		o(&cfg)
	}
	h := &handler{cfg: cfg, file: name, targets: cfg.targets, deployable: true, topLevel: true, src: newSource()}
	if err := h.parse(data, 0); err != nil {
		return nil, err
	}
	if h.app == nil {
		return nil, h.errorf("no application descriptor defined in this file")
	}
	return &Document{App: h.app.desc, Warnings: h.warnings, Source: h.src}, nil
}

// handler is IceGrid's DescriptorHandler: a state machine driven by start tags, end tags and
// text, holding the builder of each element being read.
type handler struct {
	cfg      parseConfig
	file     string
	targets  []string
	line     int
	data     strings.Builder
	previous string // name of the previous start tag, for "invalid element value"
	src      *Source
	warnings []Warning

	deployable    bool
	targetCounter int
	topLevel      bool

	app         *appBuilder
	node        *nodeBuilder
	tmpl        *templateBuilder
	serverInst  *serverInstanceBuilder
	serviceInst *serviceInstanceBuilder
	server      *commBuilder
	service     *commBuilder
	comm        *commBuilder // server or service whose content is being read
	propertySet *propertySetBuilder
	inAdapter   bool
	inRepGroup  bool
	inDbEnv     bool
	inDistrib   bool
}

func (h *handler) errorf(msg string) *Error {
	return &Error{File: h.file, Line: h.line, Msg: oneLine(msg)}
}

func (h *handler) pos() Pos { return Pos{File: h.file, Line: h.line} }

func (h *handler) warn(msg string) {
	h.warnings = append(h.warnings, Warning{File: h.file, Line: h.line, Msg: msg})
}

// parse feeds one file's events to the handler.
func (h *handler) parse(data []byte, depth int) error {
	s := newXMLScanner(data)
	for {
		ev, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if se, ok := errors.AsType[*xmlSyntaxError](err); ok {
				return &Error{File: h.file, Line: se.line, Msg: se.msg}
			}
			return &Error{File: h.file, Msg: err.Error()}
		}
		if err := h.dispatch(ev, depth); err != nil {
			return err
		}
	}
}

func (h *handler) dispatch(ev xmlEvent, depth int) error {
	switch ev.kind {
	case textEvent:
		if h.deployable {
			h.data.WriteString(ev.text)
		}
		return nil
	case startEvent:
		h.line = ev.line
		return h.startElement(ev.name, newAttrs(ev.attrs), depth)
	default:
		h.line = ev.line
		return h.endElement(ev.name)
	}
}

// elementValue returns and clears the text read since the last tag.
func (h *handler) elementValue() string {
	v := h.data.String()
	h.data.Reset()
	return v
}

// checkValue rejects text that no element consumed.
func (h *handler) checkValue(element string) error {
	if strings.Trim(h.elementValue(), " \t\r\n") != "" {
		return h.errorf("invalid element value for element `" + element + "'")
	}
	return nil
}

// include parses another file as if its <icegrid> content were written in place.
func (h *handler) include(a *attrs, depth int) {
	targets := a.opt("targets", "")
	file := a.req("file")
	if !strings.HasPrefix(file, "/") {
		if end := strings.LastIndexByte(h.file, '/'); end >= 0 {
			file = h.file[:end] + "/" + file
		}
	}
	if h.cfg.readFile == nil {
		fail("unable to open file `" + file + "': includes are not enabled")
	}
	if depth >= maxIncludeDepth {
		fail("include nesting deeper than " + strconv.Itoa(maxIncludeDepth) + " files")
	}
	data, err := h.cfg.readFile(file)
	if err != nil {
		fail("unable to open file `" + file + "'")
	}
	oldFile, oldTargets, oldLine := h.file, h.targets, h.line
	h.topLevel, h.file, h.targets = true, file, h.includeTargets(targets)
	if err := h.parse(data, depth+1); err != nil {
		panic(included{err})
	}
	h.file, h.targets, h.line = oldFile, oldTargets, oldLine
}

// included carries an error of an included file, already located, through startElement.
type included struct{ err error }

// includeTargets is DescriptorHandler::getTargets: the include's targets, then the current ones.
func (h *handler) includeTargets(targets string) []string {
	var out []string
	if targets != "" {
		beg := 0
		for {
			end := strings.IndexAny(targets[beg:], " \t\n\r")
			if end < 0 {
				out = append(out, targets[beg:])
				break
			}
			out = append(out, targets[beg:beg+end])
			beg += end + 1
			if beg >= len(targets) {
				break
			}
		}
	}
	return append(out, h.targets...)
}
