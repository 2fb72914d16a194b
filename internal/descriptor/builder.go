package descriptor

import (
	"maps"
	"slices"

	"floe/internal/slice/icegrid"
)

// The builders mirror IceGrid's DescriptorBuilder.cpp: each one fills a part of the Slice model
// from attributes and reports misuse with IceGrid's messages.

type appBuilder struct {
	desc      *icegrid.ApplicationDescriptor
	overrides map[string]string
}

func newAppBuilder(a *attrs, overrides map[string]string, defaults *icegrid.ApplicationDescriptor) *appBuilder {
	desc := &icegrid.ApplicationDescriptor{}
	if defaults != nil {
		desc.ServerTemplates = maps.Clone(defaults.ServerTemplates)
		desc.ServiceTemplates = maps.Clone(defaults.ServiceTemplates)
		desc.PropertySets = maps.Clone(defaults.PropertySets)
	}
	desc.Name = a.req("name")
	desc.Variables = maps.Clone(overrides)
	return &appBuilder{desc: desc, overrides: overrides}
}

func (b *appBuilder) isOverride(name string) bool {
	_, ok := b.overrides[name]
	return ok
}

func (b *appBuilder) addVariable(a *attrs) {
	if b.isOverride(a.req("name")) {
		a.has("value")
		return
	}
	if b.desc.Variables == nil {
		b.desc.Variables = map[string]string{}
	}
	b.desc.Variables[a.req("name")] = a.opt("value", "")
}

func (b *appBuilder) addReplicaGroup(a *attrs) {
	rg := icegrid.ReplicaGroupDescriptor{ID: a.req("id")}
	rg.ProxyOptions = a.opt("proxy-options", "")
	rg.Filter = a.opt("filter", "")
	b.desc.ReplicaGroups = append(b.desc.ReplicaGroups, rg)
}

func (b *appBuilder) lastReplicaGroup() *icegrid.ReplicaGroupDescriptor {
	return &b.desc.ReplicaGroups[len(b.desc.ReplicaGroups)-1]
}

// finishReplicaGroup gives a group without <load-balancing> IceGrid's default: random, all
// replicas ("0").
func (b *appBuilder) finishReplicaGroup() {
	if rg := b.lastReplicaGroup(); rg.LoadBalancing == nil {
		rg.LoadBalancing = &icegrid.RandomLoadBalancingPolicy{LoadBalancingPolicy: icegrid.LoadBalancingPolicy{NReplicas: "0"}}
	}
}

func (b *appBuilder) setLoadBalancing(a *attrs) {
	var policy icegrid.Policy
	switch typ := a.req("type"); typ {
	case "random":
		policy = &icegrid.RandomLoadBalancingPolicy{}
	case "ordered":
		policy = &icegrid.OrderedLoadBalancingPolicy{}
	case "round-robin":
		policy = &icegrid.RoundRobinLoadBalancingPolicy{}
	case "adaptive":
		policy = &icegrid.AdaptiveLoadBalancingPolicy{LoadSample: a.opt("load-sample", "1")}
	default:
		fail("invalid load balancing policy `" + typ + "'")
	}
	policy.Policy().NReplicas = a.opt("n-replicas", "1")
	b.lastReplicaGroup().LoadBalancing = policy
}

func (b *appBuilder) addReplicaGroupObject(a *attrs) {
	obj := icegrid.ObjectDescriptor{Type: a.opt("type", "")}
	obj.ID = parseIdentity(a.req("identity"))
	obj.ProxyOptions = a.opt("proxy-options", "")
	if a.has("property") {
		fail("property attribute is not allowed in object descriptors from a replica group")
	}
	rg := b.lastReplicaGroup()
	rg.Objects = append(rg.Objects, obj)
}

func (b *appBuilder) addPropertySet(id string, ps icegrid.PropertySetDescriptor) {
	if _, dup := b.desc.PropertySets[id]; dup {
		fail("duplicate property set `" + id + "'")
	}
	if b.desc.PropertySets == nil {
		b.desc.PropertySets = map[string]icegrid.PropertySetDescriptor{}
	}
	b.desc.PropertySets[id] = ps
}

func (b *appBuilder) addTemplate(t *templateBuilder) {
	kind, dict := "server", &b.desc.ServerTemplates
	if t.service {
		kind, dict = "service", &b.desc.ServiceTemplates
	}
	if t.desc.Descriptor == nil {
		fail("invalid " + kind + " template `" + t.id + "': " + kind + " definition is missing")
	}
	if _, dup := (*dict)[t.id]; dup {
		fail("duplicate " + kind + " template `" + t.id + "'")
	}
	if *dict == nil {
		*dict = map[string]icegrid.TemplateDescriptor{}
	}
	(*dict)[t.id] = t.desc
}

func (b *appBuilder) addDistribution(a *attrs) {
	b.desc.Distrib.Icepatch = a.opt("icepatch", "${application}.IcePatch2/server")
}

