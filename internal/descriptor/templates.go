package descriptor

import "floe/internal/slice/icegrid"

// ParseDefaultTemplates reads the registry's default templates file
// (IceGrid.Registry.DefaultTemplates, stock /usr/share/ice/templates.xml) and keeps what
// <application import-default-templates="true"> may copy, as AdminI::getDefaultApplicationDescriptor
// does: the name is cleared, and nodes, distribution, replica groups, description and variables
// are dropped with a warning each. Pass the result to the DefaultTemplates option.
func ParseDefaultTemplates(name string, data []byte, opts ...Option) (*icegrid.ApplicationDescriptor, []Warning, error) {
	doc, err := ParseDocument(name, data, opts...)
	if err != nil {
		return nil, nil, err
	}
	app, warnings := doc.App, doc.Warnings
	drop := func(what string) {
		warnings = append(warnings, Warning{File: name, Msg: "default application descriptor: " + what + " not allowed"})
	}
	app.Name = ""
	if len(app.Nodes) > 0 {
		drop("node definitions are")
		app.Nodes = nil
	}
	if app.Distrib.Icepatch != "" || len(app.Distrib.Directories) > 0 {
		drop("distribution is")
		app.Distrib = icegrid.DistributionDescriptor{}
	}
	if len(app.ReplicaGroups) > 0 {
		drop("replica group definitions are")
		app.ReplicaGroups = nil
	}
	if app.Description != "" {
		drop("description is")
		app.Description = ""
	}
	if len(app.Variables) > 0 {
		drop("variable definitions are")
		app.Variables = nil
	}
	return app, warnings, nil
}
