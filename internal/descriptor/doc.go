// Package descriptor reads IceGrid 3.7 deployment descriptors (the XML dialect of icegridadmin)
// and instantiates them the way IceGrid's registry and nodes do.
//
// Parse and ParseDocument turn XML into the Slice data model of package
// internal/slice/icegrid, with IceGrid's own strictness (DescriptorParser.cpp,
// DescriptorBuilder.cpp): an unknown element or attribute, a missing or empty required
// attribute, a boolean that is not "true" or "false", text where none is expected, a duplicate
// template, parameter or property set are errors, with IceGrid's messages. Every error is an
// *Error that names the file and line. Accepted elements Floe does not act on (IcePatch2
// distributions) come back as warnings. The parser substitutes no variables: like IceGrid, the
// descriptor keeps its "${…}" references, and the registry stores it that way.
//
// Instantiate does what the registry does with a descriptor (DescriptorHelper.cpp): templates
// and parameters, variables with IceGrid's scopes and reserved names, property sets, default
// adapter ids and proxy options, and IceGrid's checks (undefined variables, duplicate server,
// adapter and object ids, unknown replica groups), located in the XML with WithSource. Expand
// adds each node's pass (Configure; NodeCache.cpp and ServerI.cpp): the ${node.*} variables
// and the configuration files icegridnode writes for each server. Describe prints a server as
// icegridadmin does.
//
// The package does no I/O: included files are read through the ReadFile option, node values
// come from WithNode, and what other applications already registered comes from the caller
// (WithReplicaGroups). Storing applications, diffing updates and activating servers belong to
// internal/registry and internal/node.
package descriptor
