package descriptor

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"floe/internal/slice/icegrid"
)

// resolver is IceGrid's Resolver (DescriptorHelper.cpp): the variables, parameters, reserved
// variables and named property sets visible at one scope, and the context ("server `x'") that
// prefixes its errors. derive makes the resolver of a nested scope; the maps are copied so
// that a scope never changes its parent.
type resolver struct {
	app          *icegrid.ApplicationDescriptor // nil in the node's pass
	escape       bool                           // the node's pass turns $${x} into ${x}
	context      string
	variables    map[string]string
	parameters   map[string]string
	propertySets map[string]icegrid.PropertySetDescriptor
	reserved     map[string]string
	ignore       map[string]bool // reserved names left for the node's pass
	version      int             // the server's Ice version (MMmmpp), 0 when not set
	path         string          // Source path of the element being instantiated
	warnings     *[]string
}

// reservedVariables returns IceGrid's reserved variables; an empty value means undefined.
func reservedVariables() map[string]string {
	return map[string]string{
		"application": "", "node": "", "node.os": "", "node.hostname": "", "node.release": "",
		"node.version": "", "node.machine": "", "node.datadir": "", "node.data": "", "session.id": "",
		"application.distrib": "${node.data}/distrib/${application}",
		"server.distrib":      "${node.data}/servers/${server}/distrib",
		"server":              "",
		"server.data":         "${node.data}/servers/${server}/data",
		"service":             "",
		"service.data":        "${node.data}/servers/${server}/data_${service}",
	}
}

// newAppResolver is the registry's resolver for an application: it checks the variables and
// templates and leaves the ${node.*} variables for the node.
func newAppResolver(app *icegrid.ApplicationDescriptor, warnings *[]string) *resolver {
	r := &resolver{
		app:       app,
		context:   "application `" + app.Name + "'",
		variables: maps.Clone(app.Variables),
		reserved:  reservedVariables(),
		ignore:    map[string]bool{},
		path:      appPath,
		warnings:  warnings,
	}
	r.checkReserved("variable", r.variables)
	r.reserved["application"] = app.Name
	for _, n := range []string{"node.os", "node.hostname", "node.release", "node.version", "node.machine",
		"node.datadir", "node.data"} {
		r.ignore[n] = true
	}
	if _, ok := r.variables[""]; ok {
		r.exception("empty variable name")
	}
	r.checkTemplates("server", app.ServerTemplates)
	r.checkTemplates("service", app.ServiceTemplates)
	return r
}

func (r *resolver) checkTemplates(kind string, templates map[string]icegrid.TemplateDescriptor) {
	for _, id := range sortedKeys(templates) {
		t := templates[id]
		if id == "" {
			r.exception("empty " + kind + " template id")
		}
		if t.Descriptor == nil {
			r.exception("invalid " + kind + " template `" + id + "': " + kind + " definition is empty")
		}
		params := slices.Clone(t.Parameters)
		slices.Sort(params)
		var dups []string
		for i := 1; i < len(params); i++ {
			if params[i] == params[i-1] && !slices.Contains(dups, params[i]) {
				dups = append(dups, params[i])
			}
		}
		if len(dups) > 0 {
			// IceGrid says "server template" for service templates too.
			r.exception("invalid server template `" + id + "': duplicate parameters " + strings.Join(dups, " "))
		}
	}
}

// derive is Resolver(resolve, values, params): with params the values are the parameters of a
// template instance; otherwise they are variables that shadow the inherited ones.
func (r *resolver) derive(values map[string]string, params bool) *resolver {
	d := *r
	d.reserved = maps.Clone(r.reserved)
	d.ignore = maps.Clone(r.ignore)
	d.propertySets = maps.Clone(r.propertySets)
	if params {
		d.variables = maps.Clone(r.variables)
		d.parameters = maps.Clone(values)
		d.checkReserved("parameter", values)
	} else {
		d.variables = maps.Clone(values)
		if d.variables == nil {
			d.variables = map[string]string{}
		}
		for k, v := range r.variables {
			if _, ok := d.variables[k]; !ok {
				d.variables[k] = v
			}
		}
		d.parameters = maps.Clone(r.parameters)
		d.checkReserved("variable", values)
	}
	if _, ok := d.variables[""]; ok {
		d.exception("empty variable name")
	}
	return &d
}

func (r *resolver) checkReserved(kind string, values map[string]string) {
	for _, k := range sortedKeys(values) {
		if _, ok := r.reserved[k]; ok {
			r.exception("invalid " + kind + " `" + k + "': reserved variable name")
		}
	}
}

// exception fails with the resolver's context, at the resolver's element.
func (r *resolver) exception(reason string) {
	failAt(r.path, r.context+":\n"+reason)
}

