package descriptor

import "strings"

// attrs is IceGrid's XmlAttributesHelper: attribute lookups that remember which names were
// asked for, so that checkUnknown can reject the others. Lookups raise failures with IceGrid's
// messages, in the order the builders make them.
type attrs struct {
	m    map[string]string
	used map[string]bool
}

func newAttrs(m map[string]string) *attrs {
	return &attrs{m: m, used: make(map[string]bool, len(m))}
}

// req returns a required attribute, which may be neither missing nor empty.
func (a *attrs) req(name string) string {
	a.used[name] = true
	v, ok := a.m[name]
	if !ok {
		fail("missing attribute '" + name + "'")
	}
	if v == "" {
		fail("attribute '" + name + "' is empty")
	}
	return v
}

// opt returns an optional attribute, or def when it is missing (an empty value is kept).
func (a *attrs) opt(name, def string) string {
	a.used[name] = true
	if v, ok := a.m[name]; ok {
		return v
	}
	return def
}

// has reports whether the attribute is present, and marks it used.
func (a *attrs) has(name string) bool {
	a.used[name] = true
	_, ok := a.m[name]
	return ok
}

// boolean returns an optional "true"/"false" attribute.
func (a *attrs) boolean(name string, def bool) bool {
	a.used[name] = true
	v, ok := a.m[name]
	switch {
	case !ok:
		return def
	case v == "true":
		return true
	case v == "false":
		return false
	}
	fail("invalid attribute `" + name + "': value is not 'false' or 'true'")
	return false
}

// all returns every attribute (parameter values of instances) and marks them all used.
func (a *attrs) all() map[string]string {
	out := make(map[string]string, len(a.m))
	for k, v := range a.m {
		a.used[k] = true
		out[k] = v
	}
	return out
}

// checkUnknown rejects the attributes nobody asked for, listed in name order.
func (a *attrs) checkUnknown() {
	var unknown []string
	for _, k := range sortedKeys(a.m) {
		if !a.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		fail("unknown attributes: " + strings.Join(unknown, " "))
	}
}
