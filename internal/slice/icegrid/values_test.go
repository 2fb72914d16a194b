package icegrid_test

import (
	"floe/ice/encoding"
	"floe/internal/slice/icegrid"
)

// The values of testdata/gen.py, built the same way.

func psd(refs []string, props ...string) icegrid.PropertySetDescriptor {
	var ps []icegrid.PropertyDescriptor
	for i := 0; i+1 < len(props); i += 2 {
		ps = append(ps, icegrid.PropertyDescriptor{Name: props[i], Value: props[i+1]})
	}
	return icegrid.PropertySetDescriptor{References: refs, Properties: ps}
}

func adapter(name, id, rg string, objects ...icegrid.ObjectDescriptor) icegrid.AdapterDescriptor {
	return icegrid.AdapterDescriptor{Name: name, ID: id, ReplicaGroupID: rg, ServerLifetime: true, Objects: objects}
}

func server(id, exe string) icegrid.ServerDescriptor {
	return icegrid.ServerDescriptor{ID: id, Exe: exe, Activation: "manual", ApplicationDistrib: true}
}

func serverInfo() *icegrid.ServerInfo {
	d := server("Srv1", "/usr/bin/python3")
	d.Pwd, d.Options, d.Envs, d.Activation = "/tmp", []string{"srv.py"}, []string{"A=B"}, "on-demand"
	d.Adapters = []icegrid.AdapterDescriptor{
		adapter("Hello", "Srv1.Hello", "RG"),
		adapter("Other", "Srv1.Other", "", icegrid.ObjectDescriptor{
			ID: encoding.Identity{Name: "hello"}, Type: "::Demo::Hello", ProxyOptions: "-e 1.1"}),
	}
	d.PropertySet = psd(nil, "Hello.Endpoints", "tcp -h 127.0.0.1", "Other.Endpoints", "tcp -h 127.0.0.1",
		"Foo", "Bar")
	return &icegrid.ServerInfo{Application: "Demo", UUID: "1DACE913-4E58-4BA9-BB30-10EC2AF0990C", Revision: 1,
		Node: "node1", Descriptor: &d}
}

func applicationInfo() *icegrid.ApplicationInfo {
	a := server("A", "/bin/a")
	a.Adapters = []icegrid.AdapterDescriptor{adapter("AA", "${server}.AA", "")}
	a.PropertySet = psd(nil, "AA.Endpoints", "tcp")
	b := server("B", "/bin/b")
	svc := &icegrid.ServiceDescriptor{Name: "S1", Entry: "lib:create"}
	box := &icegrid.IceBoxDescriptor{ServerDescriptor: server("Box", "icebox"),
		Services: []icegrid.ServiceInstanceDescriptor{{Descriptor: svc}}}
	return &icegrid.ApplicationInfo{
		UUID: "5F9832EF-8733-4F1F-B62A-0C1EFA7B990C", CreateTime: 1795388153914, CreateUser: "admin",
		UpdateTime: 1795388153914, UpdateUser: "admin", Revision: 1,
		Descriptor: icegrid.ApplicationDescriptor{Name: "Demo2", Nodes: map[string]icegrid.NodeDescriptor{
			"node1": {Servers: []icegrid.Server{&a, &b, box}},
		}},
	}
}

