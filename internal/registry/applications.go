package registry

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"floe/internal/descriptor"
	"floe/internal/store"
)

// ErrApplicationNotFound and ErrApplicationExists are the application errors.
var (
	ErrApplicationNotFound = errors.New("registry: application not found")
	ErrApplicationExists   = errors.New("registry: application already exists")
)

// DescriptorError is a descriptor that does not parse or validate; Line is 0 when unknown.
type DescriptorError struct {
	Line   int
	Reason string
}

func (e *DescriptorError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("descriptor: line %d: %s", e.Line, e.Reason)
	}
	return "descriptor: " + e.Reason
}

// ApplicationName checks that a descriptor is well-formed IceGrid XML — an <icegrid> root
// holding one <application name="…"> — and returns the application's name. The full descriptor
// dialect (templates, nodes, servers) is validated by the descriptor package once deployment
// lands; this is the check every replica applies before accepting a descriptor from the store.
func ApplicationName(descriptor []byte) (string, error) {
	if len(descriptor) > store.MaxApplicationSize {
		return "", &DescriptorError{Reason: fmt.Sprintf("%d bytes, more than the %d allowed", len(descriptor), store.MaxApplicationSize)}
	}
	d := xml.NewDecoder(bytes.NewReader(descriptor))
	var path []string
	name := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			return "", &DescriptorError{Line: line, Reason: err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			line, _ := d.InputPos()
			switch {
			case len(path) == 1 && t.Name.Local != "icegrid":
				return "", &DescriptorError{Line: line, Reason: fmt.Sprintf("root element <%s>, want <icegrid>", t.Name.Local)}
			case len(path) == 2 && t.Name.Local == "application":
				if name != "" {
					return "", &DescriptorError{Line: line, Reason: "more than one <application>"}
				}
				if name = attr(t, "name"); name == "" {
					return "", &DescriptorError{Line: line, Reason: "<application> without a name"}
				}
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
	if name == "" {
		return "", &DescriptorError{Reason: "no <application> in <icegrid>"}
	}
	if !store.ValidKey(name) {
		return "", &DescriptorError{Reason: fmt.Sprintf("invalid application name %q", name)}
	}
	return name, nil
}

// checkUTF8 refuses a descriptor that is not UTF-8 (in a comment, where XML does not check):
// stores, nodes and the HTTP API carry descriptors in JSON, which would replace its bytes.
func checkUTF8(descriptor []byte) error {
	for i := 0; i < len(descriptor); {
		r, n := utf8.DecodeRune(descriptor[i:])
		if r == utf8.RuneError && n == 1 {
			return &DescriptorError{Line: 1 + bytes.Count(descriptor[:i], []byte("\n")),
				Reason: fmt.Sprintf("byte 0x%02x at offset %d is not UTF-8; save the descriptor as UTF-8", descriptor[i], i)}
		}
		i += n
	}
	return nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// Applications returns every application, sorted by name.
func (r *Registry) Applications() []store.Application {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]store.Application, 0, len(r.apps))
	for _, a := range r.apps {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b store.Application) int { return cmpString(a.Name, b.Name) })
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Application returns one application.
func (r *Registry) Application(name string) (store.Application, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a := r.apps[name]
	if a == nil {
		return store.Application{}, fmt.Errorf("%w: %q", ErrApplicationNotFound, name)
	}
	return *a, nil
}

// put is how putApplication changes an application.
type put int

const (
	add       put = iota
	update        // restarting the running servers whose descriptor changed
	noRestart     // failing unless no running server must restart
)

// AddApplication deploys a new application (Admin.addApplication).
func (r *Registry) AddApplication(ctx context.Context, descriptor []byte) (store.Application, error) {
	return r.putApplication(ctx, "", descriptor, add)
}

// UpdateApplication replaces an application's descriptor (Admin.syncApplication); name, when
// not empty, must match the descriptor's. Running servers whose descriptor changed restart.
func (r *Registry) UpdateApplication(ctx context.Context, name string, descriptor []byte) (store.Application, error) {
	return r.putApplication(ctx, name, descriptor, update)
}

// UpdateApplicationWithoutRestart replaces an application's descriptor without restarting a
// server (Admin.syncApplicationWithoutRestart, `icegridadmin application update -n`): running
// servers whose properties only changed get them live, and any other change of a server that
// would need a restart (reference/icegrid.md §1.7) fails the whole update with a
// *DeploymentError before anything changed.
func (r *Registry) UpdateApplicationWithoutRestart(ctx context.Context, name string, descriptor []byte) (store.Application, error) {
	return r.putApplication(ctx, name, descriptor, noRestart)
}

func (r *Registry) putApplication(ctx context.Context, want string, descriptor []byte, how put) (store.Application, error) {
	if err := checkUTF8(descriptor); err != nil {
		return store.Application{}, err
	}
	name, x, err := r.validate(descriptor)
	if err != nil {
		return store.Application{}, err
	}
	if want != "" && want != name {
		return store.Application{}, &DescriptorError{Reason: fmt.Sprintf("descriptor names application %q, not %q", name, want)}
	}
	unlock := r.lockKey('p', name)
	defer unlock()
	r.mu.RLock()
	old := r.apps[name]
	r.mu.RUnlock()
	switch {
	case old != nil && how == add:
		return store.Application{}, fmt.Errorf("%w: %q", ErrApplicationExists, name)
	case old == nil && how != add:
		return store.Application{}, fmt.Errorf("%w: %q", ErrApplicationNotFound, name)
	}
	a := &store.Application{Name: name, Descriptor: slices.Clone(descriptor), Revision: 1}
	if old != nil {
		a.Revision = old.Revision + 1
	}
	undo := func() {}
	if how == noRestart {
		if undo, err = r.updateLive(ctx, old, a, x); err != nil {
			return store.Application{}, err
		}
	}
	if err := r.store.PutApplication(ctx, a); err != nil {
		undo()
		return store.Application{}, fmt.Errorf("registry: put application %q: %w", name, err)
	}
	r.applyApplication(name, a, x)
	return *a, nil
}

// RemoveApplication removes an application (Admin.removeApplication).
func (r *Registry) RemoveApplication(ctx context.Context, name string) error {
	unlock := r.lockKey('p', name)
	defer unlock()
	r.mu.RLock()
	_, ok := r.apps[name]
	r.mu.RUnlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrApplicationNotFound, name)
	}
	if err := r.store.DeleteApplication(ctx, name); err != nil {
		return fmt.Errorf("registry: remove application %q: %w", name, err)
	}
	r.applyApplication(name, nil, nil)
	return nil
}

