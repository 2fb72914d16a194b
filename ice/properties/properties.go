// Package properties reads Ice property sets: Java-style "Name=Value" files (--Ice.Config=FILE,
// ICE_CONFIG) and "--Name=Value" command-line arguments, with Ice 3.7's escaping rules. It knows
// nothing about what the properties mean; package ice and Floe's config package interpret them.
package properties

import (
	"bufio"
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

// IcePrefixes are the property prefixes Ice.initialize takes from the command line; other
// --Name=Value arguments are left to the application (Properties::parseCommandLineOptions).
var IcePrefixes = []string{"Ice", "IceBox", "IceBoxAdmin", "IceBT", "IceDiscovery", "IceGrid", "IceGridAdmin",
	"IceIAP", "IceLocatorDiscovery", "IcePatch2", "IcePatch2Client", "IceSSL", "IceStorm", "IceStormAdmin",
	"Glacier2", "Freeze", "Floe"}

// HasPrefix reports whether name is prefix or starts with prefix followed by a dot.
func HasPrefix(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if name == p || strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return false
}

// Parse builds a property set the way Ice.initialize does: ICE_CONFIG (if set and no
// --Ice.Config argument is given), then --Ice.Config=FILE[,FILE] files, then every --Name=Value
// argument whose name has one of prefixes (nil: any name), which overrides the files. It returns
// the arguments it did not take.
func Parse(args []string, getenv func(string) string, prefixes []string) (*Properties, []string, error) {
	p := New()
	var rest []string
	var configs []string
	props := map[string]string{}
	for _, a := range args {
		name, value, ok := parseArg(a)
		if ok && name != "Ice.Config" && prefixes != nil && !HasPrefix(name, prefixes) {
			ok = false
		}
		if !ok {
			rest = append(rest, a)
			continue
		}
		if name == "Ice.Config" {
			configs = append(configs, strings.Split(value, ",")...)
			continue
		}
		props[name] = value
	}
	if len(configs) == 0 && getenv != nil {
		if env := getenv("ICE_CONFIG"); env != "" {
			configs = strings.Split(env, ",")
		}
	}
	for _, file := range configs {
		if err := p.LoadFile(strings.TrimSpace(file)); err != nil {
			return nil, nil, err
		}
	}
	for k, v := range props {
		p.Set(k, v)
	}
	return p, rest, nil
}

// parseArg recognises "--Name=Value" and "--Name" (value "1").
func parseArg(a string) (name, value string, ok bool) {
	if !strings.HasPrefix(a, "--") || len(a) < 3 {
		return "", "", false
	}
	name, value, hasValue := strings.Cut(a[2:], "=")
	if name == "" || strings.ContainsAny(name, " \t") {
		return "", "", false
	}
	if !hasValue {
		value = "1"
	}
	return name, value, true
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

// Load reads "Name=Value" lines from r. Blank lines and lines starting with # are skipped; a
// value that is empty removes the property, as in Ice.
func (p *Properties) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for n := 1; sc.Scan(); n++ {
		name, value, ok, err := parseLine(sc.Text())
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

// parseLine implements Ice's property line syntax: '#' starts a comment unless escaped as '\#',
// '\=' is a literal '=' in a name, '\\' is a backslash, and whitespace around name and value is
// trimmed (escaped trailing whitespace in a value is kept).
func parseLine(line string) (name, value string, ok bool, err error) {
	var key, val strings.Builder
	inValue := false
	trailing := 0 // unescaped trailing whitespace in val
scan:
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && strings.IndexByte(`#=\`, line[i+1]) >= 0:
			i++
			c = line[i]
		case c == '#':
			break scan
		case c == '=' && !inValue:
			inValue = true
			continue
		case inValue && (c == ' ' || c == '\t'):
			if val.Len() == 0 {
				continue
			}
			trailing++
			val.WriteByte(c)
			continue
		}
		if inValue {
			trailing = 0
			val.WriteByte(c)
		} else {
			key.WriteByte(c)
		}
	}
	name = strings.TrimSpace(key.String())
	if name == "" {
		if inValue || strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			return "", "", false, fmt.Errorf("missing property name in %q", line)
		}
		return "", "", false, nil
	}
	if !inValue {
		return "", "", false, fmt.Errorf("missing '=' after %q", name)
	}
	v := val.String()
	return name, v[:len(v)-trailing], true, nil
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
