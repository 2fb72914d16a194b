package icegrid_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"floe/ice/encoding"
	"floe/internal/slice/icegrid"
)

func TestRoundTrip(t *testing.T) {
	modes := []struct {
		name   string
		enc    encoding.Version
		format encoding.Format
	}{
		{"1.0", encoding.Encoding10, encoding.CompactFormat},
		{"1.1 compact", encoding.Encoding11, encoding.CompactFormat},
		{"1.1 sliced", encoding.Encoding11, encoding.SlicedFormat},
	}
	values := []struct {
		name  string
		value func() codec
		empty func() codec
	}{
		{"ServerInfo", func() codec { return serverInfo() }, newServerInfo},
		{"ServerInfo IceBox", func() codec {
			info := serverInfo()
			info.Descriptor = richApplicationInfo().Descriptor.Nodes["n1"].Servers[0]
			return info
		}, newServerInfo},
		{"ApplicationInfo", func() codec { return richApplicationInfo() }, newApplicationInfo},
		{"ApplicationUpdateDescriptor", func() codec { return update() }, newUpdate},
		{"empty ApplicationInfo", func() codec { return &icegrid.ApplicationInfo{} }, newApplicationInfo},
	}
	for _, m := range modes {
		for _, v := range values {
			t.Run(m.name+"/"+v.name, func(t *testing.T) {
				want := v.value()
				got := v.empty()
				if err := decode(encode(m.enc, m.format, want), got); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("round trip (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestRoundTripSharing checks that an instance referenced twice comes back as one instance,
// including through a template dictionary in 1.0 (set after the value entered the map).
func TestRoundTripSharing(t *testing.T) {
	for _, enc := range []encoding.Version{encoding.Encoding10, encoding.Encoding11} {
		var got icegrid.ApplicationInfo
		if err := decode(encode(enc, encoding.CompactFormat, richApplicationInfo()), &got); err != nil {
			t.Fatal(err)
		}
		servers := got.Descriptor.Nodes["n1"].Servers
		box := servers[0].(*icegrid.IceBoxDescriptor)
		if servers[1] != servers[0] {
			t.Errorf("%v: servers[1] = %p, want the same instance as servers[0] %p", enc, servers[1], servers[0])
		}
		if st := got.Descriptor.ServiceTemplates["ST"].Descriptor; st != box.Services[0].Descriptor {
			t.Errorf("%v: service template = %p, want the box's service %p", enc, st, box.Services[0].Descriptor)
		}
	}
}

// TestWrongClass decodes a ServerInfo whose descriptor is a ServiceDescriptor.
func TestWrongClass(t *testing.T) {
	e := encoding.NewEncoder(nil, encoding.Encoding11)
	e.StartEncapsulation(encoding.Encoding11)
	e.WriteString("app")
	e.WriteString("uuid")
	e.WriteInt(1)
	e.WriteString("node")
	e.WriteValue(&icegrid.ServiceDescriptor{Name: "svc"})
	e.WriteString("")
	e.EndEncapsulation()
	err := decode(e.Bytes(), new(icegrid.ServerInfo))
	if !errors.Is(err, encoding.ErrUnmarshal) || !strings.Contains(err.Error(), "unexpected class instance ::IceGrid::ServiceDescriptor (want icegrid.Server)") {
		t.Errorf("decode = %v, want an ErrUnmarshal about the class", err)
	}
}

func TestValueFactory(t *testing.T) {
	ids := []string{
		icegrid.CommunicatorDescriptorTypeID, icegrid.ServerDescriptorTypeID, icegrid.ServiceDescriptorTypeID,
		icegrid.IceBoxDescriptorTypeID, icegrid.LoadBalancingPolicyTypeID, icegrid.RandomLoadBalancingPolicyTypeID,
		icegrid.OrderedLoadBalancingPolicyTypeID, icegrid.RoundRobinLoadBalancingPolicyTypeID,
		icegrid.AdaptiveLoadBalancingPolicyTypeID, icegrid.BoxedStringTypeID, icegrid.BoxedDistributionDescriptorTypeID,
	}
	for _, id := range ids {
		if v := icegrid.ValueFactory(id); v == nil || v.TypeID() != id {
			t.Errorf("ValueFactory(%q) = %v, want an instance of that type", id, v)
		}
	}
	if v := icegrid.ValueFactory("::IceGrid::Nope"); v != nil {
		t.Errorf("ValueFactory(unknown) = %v, want nil", v)
	}
}
