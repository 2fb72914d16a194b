package encoding

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an Ice protocol or encoding version.
type Version struct {
	Major, Minor uint8
}

// The encoding versions this package reads and writes.
var (
	Encoding10 = Version{1, 0}
	Encoding11 = Version{1, 1}
)

// String formats v as "major.minor".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Supported reports whether v is an encoding this package can decode (1.0 or 1.1).
func (v Version) Supported() bool { return v.Major == 1 && v.Minor <= 1 }

// ParseVersion parses "major.minor", as in the -e and -p proxy options.
func ParseVersion(s string) (Version, error) {
	major, minor, ok := strings.Cut(s, ".")
	if !ok {
		return Version{}, fmt.Errorf("encoding: malformed version %q", s)
	}
	a, err1 := strconv.ParseUint(major, 10, 8)
	b, err2 := strconv.ParseUint(minor, 10, 8)
	if err1 != nil || err2 != nil {
		return Version{}, fmt.Errorf("encoding: malformed version %q", s)
	}
	return Version{uint8(a), uint8(b)}, nil
}

// Identity is Ice::Identity. Name comes first on the wire.
type Identity struct {
	Name, Category string
}

// WriteIdentity appends id (name, category).
func (e *Encoder) WriteIdentity(id Identity) {
	e.WriteString(id.Name)
	e.WriteString(id.Category)
}

// ReadIdentity reads an Ice::Identity.
func (d *Decoder) ReadIdentity() Identity {
	name := d.ReadString()
	return Identity{Name: name, Category: d.ReadString()}
}
