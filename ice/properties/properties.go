// Package properties reads Ice property sets: Java-style "Name=Value" files (--Ice.Config=FILE,
// ICE_CONFIG) and "--Name=Value" command-line arguments, with Ice 3.7's escaping rules. It knows
// nothing about what the properties mean; package ice and Floe's config package interpret them.
package properties

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Properties is a set of Ice properties. It is safe for concurrent use.
type Properties struct {
	mu   sync.RWMutex
	m    map[string]string
	used map[string]bool // names read through a getter, for "unused property" warnings
}

// New returns an empty property set.
func New() *Properties {
	return &Properties{m: map[string]string{}, used: map[string]bool{}}
}

// IcePrefixes are the property prefixes Ice.initialize takes from the command line (Ice 3.7.8's
// PropertyNames::clPropNames), and Floe's own; other --Name=Value arguments are left to the
// application (Properties::parseCommandLineOptions).
var IcePrefixes = []string{"Ice", "IceMX", "IceDiscovery", "IceLocatorDiscovery", "IceBox", "IceBoxAdmin",
	"IceBridge", "IceGridAdmin", "IceGrid", "IcePatch2", "IcePatch2Client", "IceSSL", "IceStormAdmin", "IceBT",
	"Glacier2", "Freeze", "Floe"}

// Parse builds a property set the way Ice.initialize does (PropertiesI's constructor):
// --Ice.Config=FILE[,FILE] (the last such argument; without one, ICE_CONFIG), whose files are
// loaded first, then every --Name=Value argument whose name has one of prefixes (nil: any name),
// which overrides the files. Arguments are read with the rules of a property-file line, as Ice
// does: "--Name" means Name=1, '#' starts a comment, and a line that is not a property is an
// error here where Ice only warns. It returns the arguments it did not take.
func Parse(args []string, getenv func(string) string, prefixes []string) (*Properties, []string, error) {
	p := New()
	var others, rest []string
	for _, a := range args {
		if !strings.HasPrefix(a, "--Ice.Config") {
			others = append(others, a)
			continue
		}
		if err := p.setOption(a); err != nil {
			return nil, nil, err
		}
	}
	if err := p.loadConfig(getenv); err != nil {
		return nil, nil, err
	}
	for _, a := range others {
		if !isOption(a, prefixes) {
			rest = append(rest, a)
			continue
		}
		if err := p.setOption(a); err != nil {
			return nil, nil, err
		}
	}
	return p, rest, nil
}

// isOption reports whether a is a property for Parse: "--" then a name with one of prefixes
// followed by a dot (Properties::parseCommandLineOptions), or with nil prefixes anything.
func isOption(a string, prefixes []string) bool {
	if !strings.HasPrefix(a, "--") || len(a) < 3 {
		return false
	}
	if prefixes == nil {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(a[2:], p+".") {
			return true
		}
	}
	return false
}

// setOption sets the property of a command-line option "--Name=Value" or "--Name" (Name=1).
func (p *Properties) setOption(a string) error {
	line := a[2:]
	if !strings.Contains(line, "=") {
		line += "=1"
	}
	name, value, ok, err := parseLine(line)
	if err != nil {
		return fmt.Errorf("properties: argument %q: %w", a, err)
	}
	if ok {
		p.Set(name, value)
	}
	return nil
}

// loadConfig loads the files of Ice.Config, or of ICE_CONFIG when Ice.Config is empty or "1"
// (a bare --Ice.Config), as PropertiesI::loadConfig: a comma-separated list, with quotes.
func (p *Properties) loadConfig(getenv func(string) string) error {
	value := p.Get("Ice.Config")
	if (value == "" || value == "1") && getenv != nil {
		if env := getenv("ICE_CONFIG"); env != "" {
			value = env
		}
	}
	if value == "" {
		return nil
	}
	for _, file := range splitList(value, ",") {
		if err := p.LoadFile(strings.Trim(file, iceSpace)); err != nil {
			return err
		}
	}
	p.Set("Ice.Config", value)
	return nil
}

// splitList splits s at any of the bytes of delims, as IceUtilInternal::splitString: single or
// double quotes protect delimiters and are removed, a backslash before a quote makes it literal,
// and empty elements are dropped. An unmatched quote runs to the end of s.
func splitList(s, delims string) []string {
	var out []string
	var elt strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
			continue
		case c == '\\' && i+1 < len(s) && (quote == 0 && (s[i+1] == '"' || s[i+1] == '\'') || quote != 0 && s[i+1] == quote):
			i++
			c = s[i]
		case quote != 0 && c == quote:
			quote = 0
			continue
		case quote == 0 && strings.IndexByte(delims, c) >= 0:
			if elt.Len() > 0 {
				out = append(out, elt.String())
				elt.Reset()
			}
			continue
		}
		elt.WriteByte(c)
	}
	if elt.Len() > 0 {
		out = append(out, elt.String())
	}
	return out
}

// LoadFile reads a property file. Errors name the file and line.
func (p *Properties) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("properties: %w", err)
	}
	defer f.Close()
	if err := p.Load(f); err != nil {
		return fmt.Errorf("properties: %s: %w", path, err)
	}
	return nil
}

// maxLine bounds one line of a property file.
const maxLine = 1 << 20

// utf8BOM is skipped at the start of a file, as Ice does.
const utf8BOM = "\xef\xbb\xbf"

