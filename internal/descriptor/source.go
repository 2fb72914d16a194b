package descriptor

import "strconv"

// Source records where the elements of a parsed descriptor start, so that Expand can locate
// the errors it finds. Elements are named by their place in the Slice model (node name, index
// in a sequence, template id), so a Source stays valid for a copy of the descriptor.
type Source struct {
	pos map[string]Pos
}

func newSource() *Source { return &Source{pos: make(map[string]Pos)} }

func (s *Source) set(path string, p Pos) {
	if _, ok := s.pos[path]; !ok {
		s.pos[path] = p
	}
}

// lookup returns the position of path, or of its closest recorded ancestor.
func (s *Source) lookup(path string) Pos {
	if s == nil {
		return Pos{}
	}
	for {
		if p, ok := s.pos[path]; ok {
			return p
		}
		i := lastSlash(path)
		if i < 0 {
			return s.pos[appPath]
		}
		path = path[:i]
	}
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// Element paths.
const appPath = "application"

func nodePath(name string) string { return "node " + name }

func serverPath(node string, i int) string { return nodePath(node) + "/server " + strconv.Itoa(i) }

func instancePath(node string, i int) string {
	return nodePath(node) + "/server-instance " + strconv.Itoa(i)
}

func serverTemplatePath(id string) string { return "server-template " + id }

func serviceTemplatePath(id string) string { return "service-template " + id }

func replicaGroupPath(i int) string { return "replica-group " + strconv.Itoa(i) }

func childPath(parent, kind string, i int) string {
	return parent + "/" + kind + " " + strconv.Itoa(i)
}