// validate checks a descriptor: well-formed IceGrid XML, then the full dialect, parsed and
// expanded as IceGrid does. It returns the application's name and expansion.
func (r *Registry) validate(data []byte) (string, *descriptor.Expanded, error) {
	if r.cfg.ValidateDescriptor != nil {
		name, err := r.cfg.ValidateDescriptor(data)
		return name, nil, err
	}
	name, err := ApplicationName(data)
	if err != nil {
		return "", nil, err
	}
	x, err := r.expand(data)
	if err != nil {
		if de, ok := errors.AsType[*descriptor.Error](err); ok {
			return "", nil, &DescriptorError{Line: de.Line, Reason: de.Msg}
		}
		return "", nil, &DescriptorError{Reason: err.Error()}
	}
	return name, x, nil
}

// applyApplication sets (a != nil) or deletes an application in memory and redeploys.
func (r *Registry) applyApplication(name string, a *store.Application, x *descriptor.Expanded) {
	r.gen.Add(1)
	r.mu.Lock()
	if a == nil {
		delete(r.apps, name)
		delete(r.expanded, name)
	} else {
		r.apps[name] = a
		if x != nil {
			r.expanded[name] = x
		}
	}
	d := r.rebuildLocked()
	r.mu.Unlock()
	r.deploy(d)
}
