package descriptor

import (
	"maps"

	"floe/internal/slice/icegrid"
)

// Option configures Parse and ParseDocument.
type Option func(*parseConfig)

type parseConfig struct {
	variables map[string]string
	targets   []string
	readFile  func(path string) ([]byte, error)
	defaults  *icegrid.ApplicationDescriptor
}

// maxIncludeDepth bounds nested <include> elements. IceGrid has no bound (an include cycle
// exhausts its stack); Floe reports an error instead.
const maxIncludeDepth = 32

// Variables sets application variables as icegridadmin's NAME=VALUE arguments do: they are
// stored in the application's variables and take precedence over <variable> elements of the
// application and of its nodes.
func Variables(vars map[string]string) Option {
	return func(c *parseConfig) { c.variables = maps.Clone(vars) }
}

// Targets selects the <target> elements to deploy, by short name ("debug") or fully qualified
// name ("App.Node.Server.debug"), as icegridadmin's TARGET arguments do.
func Targets(targets ...string) Option {
	return func(c *parseConfig) { c.targets = append([]string(nil), targets...) }
}

// ReadFile lets <include file="…"> read files: fn receives the path IceGrid would open (relative
// paths are joined to the directory of the including file's name). Without this option an
// <include> is an error, so that a descriptor received over the network cannot read local files.
func ReadFile(fn func(path string) ([]byte, error)) Option {
	return func(c *parseConfig) { c.readFile = fn }
}

// DefaultTemplates supplies what <application import-default-templates="true"> copies: the
// server and service templates and the property sets of the registry's default templates
// descriptor (IceGrid.Registry.DefaultTemplates; see ParseDefaultTemplates). Without it, such an
// application is rejected as by a registry with no default templates configured.
func DefaultTemplates(app *icegrid.ApplicationDescriptor) Option {
	return func(c *parseConfig) { c.defaults = app }
}
