package descriptor

// startOther handles the start tags that do not open a builder of their own.
func (h *handler) startOther(name string, a *attrs) {
	switch name {
	case "replica-group":
		if h.app == nil {
			fail("the <replica-group> element can only be a child of an <application> element")
		}
		h.app.addReplicaGroup(a)
		h.src.set(replicaGroupPath(len(h.app.desc.ReplicaGroups)-1), h.pos())
		h.inRepGroup = true
	case "load-balancing":
		if !h.inRepGroup {
			fail("the <load-balancing> element can only be a child of a <replica-group> element")
		}
		h.app.setLoadBalancing(a)
	case "variable":
		h.startVariable(a)
	case "parameter":
		if h.tmpl == nil {
			fail("the <parameter> element can only be a child of a <template> element")
		}
		h.tmpl.addParameter(a)
	case "properties":
		h.startProperties(a)
	case "property":
		h.startProperty(a)
	default:
		h.startCommunicatorContent(name, a)
	}
}

func (h *handler) startVariable(a *attrs) {
	switch {
	case h.node != nil:
		h.node.addVariable(a)
	case h.app != nil:
		h.app.addVariable(a)
	default:
		fail("the <variable> element can only be a child of an <application> or <node> element")
	}
}

func (h *handler) startProperties(a *attrs) {
	switch {
	case h.propertySet != nil:
		h.propertySet.addReference(a)
	case h.serviceInst != nil:
		h.propertySet = &propertySetBuilder{}
	case h.serverInst != nil:
		h.propertySet = h.serverInst.createPropertySet(a)
	case h.comm != nil:
		h.propertySet = &propertySetBuilder{}
	case h.node != nil:
		h.propertySet = &propertySetBuilder{id: a.req("id")}
	case h.app != nil && h.tmpl == nil:
		h.propertySet = &propertySetBuilder{id: a.req("id")}
	default:
		fail("the <properties> element is not allowed here")
	}
}

func (h *handler) startProperty(a *attrs) {
	switch {
	case h.propertySet != nil:
		h.propertySet.addProperty(a)
	case h.comm != nil:
		h.comm.addProperty(a)
	default:
		fail("the <property> element can only be a child of a <properties>, <icebox>, <server> or <service> element")
	}
}

func (h *handler) startCommunicatorContent(name string, a *attrs) {
	switch name {
	case "adapter":
		if h.comm == nil {
			fail("the <adapter> element can only be a child of a <server> or <service> element")
		}
		h.comm.addAdapter(a)
		h.src.set(childPath(h.comm.path, "adapter", len(h.comm.comm.Adapters)-1), h.pos())
		h.inAdapter = true
	case "object":
		if !h.inAdapter && !h.inRepGroup {
			fail("the <object> element can only be a child of an <adapter> or <replica-group> element")
		}
		if h.inRepGroup {
			h.app.addReplicaGroupObject(a)
		} else {
			h.comm.addObject(a, false)
		}
	case "allocatable":
		if !h.inAdapter {
			fail("the <allocatable> element can only be a child of an <adapter> element")
		}
		h.comm.addObject(a, true)
	case "dbenv":
		if h.comm == nil {
			fail("the <dbenv> element can only be a child of a <server> or <service> element")
		}
		h.comm.addDbEnv(a)
		h.inDbEnv = true
	case "dbproperty":
		if !h.inDbEnv {
			fail("the <dbproperty> element can only be a child of a <dbenv> element")
		}
		h.comm.addDbEnvProperty(a)
	case "log":
		if h.comm == nil {
			fail("the <log> element can only be a child of a <server> or <service> element")
		}
		h.comm.addLog(a)
	case "distrib":
		h.startDistrib(a)
	case "description", "option", "env", "directory":
	default:
		fail("unknown element `" + name + "'")
	}
}

// startDistrib reads an IcePatch2 distribution (deprecated in 3.7): it is kept in the
// descriptor, and reported as a warning because Floe does not patch.
func (h *handler) startDistrib(a *attrs) {
	if h.app == nil || ((h.node != nil || h.tmpl != nil) && h.server == nil) || h.server != h.comm {
		fail("the <distrib> element can only be a child of an <application>, <server> or <icebox> element")
	}
	if h.server == nil {
		h.app.addDistribution(a)
	} else {
		h.server.addDistribution(a)
	}
	h.inDistrib = true
	h.warn("<distrib>: IcePatch2 distributions are not supported; the descriptor keeps them but nothing is patched")
}
