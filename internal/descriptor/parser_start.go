package descriptor

import "floe/internal/slice/icegrid"

// startElement is DescriptorHandler::startElement.
func (h *handler) startElement(name string, a *attrs, depth int) (err error) {
	skip := false
	msg, failed := h.catchIncluded(func() { skip = h.start(name, a, depth) }, &err)
	if err != nil {
		return err
	}
	if failed {
		return h.errorf(msg)
	}
	if skip {
		return nil
	}
	if err := h.checkValue(h.previous); err != nil {
		return err
	}
	h.previous = name
	return nil
}

// catchIncluded runs fn, returning a failure's message, or in *err an included file's error.
func (h *handler) catchIncluded(fn func(), err *error) (string, bool) {
	defer func() {
		if r := recover(); r != nil {
			inc, ok := r.(included)
			if !ok {
				panic(r)
			}
			*err = inc.err
		}
	}()
	return catch(fn)
}

// start handles one start tag; it reports true when the tag was skipped without IceGrid's
// checks (a <target>, or anything inside a target that is not deployed).
func (h *handler) start(name string, a *attrs, depth int) bool {
	switch {
	case name == "icegrid":
		if !h.topLevel {
			fail("element <icegrid> is a top level element")
		}
		h.topLevel = false
	case h.topLevel:
		fail("only the <icegrid> element is allowed at the top-level")
	case name == "target":
		if h.deployable {
			h.deployable = h.isTargetDeployable(a.req("name"))
			h.targetCounter = 1
			return true
		}
		h.targetCounter++ // nested in a target that is not deployed: IceGrid checks its attributes
	case !h.deployable:
		a.all()
		return true
	default:
		h.startContent(name, a, depth)
	}
	a.checkUnknown()
	return false
}

func (h *handler) startContent(name string, a *attrs, depth int) {
	switch name {
	case "include":
		h.include(a, depth)
	case "application":
		h.startApplication(a)
	case "node":
		if h.app == nil || h.node != nil {
			fail("the <node> element can only be a child of an <application> element")
		}
		h.node = newNodeBuilder(h.app, a)
		h.src.set(nodePath(h.node.name), h.pos())
	case "server-instance":
		if h.node == nil || h.server != nil || h.serverInst != nil {
			fail("the <server-instance> element can only be a child of a <node> element")
		}
		h.serverInst = newServerInstanceBuilder(a)
		h.src.set(instancePath(h.node.name, len(h.node.desc.ServerInstances)), h.pos())
	case "server", "icebox":
		h.startServer(name, a)
	case "server-template", "service-template":
		h.startTemplate(name, a)
	case "service-instance":
		h.startServiceInstance(a)
	case "service":
		h.startService(a)
	default:
		h.startOther(name, a)
	}
}

func (h *handler) startApplication(a *attrs) {
	if h.app != nil {
		fail("only one <application> element is allowed")
	}
	var defaults *icegrid.ApplicationDescriptor
	if a.boolean("import-default-templates", false) {
		if defaults = h.cfg.defaults; defaults == nil {
			fail("no default templates configured, you need to set IceGrid.Registry.DefaultTemplates in the " +
				"IceGrid registry configuration.")
		}
	}
	h.app = newAppBuilder(a, h.cfg.variables, defaults)
	h.src.set(appPath, h.pos())
}

func (h *handler) startServer(name string, a *attrs) {
	if (h.node == nil && h.tmpl == nil) || h.server != nil || h.serverInst != nil {
		fail("the <" + name + "> element can only be a child of a <node> or <server-template> element")
	}
	if h.node == nil && h.tmpl.service {
		fail("<" + name + "> element can't be a child of <service-template>")
	}
	h.server = newServerBuilder(a, name == "icebox")
	if h.node != nil {
		h.server.path = serverPath(h.node.name, len(h.node.desc.Servers))
	} else {
		h.server.path = serverTemplatePath(h.tmpl.id)
	}
	h.src.set(h.server.path, h.pos())
	h.comm = h.server
}

func (h *handler) startTemplate(name string, a *attrs) {
	if h.app == nil || h.tmpl != nil || h.node != nil {
		fail("the <" + name + "> element can only be a child of an <application> element")
	}
	h.tmpl = &templateBuilder{id: a.req("id"), service: name == "service-template"}
	if h.tmpl.service {
		h.src.set(serviceTemplatePath(h.tmpl.id), h.pos())
	} else {
		h.src.set(serverTemplatePath(h.tmpl.id), h.pos())
	}
}

func (h *handler) startServiceInstance(a *attrs) {
	if h.server == nil || h.serviceInst != nil {
		fail("the <service-instance> element can only be a child of an <icebox> element")
	}
	if h.server.kind != iceboxComm {
		fail("<service-instance> element can only be a child of an <icebox> element")
	}
	h.serviceInst = newServiceInstanceBuilder(a)
	h.src.set(childPath(h.server.path, "service", len(h.server.icebox.Services)), h.pos())
}

func (h *handler) startService(a *attrs) {
	if (h.server == nil && h.tmpl == nil) || h.service != nil || h.serviceInst != nil {
		fail("the <service> element can only be a child of an <icebox> or <service-template> element")
	}
	switch {
	case h.server != nil && h.server.kind != iceboxComm:
		fail("<service> element can only be a child of an <icebox> element")
	case h.server == nil && !h.tmpl.service:
		fail("<service> element can't be a child of <server-template>")
	}
	h.service = newServiceBuilder(a)
	if h.server != nil {
		h.service.path = childPath(h.server.path, "service", len(h.server.icebox.Services))
	} else {
		h.service.path = serviceTemplatePath(h.tmpl.id)
	}
	h.src.set(h.service.path, h.pos())
	h.comm = h.service
}