// Load reads a property file from r, one "Name=Value" line at a time with Ice 3.7's rules (see
// parseLine); later lines override earlier ones. Lines end at '\n' only: like Ice on Linux, a
// '\r' before it is whitespace, which parseLine drops. A line that is not a property, comment or
// blank is an error naming the line, where Ice only warns.
func (p *Properties) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	sc.Split(scanLines)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, utf8BOM)
		}
		name, value, ok, err := parseLine(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if ok {
			p.Set(name, value)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

// scanLines is bufio.ScanLines without its removal of a '\r' before the '\n'.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// iceSpace is the whitespace of Ice's property syntax.
const iceSpace = " \t\r\n"

// parseLine reads one property line by Ice 3.7's rules (PropertiesI::parseLine), checked
// against the real parser in testdata/ice37:
//
//   - The name runs to the first unescaped '=', the value to the end of the line; an unescaped
//     '#' ends the line (a comment).
//   - A backslash escapes '\\', '#', '=' and ' '; before any other character, or at the end of
//     the line, it is itself.
//   - Whitespace (space, tab, CR, LF) around the name and value is dropped, inside them kept. An
//     escaped space counts as whitespace inside, but is kept at the start and the end of a value;
//     at the end, only the escaped spaces after the last other character are.
//
// ok is false for a blank or comment line, and for "\ " (an escaped space alone). A name with
// no '=', or a '=' with no name, is an error. An empty value is not: Set then removes the name.
func parseLine(line string) (name, value string, ok bool, err error) {
	var p lineParser
scan:
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && i == len(line)-1: // a backslash ending the line is itself
			escaped := p.escaped
			p.char(c)
			p.escaped = escaped // Ice adds the escaped spaces before it again at the end
		case c == '\\':
			i++
			p.escapedChar(line[i])
		case strings.IndexByte(iceSpace, c) >= 0:
			p.blank(c, false)
		case c == '#':
			break scan
		case c == '=' && !p.inValue:
			p.inValue, p.space = true, nil
		default:
			p.char(c)
		}
	}
	return p.result(line)
}

// lineParser is the state of parseLine.
type lineParser struct {
	key, val []byte
	space    []byte // whitespace after the last character kept, kept if another one follows
	escaped  []byte // the escaped spaces among space, in a value
	inValue  bool
}

// escapedChar takes the character after a backslash.
func (p *lineParser) escapedChar(c byte) {
	switch {
	case c == ' ':
		p.blank(c, true)
	case strings.IndexByte(`\#=`, c) >= 0:
		p.char(c)
	default:
		p.char('\\', c)
	}
}

// blank takes whitespace. At the start of a name or value it is dropped, unless it is an
// escaped space in a value.
func (p *lineParser) blank(c byte, escaped bool) {
	switch {
	case p.inValue && escaped:
		p.space, p.escaped = append(p.space, c), append(p.escaped, c)
	case p.inValue && len(p.val) > 0, !p.inValue && len(p.key) > 0:
		p.space = append(p.space, c)
	}
}

// char takes characters other than whitespace: the whitespace before them is inside the name
// or value, except unescaped whitespace at the start of a value.
func (p *lineParser) char(cs ...byte) {
	switch {
	case !p.inValue:
		p.key = append(append(p.key, p.space...), cs...)
	case len(p.val) == 0:
		p.val = append(append(p.val, p.escaped...), cs...)
	default:
		p.val = append(append(p.val, p.space...), cs...)
	}
	p.space, p.escaped = nil, nil
}

func (p *lineParser) result(line string) (name, value string, ok bool, err error) {
	switch {
	case !p.inValue && len(p.key) > 0:
		return "", "", false, fmt.Errorf("missing '=' after %q", p.key)
	case p.inValue && len(p.key) == 0:
		return "", "", false, fmt.Errorf("missing property name in %q", line)
	case len(p.key) == 0:
		return "", "", false, nil
	}
	// Escaped spaces end the value; Ice's setProperty trims the name (an escaped tab at its end).
	return strings.Trim(string(p.key), iceSpace), string(append(p.val, p.escaped...)), true, nil
}

// Set sets a property; an empty value removes it.
func (p *Properties) Set(name, value string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if value == "" {
		delete(p.m, name)
		return
	}
	p.m[name] = value
}

// Get returns a property's value, or "".
func (p *Properties) Get(name string) string {
	return p.GetWithDefault(name, "")
}

// GetWithDefault returns a property's value, or def when it is not set.
func (p *Properties) GetWithDefault(name, def string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.used[name] = true
	if v, ok := p.m[name]; ok {
		return v
	}
	return def
}

// GetInt returns a property as an int, or def when unset. A value that is not an integer is an
// error that names the property.
func (p *Properties) GetInt(name string, def int) (int, error) {
	v := p.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return def, fmt.Errorf("properties: %s=%q is not an integer", name, v)
	}
	return n, nil
}

// GetIntOr is GetInt with invalid values replaced by def.
func (p *Properties) GetIntOr(name string, def int) int {
	n, _ := p.GetInt(name, def)
	return n
}

// Has reports whether a property is set.
func (p *Properties) Has(name string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.m[name]
	return ok
}

// WithPrefix returns the properties whose names start with prefix.
func (p *Properties) WithPrefix(prefix string) map[string]string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := map[string]string{}
	for k, v := range p.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// Names returns every property name, sorted.
func (p *Properties) Names() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Sorted(maps.Keys(p.m))
}

// Clone returns an independent copy.
func (p *Properties) Clone() *Properties {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return &Properties{m: maps.Clone(p.m), used: map[string]bool{}}
}
