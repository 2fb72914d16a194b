package descriptor

import (
	"errors"
	"maps"
	"strconv"
	"strings"

	"floe/ice/encoding"
	"floe/ice/reference"
	"floe/internal/slice/icegrid"
)

// resolve substitutes a string attribute; allowEmpty false rejects an empty result.
func (r *resolver) resolve(value, name string, allowEmpty bool) string {
	v, err := r.substitute(value)
	if err != nil {
		r.exception("invalid value for attribute `" + name + "':\ninvalid variable `" + value + "':\n " + err.Error())
	}
	if !allowEmpty {
		if value == "" {
			r.exception("invalid value for attribute `" + name + "':\nempty string")
		} else if v == "" {
			r.exception("invalid value for attribute `" + name + "':\nthe value of `" + value + "' is an empty string")
		}
	}
	return v
}

// asID substitutes an identifier, in which the ${node.*} variables are not allowed.
func (r *resolver) asID(value, name string, allowEmpty bool) string {
	if !allowEmpty && value == "" {
		r.exception("invalid value for attribute `" + name + "':\nempty string")
	}
	v, err := r.substituteDepth(value, true, false, &substitution{})
	if err != nil {
		r.exception("invalid value for attribute `" + name + "':\ninvalid variable `" + value + "':\n" + err.Error())
	}
	if !allowEmpty && v == "" {
		r.exception("invalid value for attribute `" + name + "':\nthe value of `" + value + "' is an empty string")
	}
	return v
}

// asInt substitutes an integer and writes it back in canonical form (" 05" becomes "5").
func (r *resolver) asInt(value, name string) string {
	v := r.resolve(value, name, true)
	if v == "" {
		return v
	}
	n, ok := parseCInt(strings.Trim(v, " "))
	if !ok {
		r.exception("invalid value `" + value + "' for `" + name + "':\nnot an integer")
	}
	return strconv.Itoa(n)
}

// asFloat checks a float (a node's load factor) and returns it without the surrounding spaces.
func (r *resolver) asFloat(value, name string) string {
	v := r.resolve(value, name, true)
	if v == "" {
		return v
	}
	v = strings.Trim(v, " ")
	if !isCFloat(v) {
		r.exception("invalid value `" + value + "' for `" + name + "':\nnot a float")
	}
	return v
}

func (r *resolver) strs(values []string, name string) []string {
	var out []string
	for _, v := range values {
		out = append(out, r.resolve(v, name, true))
	}
	return out
}

func (r *resolver) distrib(d icegrid.DistributionDescriptor) icegrid.DistributionDescriptor {
	return icegrid.DistributionDescriptor{
		Icepatch:    r.resolve(d.Icepatch, "IcePatch2 server proxy", true),
		Directories: r.strs(d.Directories, "distribution source directory"),
	}
}

func (r *resolver) properties(props []icegrid.PropertyDescriptor, name string) []icegrid.PropertyDescriptor {
	var out []icegrid.PropertyDescriptor
	for _, p := range props {
		out = append(out, icegrid.PropertyDescriptor{
			Name:  r.resolve(p.Name, name+" name", true),
			Value: r.resolve(p.Value, name+" value", true),
		})
	}
	return out
}

// namedPropertySets resolves the sets of an application or node; their references stay
// references, resolved where the sets are used.
func (r *resolver) namedPropertySets(sets map[string]icegrid.PropertySetDescriptor) map[string]icegrid.PropertySetDescriptor {
	out := make(map[string]icegrid.PropertySetDescriptor, len(sets))
	for _, id := range sortedKeys(sets) {
		out[id] = icegrid.PropertySetDescriptor{
			References: r.strs(sets[id].References, "property set `"+id+"' reference"),
			Properties: r.properties(sets[id].Properties, "property set `"+id+"' property"),
		}
	}
	return out
}

// propertySet flattens an unnamed set: the referenced sets' properties, then its own.
func (r *resolver) propertySet(ps icegrid.PropertySetDescriptor) icegrid.PropertySetDescriptor {
	props := r.referencedProperties(ps.References, map[string]bool{})
	props = append(props, r.properties(ps.Properties, "property")...)
	return icegrid.PropertySetDescriptor{Properties: props}
}

