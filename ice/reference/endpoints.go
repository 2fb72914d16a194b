package reference

// ParseEndpoints parses an endpoint list "ep:ep:…" as in <adapter>.PublishedEndpoints (the
// proxy-endpoint syntax). Every endpoint must parse; an empty list is an error.
func ParseEndpoints(s string, def Defaults) ([]Endpoint, error) {
	return parseList(s, def, ParseEndpoint)
}

// ParseAdapterEndpoints parses an endpoint list as in <adapter>.Endpoints, where "-h *" means
// every interface (see ParseAdapterEndpoint).
func ParseAdapterEndpoints(s string, def Defaults) ([]Endpoint, error) {
	return parseList(s, def, ParseAdapterEndpoint)
}

func parseList(s string, def Defaults, parse func(string, Defaults) (Endpoint, error)) ([]Endpoint, error) {
	var eps []Endpoint
	for _, es := range splitEndpoints(":"+s, 0) {
		ep, err := parse(es, def)
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
