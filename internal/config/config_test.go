package config_test

import (
	"strings"
	"testing"
	"time"

	"floe/ice/properties"
	"floe/internal/config"
)

func props(kv ...string) *properties.Properties {
	p := properties.New()
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		p.Set(k, v)
	}
	return p
}

func TestDefaults(t *testing.T) {
	c, warnings, err := config.LoadRegistry(props())
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientEndpoints != config.DefaultClientEndpoints || c.DataDir != config.DefaultDataDir ||
		c.HTTPEndpoint != config.DefaultHTTPEndpoint || !c.DynamicRegistration || c.InstanceName != "IceGrid" ||
		c.ReplicaName != "Master" || c.SessionTimeout != 30*time.Second || len(c.ZooKeeperHosts) != 0 {
		t.Errorf("LoadRegistry(no properties) = %+v", c)
	}
	if c.ServerEndpoints != `tcp -h "127.0.0.1"` {
		t.Errorf("default server endpoints = %q", c.ServerEndpoints)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestIceGridConfig(t *testing.T) {
	c, warnings, err := config.LoadRegistry(props(
		"IceGrid.InstanceName=DemoIceGrid",
		"IceGrid.Registry.Client.Endpoints=default -h localhost -p 4061",
		"IceGrid.Registry.LMDB.Path=db/registry",
		"IceGrid.Registry.PermissionsVerifier=DemoIceGrid/NullPermissionsVerifier",
		"IceGrid.Registry.AdminPermissionsVerifier=DemoIceGrid/NullPermissionsVerifier",
		"IceGrid.Registry.Frobnicate=1",
		"IceGrid.Node.Name=node1",
		"Floe.ZooKeeper.Hosts=a:1,b:2",
	))
	if err != nil {
		t.Fatal(err)
	}
	if c.DynamicRegistration {
		t.Error("with a config file dynamic registration must default to off, as in IceGrid")
	}
	if c.DataDir != "db/registry" || len(c.ZooKeeperHosts) != 2 || c.ZooKeeperSessionTimeout != 4*time.Second ||
		c.PermissionsVerifier != "DemoIceGrid/NullPermissionsVerifier" {
		t.Errorf("LoadRegistry = %+v", c)
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{"IceGrid.Registry.Frobnicate is not implemented", "IceGrid.Registry.AdminPermissionsVerifier has no effect"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", warnings, want)
		}
	}
	if strings.Contains(joined, "IceGrid.Registry.PermissionsVerifier") {
		t.Errorf("IceGrid.Registry.PermissionsVerifier is implemented, yet warned about: %q", warnings)
	}
	if strings.Contains(joined, "IceGrid.Node.Name") {
		t.Errorf("node properties must not be warned about by the registry: %q", warnings)
	}
}

func TestInvalid(t *testing.T) {
	for _, kv := range []string{
		"IceGrid.Registry.DynamicRegistration=perhaps",
		"IceGrid.Registry.SessionTimeout=x",
		"IceGrid.Registry.SessionTimeout=0",
		"IceGrid.Registry.Client.Endpoints=tcp -p 70000",
		"IceGrid.InstanceName=a/b",
		"Floe.HTTP.Endpoint=nocolon",
		"Floe.ZooKeeper.SessionTimeout=10",
	} {
		if _, _, err := config.LoadRegistry(props(kv)); err == nil {
			t.Errorf("LoadRegistry(%s) succeeded", kv)
		}
	}
}