// referencedProperties is Resolver::getProperties. Like IceGrid 3.7 it marks a set as visited
// only when it has references of its own, and never unmarks it, so a set reached twice through
// references is reported as a cycle (fixed on IceGrid's main branch, GH#5812).
func (r *resolver) referencedProperties(refs []string, resolved map[string]bool) []icegrid.PropertyDescriptor {
	var props []icegrid.PropertyDescriptor
	for _, id := range refs {
		if resolved[id] {
			r.exception("detected circular dependency with property reference `" + id + "'")
		}
		set, ok := r.propertySets[id]
		if !ok {
			r.exception("invalid reference to property set, property set `" + id + "' doesn't exist")
		}
		if len(set.References) > 0 {
			resolved[id] = true
			props = append(props, r.referencedProperties(set.References, resolved)...)
		}
		props = append(props, r.properties(set.Properties, "property")...)
	}
	return props
}

// addPropertySets makes named sets visible; they shadow the sets of the enclosing scope.
func (r *resolver) addPropertySets(sets map[string]icegrid.PropertySetDescriptor) {
	merged := make(map[string]icegrid.PropertySetDescriptor, len(sets)+len(r.propertySets))
	maps.Copy(merged, r.propertySets)
	maps.Copy(merged, sets)
	r.propertySets = merged
	for _, id := range sortedKeys(sets) {
		r.referencedProperties(sets[id].References, map[string]bool{})
	}
}

// objects resolves well-known or allocatable objects; proxyOptions is the default for objects
// that set none.
func (r *resolver) objects(objs []icegrid.ObjectDescriptor, proxyOptions, kind string) []icegrid.ObjectDescriptor {
	var out []icegrid.ObjectDescriptor
	for _, o := range objs {
		obj := icegrid.ObjectDescriptor{
			Type: r.resolve(o.Type, kind+" object type", true),
			ID:   r.identity(o.ID, kind+" object identity"),
		}
		if o.ProxyOptions != "" {
			obj.ProxyOptions = trimSpace(r.resolve(o.ProxyOptions, kind+" object proxy options", true))
		} else if proxyOptions != "" {
			obj.ProxyOptions = trimSpace(r.resolve(proxyOptions, kind+" object proxy options", true))
		}
		r.validateProxyOptions(obj.ProxyOptions)
		out = append(out, obj)
	}
	return out
}

func (r *resolver) identity(id encoding.Identity, name string) encoding.Identity {
	s := r.asID(reference.IdentityString(id), name, false)
	out, err := reference.ParseIdentity(s)
	if err != nil {
		r.exception("invalid object identity `" + s + "'")
	}
	if out.Name == "" {
		r.exception("invalid object identity `" + reference.IdentityString(id) + "': name empty")
	}
	return out
}

// validateProxyOptions checks options the way IceGrid does, by parsing "dummy <options>".
func (r *resolver) validateProxyOptions(opts string) {
	if opts == "" {
		return
	}
	if _, err := reference.Parse("dummy "+opts, reference.Defaults{}); err != nil {
		reason := err.Error()
		if pe, ok := errors.AsType[*reference.ParseError](err); ok {
			reason = pe.Reason
		}
		r.exception("invalid proxy options: " + reason)
	}
}

// setVersion records the server's ice-version, which selects the generated properties.
func (r *resolver) setVersion(version string) {
	v := r.resolve(version, "ice version", true)
	if v == "" {
		return
	}
	if r.version = mmVersion(v); r.version < 0 {
		r.exception("invalid ice version: " + v)
	} else if r.version > iceIntVersion {
		r.warn("invalid ice version: " + strconv.Itoa(r.version) + " is superior to the IceGrid registry version (3.7.8)")
	}
}

func (r *resolver) serverTemplate(id string) icegrid.TemplateDescriptor {
	t, ok := r.app.ServerTemplates[id]
	if !ok {
		failAt(r.path, "unknown server template `"+id+"'")
	}
	return t
}

func (r *resolver) serviceTemplate(id string) icegrid.TemplateDescriptor {
	t, ok := r.app.ServiceTemplates[id]
	if !ok {
		failAt(r.path, "unknown service template `"+id+"'")
	}
	return t
}

func trimSpace(s string) string { return strings.Trim(s, " \t\r\n") }
