// Package descriptor reads IceGrid 3.7 deployment descriptors (the XML dialect of icegridadmin)
// and expands them the way IceGrid's registry and node do.
//
// Parse and ParseDocument turn XML into the Slice data model of package
// internal/slice/icegrid, with IceGrid's own strictness (DescriptorParser.cpp,
// DescriptorBuilder.cpp): an unknown element or attribute, a missing or empty required
// attribute, a boolean that is not "true" or "false", text where none is expected, a duplicate
// template, parameter or property set are errors. Every error is an *Error that names the file
// and line. Accepted elements Floe does not act on (IcePatch2 distributions) come back as
// Warnings. Variables are not substituted by the parser: like IceGrid, the descriptor keeps
// "${…}" references, which the registry stores as they are.
//
// Expand instantiates a descriptor the way the registry does (DescriptorHelper.cpp): templates
// and parameters, variables with IceGrid's scopes and reserved names, property sets, default
// adapter ids and proxy options, and the checks IceGrid makes (undefined variables, duplicate
// server, adapter and object ids, unknown replica groups). It then applies the node's pass
// (NodeCache.cpp, ServerI.cpp): the ${node.*} variables and the configuration files that
// icegridnode writes for each server (Ice.Admin.*, adapters, IceBox services, node-wide
// properties). Node-specific values come from the caller (WithNode).
//
// The package does no I/O of its own: included files are read through the ReadFile option, and
// the registry decides which applications, adapters and objects already exist. Storing
// applications, diffing updates and activating servers belong to internal/registry and
// internal/node.
package descriptor
