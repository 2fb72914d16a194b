package descriptor

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// xmlEvent is what the scanner hands to the descriptor handler, in the shape of the expat
// callbacks IceXML uses: a start tag with its attributes, an end tag, or character data.
type xmlEvent struct {
	kind  eventKind
	name  string            // element name, prefix included ("a:b"), as expat without namespaces
	attrs map[string]string // start tags only
	text  string            // character data only
	line  int               // line of the '<' that opens the tag (expat's current line)
}

type eventKind int

const (
	startEvent eventKind = iota
	endEvent
	textEvent
)

// xmlSyntaxError is a document that is not well-formed XML.
type xmlSyntaxError struct {
	line int
	msg  string
}

func (e *xmlSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// xmlScanner adds to encoding/xml's raw tokenizer the well-formedness rules that expat enforces
// and RawToken does not: matching end tags, a single root element, no duplicate attributes, the
// XML declaration only at the start. Names are not namespace-translated (expat is created
// without namespace processing), and literal tabs and newlines in attribute values become
// spaces (attribute-value normalization).
type xmlScanner struct {
	d          *xml.Decoder
	open       []openElement
	rootSeen   bool
	rootClosed bool
}

type openElement struct {
	name string
	line int
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func newXMLScanner(data []byte) *xmlScanner {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	d.Strict = true
	d.CharsetReader = charsetReader
	return &xmlScanner{d: d}
}

// next returns the next event, io.EOF after the root element closed, or an *xmlSyntaxError.
func (s *xmlScanner) next() (xmlEvent, error) {
	for {
		off := s.d.InputOffset()
		line, _ := s.d.InputPos()
		tok, err := s.d.RawToken()
		if err != nil {
			return xmlEvent{}, s.tokenError(err, line)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return s.start(t, line)
		case xml.EndElement:
			if s.d.InputOffset() == off && len(s.open) > 0 {
				line = s.open[len(s.open)-1].line // the end of an empty-element tag <a/>
			}
			return s.end(t, line)
		case xml.CharData:
			if len(s.open) > 0 {
				return xmlEvent{kind: textEvent, text: string(t), line: line}, nil
			}
			if len(bytes.Trim(t, " \t\r\n")) > 0 {
				return xmlEvent{}, s.outside(line)
			}
		case xml.ProcInst:
			if t.Target == "xml" && off != 0 {
				return xmlEvent{}, &xmlSyntaxError{line, "XML or text declaration not at start of entity"}
			}
		case xml.Directive:
			if s.rootSeen {
				return xmlEvent{}, &xmlSyntaxError{line, "syntax error"}
			}
		}
	}
}

func (s *xmlScanner) tokenError(err error, line int) error {
	if errors.Is(err, io.EOF) {
		if !s.rootSeen || len(s.open) > 0 {
			return &xmlSyntaxError{line, "no element found"}
		}
		return io.EOF
	}
	if se, ok := errors.AsType[*xml.SyntaxError](err); ok {
		return &xmlSyntaxError{se.Line, se.Msg}
	}
	return &xmlSyntaxError{line, err.Error()}
}

func (s *xmlScanner) outside(line int) error {
	if s.rootClosed {
		return &xmlSyntaxError{line, "junk after document element"}
	}
	return &xmlSyntaxError{line, "syntax error"}
}

func (s *xmlScanner) start(t xml.StartElement, line int) (xmlEvent, error) {
	if s.rootClosed {
		return xmlEvent{}, s.outside(line)
	}
	attrs := make(map[string]string, len(t.Attr))
	for _, a := range t.Attr {
		n := rawName(a.Name)
		if _, dup := attrs[n]; dup {
			return xmlEvent{}, &xmlSyntaxError{line, "duplicate attribute"}
		}
		attrs[n] = strings.Map(normalizeSpace, a.Value)
	}
	name := rawName(t.Name)
	s.open = append(s.open, openElement{name, line})
	s.rootSeen = true
	return xmlEvent{kind: startEvent, name: name, attrs: attrs, line: line}, nil
}

func (s *xmlScanner) end(t xml.EndElement, line int) (xmlEvent, error) {
	name := rawName(t.Name)
	if len(s.open) == 0 || s.open[len(s.open)-1].name != name {
		return xmlEvent{}, &xmlSyntaxError{line, "mismatched tag"}
	}
	s.open = s.open[:len(s.open)-1]
	s.rootClosed = len(s.open) == 0
	return xmlEvent{kind: endEvent, name: name, line: line}, nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func normalizeSpace(r rune) rune {
	if r == '\t' || r == '\n' || r == '\r' {
		return ' '
	}
	return r
}

// charsetReader supports the encodings expat knows besides UTF-8 (UTF-16 is not supported).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToUpper(label) {
	case "ISO-8859-1", "LATIN1":
		return &latin1Reader{in: in}, nil
	case "US-ASCII", "ASCII":
		return &latin1Reader{in: in, ascii: true}, nil
	}
	return nil, fmt.Errorf("unknown encoding %q", label)
}

// latin1Reader converts ISO-8859-1 (or US-ASCII, rejecting bytes above 127) to UTF-8.
type latin1Reader struct {
	in    io.Reader
	ascii bool
	buf   []byte
}

func (r *latin1Reader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		raw := make([]byte, max(len(p)/2, 1))
		n, err := r.in.Read(raw)
		for _, b := range raw[:n] {
			if r.ascii && b > 127 {
				return 0, errors.New("byte outside US-ASCII")
			}
			r.buf = append(r.buf, string(rune(b))...)
		}
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// sortedKeys returns m's keys in order (IceGrid lists names from std::map and std::set).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
