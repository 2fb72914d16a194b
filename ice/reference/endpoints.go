package reference

// ParseEndpoints parses an endpoint list "ep:ep:…", as in <adapter>.Endpoints and
// PublishedEndpoints. Every endpoint must parse; an empty list is an error.
func ParseEndpoints(s string, def Defaults) ([]Endpoint, error) {
	var eps []Endpoint
	for _, es := range splitEndpoints(":"+s, 0) {
		ep, err := ParseEndpoint(es, def)
		if err != nil {
			return nil, err
		}
		eps = append(eps, ep)
	}
	if len(eps) == 0 {
		return nil, parseErrorf(s, "no endpoint")
	}
	return eps, nil
}
