package descriptor

import (
	"strings"

	"floe/internal/slice/icegrid"
)

// endElement is DescriptorHandler::endElement.
func (h *handler) endElement(name string) error {
	if name == "target" {
		if !h.deployable {
			if h.targetCounter--; h.targetCounter == 0 {
				h.deployable = true
			}
		}
		return nil
	}
	if !h.deployable {
		return nil
	}
	if msg, failed := catch(func() { h.end(name) }); failed {
		return h.errorf(msg)
	}
	return h.checkValue(name)
}

func (h *handler) end(name string) {
	switch name {
	case "node":
		h.node.finish()
		h.node = nil
	case "server", "icebox":
		h.endServer()
	case "server-template", "service-template":
		h.app.addTemplate(h.tmpl)
		h.tmpl = nil
	case "service":
		h.endService()
	case "server-instance":
		h.node.desc.ServerInstances = append(h.node.desc.ServerInstances, h.serverInst.desc)
		h.serverInst = nil
	case "service-instance":
		h.server.addServiceInstance(h.serviceInst.desc)
		h.serviceInst = nil
	case "properties":
		h.endProperties()
	case "description":
		h.endDescription()
	case "option", "env":
		if h.server == nil {
			fail("element <" + name + "> can only be the child of a <server> element")
		}
		if name == "option" {
			h.server.server.Options = append(h.server.server.Options, h.elementValue())
		} else {
			h.server.server.Envs = append(h.server.server.Envs, h.elementValue())
		}
	case "directory":
		h.endDirectory()
	default:
		h.endFlag(name)
	}
}

func (h *handler) endFlag(name string) {
	switch name {
	case "adapter":
		h.inAdapter = false
	case "replica-group":
		h.app.finishReplicaGroup()
		h.inRepGroup = false
	case "dbenv":
		h.inDbEnv = false
	case "distrib":
		h.inDistrib = false
	}
}

func (h *handler) endServer() {
	if h.tmpl != nil {
		h.tmpl.desc.Descriptor = h.server.value().(icegrid.Server)
	} else {
		h.node.desc.Servers = append(h.node.desc.Servers, h.server.value().(icegrid.Server))
	}
	h.server.finish()
	h.server, h.comm = nil, nil
}

func (h *handler) endService() {
	if h.server != nil {
		h.server.addServiceInstance(icegrid.ServiceInstanceDescriptor{Descriptor: h.service.service})
	} else {
		h.tmpl.desc.Descriptor = h.service.service
	}
	h.service.finish()
	h.service = nil
	h.comm = h.server
	if h.server == nil {
		h.comm = nil
	}
}

func (h *handler) endProperties() {
	ps := h.propertySet
	if ps == nil {
		fail("unexpected </properties>") // IceGrid asserts (crashes) here
	}
	if !ps.finish() {
		return
	}
	switch {
	case h.serviceInst != nil:
		mergePropertySet(&h.serviceInst.desc.PropertySet, ps.desc)
	case h.serverInst != nil:
		h.serverInst.addPropertySet(ps.service, ps.desc)
	case h.comm != nil:
		mergePropertySet(&h.comm.comm.PropertySet, ps.desc)
	case h.node != nil:
		h.node.addPropertySet(ps.id, ps.desc)
	default:
		h.app.addPropertySet(ps.id, ps.desc)
	}
	h.propertySet = nil
}

func (h *handler) endDescription() {
	v := h.elementValue()
	switch {
	case h.inAdapter:
		h.comm.lastAdapter().Description = v
	case h.inRepGroup:
		h.app.lastReplicaGroup().Description = v
	case h.inDbEnv:
		h.comm.comm.DbEnvs[len(h.comm.comm.DbEnvs)-1].Description = v
	case h.comm != nil:
		h.comm.comm.Description = v
	case h.node != nil:
		h.node.desc.Description = v
	case h.app != nil:
		h.app.desc.Description = v
	default:
		fail("element <description> is not allowed here")
	}
}

func (h *handler) endDirectory() {
	if !h.inDistrib {
		fail("the <directory> element can only be a child of a <distrib> element")
	}
	v := h.elementValue()
	if h.server == nil {
		h.app.desc.Distrib.Directories = append(h.app.desc.Distrib.Directories, v)
	} else {
		h.server.server.Distrib.Directories = append(h.server.server.Distrib.Directories, v)
	}
}

// isTargetDeployable is DescriptorHandler::isTargetDeployable: target matches a requested
// target by its short name, or qualified by a prefix of the current element's fully qualified
// name (application.node.server.service).
func (h *handler) isTargetDeployable(target string) bool {
	var parts []string
	if h.app != nil {
		parts = append(parts, h.app.desc.Name)
	}
	if h.node != nil {
		parts = append(parts, h.node.name)
	}
	if h.server != nil {
		parts = append(parts, h.server.server.ID)
	}
	if h.service != nil {
		parts = append(parts, h.service.service.Name)
	}
	fqn := strings.Join(parts, ".")
	for _, t := range h.targets {
		if t == target {
			return true
		}
		for end := 0; ; end++ {
			dot := strings.IndexByte(fqn[end:], '.')
			if dot < 0 {
				if t == fqn+"."+target {
					return true
				}
				break
			}
			end += dot
			if t == fqn[:end]+"."+target {
				return true
			}
		}
	}
	return false
}