func (r *resolver) warn(msg string) {
	if r.warnings != nil {
		*r.warnings = append(*r.warnings, msg)
	}
}

func (r *resolver) setReserved(name, value string) { r.reserved[name] = value }

func (r *resolver) setContext(context string) {
	v, err := r.substitute(context)
	if err != nil {
		r.exception(err.Error())
	}
	r.context = v
}

// Bounds on substitution. IceGrid has none: a variable that refers to itself overflows the
// registry's stack, and nested doubling variables exhaust its memory or its time.
const (
	maxSubstitutionDepth = 64
	maxSubstitutedLen    = 1 << 20
	maxSubstitutions     = 1 << 16 // variable references expanded for one value
)

// substitute is Resolver::substitute for values: it replaces ${name} references (recursively
// for variables, not for parameters), honours $$ escapes and leaves ignored names in place.
func (r *resolver) substitute(v string) (string, error) {
	return r.substituteDepth(v, true, true, &substitution{})
}

// substitution tracks the recursion of one substitute call.
type substitution struct {
	depth, count int
}

func (r *resolver) substituteDepth(v string, useParams, useIgnored bool, st *substitution) (string, error) {
	if st.depth > maxSubstitutionDepth {
		return "", errors.New("variables nested more than " + strconv.Itoa(maxSubstitutionDepth) +
			" deep (a variable that refers to itself?)")
	}
	value, beg := v, 0
	for {
		i := strings.Index(value[beg:], "${")
		if i < 0 {
			return value, nil
		}
		var escaped bool
		if value, beg, escaped = r.unescape(value, beg+i); escaped {
			if beg > len(value) {
				return value, nil
			}
			continue
		}
		end := strings.IndexByte(value[beg:], '}')
		if end < 0 {
			return "", errors.New("malformed variable name `" + value + "'")
		}
		end += beg
		name := value[beg+2 : end]
		if r.ignore[name] {
			r.checkDeprecated(name)
			if !useIgnored {
				return "", errors.New("use of the `" + name + "' variable is now allowed here")
			}
			beg++
			continue
		}
		if st.count++; st.count > maxSubstitutions {
			return "", errors.New("more than " + strconv.Itoa(maxSubstitutions) + " variable references to substitute")
		}
		val, err := r.value(name, useParams, useIgnored, st)
		if err != nil {
			return "", err
		}
		if len(value)-(end+1-beg)+len(val) > maxSubstitutedLen {
			return "", errors.New("substituted value longer than " + strconv.Itoa(maxSubstitutedLen) + " bytes")
		}
		value = value[:beg] + val + value[end+1:]
		beg += len(val)
	}
}

// unescape handles the '$' signs before the "${" at beg: each "$$" becomes "$"; with an odd
// count the reference is escaped and skipped (and the node's pass removes one '$'). It returns
// where to go on from.
func (r *resolver) unescape(value string, beg int) (string, int, bool) {
	if beg == 0 || value[beg-1] != '$' {
		return value, beg, false
	}
	esc := beg - 1
	for esc > 0 && value[esc-1] == '$' {
		esc--
	}
	n := beg - esc
	if n%2 == 0 {
		return value[:esc] + strings.Repeat("$", n/2) + value[beg:], beg - n/2, false
	}
	if r.escape {
		// Like IceGrid, the position is not moved back: the search resumes past the reference.
		value = value[:esc] + strings.Repeat("$", n/2) + value[beg:]
	}
	return value, beg + 1, true
}

// value returns the value of a referenced name, variables substituted in turn.
func (r *resolver) value(name string, useParams, useIgnored bool, st *substitution) (string, error) {
	val, param, err := r.variable(name, useParams)
	if err != nil || param {
		return val, err
	}
	st.depth++
	defer func() { st.depth-- }()
	return r.substituteDepth(val, false, useIgnored, st)
}

// variable looks a name up: reserved variables first, then parameters, then variables.
func (r *resolver) variable(name string, useParams bool) (string, bool, error) {
	if v, ok := r.reserved[name]; ok {
		r.checkDeprecated(name)
		if v == "" {
			return "", false, errors.New("undefined variable `" + name + "'")
		}
		return v, false, nil
	}
	if useParams {
		if v, ok := r.parameters[name]; ok {
			return v, true, nil
		}
	}
	if v, ok := r.variables[name]; ok {
		return v, false, nil
	}
	return "", false, errors.New("undefined variable `" + name + "'")
}

func (r *resolver) checkDeprecated(name string) {
	if name == "node.datadir" && r.warnings != nil {
		r.warn("variable `node.datadir' is deprecated, use `node.data' instead")
	}
}