// nodeBuilder continues the node's descriptor when the same node appears twice.
type nodeBuilder struct {
	app  *appBuilder
	name string
	desc icegrid.NodeDescriptor
}

func newNodeBuilder(app *appBuilder, a *attrs) *nodeBuilder {
	name := a.req("name")
	n := &nodeBuilder{app: app, name: name, desc: app.desc.Nodes[name]}
	n.desc.LoadFactor = a.opt("load-factor", "")
	return n
}

func (n *nodeBuilder) addVariable(a *attrs) {
	if n.app.isOverride(a.req("name")) {
		a.has("value")
		return
	}
	if n.desc.Variables == nil {
		n.desc.Variables = map[string]string{}
	}
	n.desc.Variables[a.req("name")] = a.opt("value", "")
}

func (n *nodeBuilder) addPropertySet(id string, ps icegrid.PropertySetDescriptor) {
	if _, dup := n.desc.PropertySets[id]; dup {
		fail("duplicate property set `" + id + "'")
	}
	if n.desc.PropertySets == nil {
		n.desc.PropertySets = map[string]icegrid.PropertySetDescriptor{}
	}
	n.desc.PropertySets[id] = ps
}

func (n *nodeBuilder) finish() {
	if n.app.desc.Nodes == nil {
		n.app.desc.Nodes = map[string]icegrid.NodeDescriptor{}
	}
	n.app.desc.Nodes[n.name] = n.desc
}

type templateBuilder struct {
	id      string
	service bool
	desc    icegrid.TemplateDescriptor
}

func (t *templateBuilder) addParameter(a *attrs) {
	name := a.req("name")
	if slices.Contains(t.desc.Parameters, name) {
		fail("duplicate parameter `" + name + "'")
	}
	t.desc.Parameters = append(t.desc.Parameters, name)
	if a.has("default") {
		if t.desc.ParameterDefaults == nil {
			t.desc.ParameterDefaults = map[string]string{}
		}
		t.desc.ParameterDefaults[name] = a.opt("default", "")
	}
}

// propertySetBuilder collects one <properties> element; nested <properties refid> elements add
// references and must come before any <property>.
type propertySetBuilder struct {
	id, service string
	desc        icegrid.PropertySetDescriptor
	inRef       bool
}

func (p *propertySetBuilder) addProperty(a *attrs) {
	prop := icegrid.PropertyDescriptor{Name: a.req("name")}
	prop.Value = a.opt("value", "")
	p.desc.Properties = append(p.desc.Properties, prop)
}

func (p *propertySetBuilder) addReference(a *attrs) {
	if a.has("id") || !a.has("refid") {
		fail(`only <properties refid=""> can be a child of a <properties> element`)
	}
	if len(p.desc.Properties) > 0 {
		fail(`<properties refid=""> can't be defined after a <property> element`)
	}
	p.desc.References = append(p.desc.References, a.req("refid"))
	p.inRef = true
}

// finish reports whether the end tag closes the set itself rather than a nested reference.
func (p *propertySetBuilder) finish() bool {
	if p.inRef {
		p.inRef = false
		return false
	}
	return true
}

// mergePropertySet appends a re-opened unnamed set to dst, as IceGrid allows.
func mergePropertySet(dst *icegrid.PropertySetDescriptor, src icegrid.PropertySetDescriptor) {
	dst.References = append(dst.References, src.References...)
	dst.Properties = append(dst.Properties, src.Properties...)
}

type serverInstanceBuilder struct {
	desc icegrid.ServerInstanceDescriptor
}

func newServerInstanceBuilder(a *attrs) *serverInstanceBuilder {
	b := &serverInstanceBuilder{}
	b.desc.Template = a.req("template")
	b.desc.ParameterValues = a.all()
	delete(b.desc.ParameterValues, "template")
	return b
}

func (b *serverInstanceBuilder) createPropertySet(a *attrs) *propertySetBuilder {
	service := ""
	if a.has("service") {
		service = a.req("service")
	}
	return &propertySetBuilder{service: service}
}

func (b *serverInstanceBuilder) addPropertySet(service string, ps icegrid.PropertySetDescriptor) {
	if service == "" {
		mergePropertySet(&b.desc.PropertySet, ps)
		return
	}
	if b.desc.ServicePropertySets == nil {
		b.desc.ServicePropertySets = map[string]icegrid.PropertySetDescriptor{}
	}
	set := b.desc.ServicePropertySets[service]
	mergePropertySet(&set, ps)
	b.desc.ServicePropertySets[service] = set
}

type serviceInstanceBuilder struct {
	desc icegrid.ServiceInstanceDescriptor
}

func newServiceInstanceBuilder(a *attrs) *serviceInstanceBuilder {
	b := &serviceInstanceBuilder{}
	b.desc.Template = a.req("template")
	b.desc.ParameterValues = a.all()
	delete(b.desc.ParameterValues, "template")
	return b
}
