package descriptor

import "floe/internal/slice/icegrid"

// commRef is one communicator of a server: the server itself, or one of its IceBox services.
type commRef struct {
	comm    *icegrid.CommunicatorDescriptor
	service *icegrid.ServiceDescriptor // nil for the server
	index   int                        // the service's index in the IceBox
}

// path returns the Source path of the communicator, given its server's path.
func (c commRef) path(server string) string {
	if c.service == nil {
		return server
	}
	return childPath(server, "service", c.index)
}

// communicators lists the server's communicators in IceGrid's order (forEachCommunicator):
// the server, then its services in descriptor order.
func communicators(s icegrid.Server) []commRef {
	out := []commRef{{comm: s.Communicator()}}
	if box, ok := s.(*icegrid.IceBoxDescriptor); ok {
		for i, si := range box.Services {
			if si.Descriptor != nil {
				out = append(out, commRef{comm: &si.Descriptor.CommunicatorDescriptor, service: si.Descriptor, index: i})
			}
		}
	}
	return out
}