func richApplicationInfo() *icegrid.ApplicationInfo {
	tmpl := server("${name}", "/bin/${name}")
	tmpl.Adapters = []icegrid.AdapterDescriptor{adapter("A", "${server}.A", "RG1")}
	svc := &icegrid.ServiceDescriptor{Name: "S", Entry: "lib:entry", CommunicatorDescriptor: icegrid.CommunicatorDescriptor{
		PropertySet: psd([]string{"ps"}),
		DbEnvs: []icegrid.DbEnvDescriptor{{Name: "db", Description: "d", DbHome: "home",
			Properties: []icegrid.PropertyDescriptor{{Name: "k", Value: "v"}}}},
		Logs: []string{"log"}, Description: "svc",
	}}
	box := &icegrid.IceBoxDescriptor{ServerDescriptor: server("Box", "icebox"), Services: []icegrid.ServiceInstanceDescriptor{
		{Descriptor: svc},
		{Template: "ST", ParameterValues: map[string]string{"n": "1"}, PropertySet: psd(nil, "x", "y")},
	}}
	policy := func(p icegrid.Policy) icegrid.Policy { return p }
	rgs := []icegrid.ReplicaGroupDescriptor{
		{ID: "RG1", LoadBalancing: policy(&icegrid.RoundRobinLoadBalancingPolicy{LoadBalancingPolicy: icegrid.LoadBalancingPolicy{NReplicas: "1"}}),
			ProxyOptions: "-t", Description: "rg", Filter: "f", Objects: []icegrid.ObjectDescriptor{
				{ID: encoding.Identity{Name: "o", Category: "c"}, Type: "::T"}}},
		{ID: "RG2", LoadBalancing: &icegrid.AdaptiveLoadBalancingPolicy{
			LoadBalancingPolicy: icegrid.LoadBalancingPolicy{NReplicas: "2"}, LoadSample: "5"}},
		{ID: "RG3", LoadBalancing: &icegrid.RandomLoadBalancingPolicy{LoadBalancingPolicy: icegrid.LoadBalancingPolicy{NReplicas: "0"}}},
		{ID: "RG4", LoadBalancing: &icegrid.OrderedLoadBalancingPolicy{LoadBalancingPolicy: icegrid.LoadBalancingPolicy{NReplicas: "3"}}},
		{ID: "RG5"},
	}
	node := icegrid.NodeDescriptor{
		Variables: map[string]string{"v": "1"},
		ServerInstances: []icegrid.ServerInstanceDescriptor{{Template: "T", ParameterValues: map[string]string{"name": "x"},
			ServicePropertySets: map[string]icegrid.PropertySetDescriptor{"S": psd(nil, "a", "b")}}},
		Servers:      []icegrid.Server{box, box},
		LoadFactor:   "1.5",
		Description:  "node",
		PropertySets: map[string]icegrid.PropertySetDescriptor{"ps": psd(nil, "p", "q")},
	}
	return &icegrid.ApplicationInfo{UUID: "uuid", CreateTime: 1, CreateUser: "c", UpdateTime: 2, UpdateUser: "u", Revision: 3,
		Descriptor: icegrid.ApplicationDescriptor{
			Name:          "Rich",
			Variables:     map[string]string{"var": "val"},
			ReplicaGroups: rgs,
			ServerTemplates: map[string]icegrid.TemplateDescriptor{
				"T": {Descriptor: &tmpl, Parameters: []string{"name"}, ParameterDefaults: map[string]string{"name": "def"}}},
			ServiceTemplates: map[string]icegrid.TemplateDescriptor{"ST": {Descriptor: svc}},
			Nodes:            map[string]icegrid.NodeDescriptor{"n1": node, "n2": {}},
			Distrib:          icegrid.DistributionDescriptor{Icepatch: "icepatch", Directories: []string{"dir"}},
			Description:      "rich",
			PropertySets:     map[string]icegrid.PropertySetDescriptor{"ps": psd([]string{"r"}, "p", "q")},
		}}
}

func update() *icegrid.ApplicationUpdateDescriptor {
	s := server("S", "/bin/s")
	return &icegrid.ApplicationUpdateDescriptor{
		Name:               "Demo",
		Description:        &icegrid.BoxedString{Value: "new"},
		Distrib:            &icegrid.BoxedDistributionDescriptor{Value: icegrid.DistributionDescriptor{Icepatch: "p", Directories: []string{"d"}}},
		Variables:          map[string]string{"a": "b"},
		RemoveVariables:    []string{"rv"},
		PropertySets:       map[string]icegrid.PropertySetDescriptor{"ps": {}},
		RemovePropertySets: []string{"rps"}, RemoveReplicaGroups: []string{"rrg"},
		RemoveServerTemplates: []string{"rst"}, RemoveServiceTemplates: []string{"rsvt"},
		Nodes: []icegrid.NodeUpdateDescriptor{{Name: "n1", Servers: []icegrid.Server{&s}, RemoveServers: []string{"old"},
			LoadFactor: &icegrid.BoxedString{Value: "2"}}},
		RemoveNodes: []string{"rn"},
	}
}
