package icegrid

import "floe/ice/encoding"

// Policy is a LoadBalancingPolicy or a class derived from it. Policy returns the
// LoadBalancingPolicy part.
type Policy interface {
	encoding.Value
	Policy() *LoadBalancingPolicy
}

// LoadBalancingPolicy is the class ::IceGrid::LoadBalancingPolicy, the base of the replica group
// load balancing policies.
type LoadBalancingPolicy struct {
	NReplicas string
}

// TypeID returns "::IceGrid::LoadBalancingPolicy".
func (*LoadBalancingPolicy) TypeID() string { return LoadBalancingPolicyTypeID }

// Policy returns x.
func (x *LoadBalancingPolicy) Policy() *LoadBalancingPolicy { return x }

// EncodeSlices writes x's only slice.
func (x *LoadBalancingPolicy) EncodeSlices(e *encoding.Encoder) { x.writeSlice(e) }

// DecodeSlices reads x's only slice.
func (x *LoadBalancingPolicy) DecodeSlices(d *encoding.Decoder) { x.readSlice(d) }

func (x *LoadBalancingPolicy) writeSlice(e *encoding.Encoder) {
	e.StartSlice(LoadBalancingPolicyTypeID, true)
	e.WriteString(x.NReplicas)
	e.EndSlice()
}

func (x *LoadBalancingPolicy) readSlice(d *encoding.Decoder) {
	d.StartSlice()
	x.NReplicas = d.ReadString()
	d.EndSlice()
}

// writeEmptySlice writes a derived class's slice that has no members, then the base slice.
func writeEmptySlice(e *encoding.Encoder, typeID string, base *LoadBalancingPolicy) {
	e.StartSlice(typeID, false)
	e.EndSlice()
	base.writeSlice(e)
}

func readEmptySlice(d *encoding.Decoder, base *LoadBalancingPolicy) {
	d.StartSlice()
	d.EndSlice()
	base.readSlice(d)
}

// RandomLoadBalancingPolicy is the class ::IceGrid::RandomLoadBalancingPolicy.
type RandomLoadBalancingPolicy struct{ LoadBalancingPolicy }

// TypeID returns "::IceGrid::RandomLoadBalancingPolicy".
func (*RandomLoadBalancingPolicy) TypeID() string { return RandomLoadBalancingPolicyTypeID }

// EncodeSlices writes an empty slice, then the LoadBalancingPolicy slice.
func (x *RandomLoadBalancingPolicy) EncodeSlices(e *encoding.Encoder) {
	writeEmptySlice(e, RandomLoadBalancingPolicyTypeID, &x.LoadBalancingPolicy)
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *RandomLoadBalancingPolicy) DecodeSlices(d *encoding.Decoder) {
	readEmptySlice(d, &x.LoadBalancingPolicy)
}

// OrderedLoadBalancingPolicy is the class ::IceGrid::OrderedLoadBalancingPolicy.
type OrderedLoadBalancingPolicy struct{ LoadBalancingPolicy }

// TypeID returns "::IceGrid::OrderedLoadBalancingPolicy".
func (*OrderedLoadBalancingPolicy) TypeID() string { return OrderedLoadBalancingPolicyTypeID }

// EncodeSlices writes an empty slice, then the LoadBalancingPolicy slice.
func (x *OrderedLoadBalancingPolicy) EncodeSlices(e *encoding.Encoder) {
	writeEmptySlice(e, OrderedLoadBalancingPolicyTypeID, &x.LoadBalancingPolicy)
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *OrderedLoadBalancingPolicy) DecodeSlices(d *encoding.Decoder) {
	readEmptySlice(d, &x.LoadBalancingPolicy)
}

// RoundRobinLoadBalancingPolicy is the class ::IceGrid::RoundRobinLoadBalancingPolicy.
type RoundRobinLoadBalancingPolicy struct{ LoadBalancingPolicy }

// TypeID returns "::IceGrid::RoundRobinLoadBalancingPolicy".
func (*RoundRobinLoadBalancingPolicy) TypeID() string { return RoundRobinLoadBalancingPolicyTypeID }

// EncodeSlices writes an empty slice, then the LoadBalancingPolicy slice (§5.5).
func (x *RoundRobinLoadBalancingPolicy) EncodeSlices(e *encoding.Encoder) {
	writeEmptySlice(e, RoundRobinLoadBalancingPolicyTypeID, &x.LoadBalancingPolicy)
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *RoundRobinLoadBalancingPolicy) DecodeSlices(d *encoding.Decoder) {
	readEmptySlice(d, &x.LoadBalancingPolicy)
}

// AdaptiveLoadBalancingPolicy is the class ::IceGrid::AdaptiveLoadBalancingPolicy.
type AdaptiveLoadBalancingPolicy struct {
	LoadBalancingPolicy
	LoadSample string
}

// TypeID returns "::IceGrid::AdaptiveLoadBalancingPolicy".
func (*AdaptiveLoadBalancingPolicy) TypeID() string { return AdaptiveLoadBalancingPolicyTypeID }

// EncodeSlices writes the AdaptiveLoadBalancingPolicy and LoadBalancingPolicy slices.
func (x *AdaptiveLoadBalancingPolicy) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(AdaptiveLoadBalancingPolicyTypeID, false)
	e.WriteString(x.LoadSample)
	e.EndSlice()
	x.LoadBalancingPolicy.writeSlice(e) //nolint:staticcheck // QF1008: the base class's slice, named as in ServerDescriptor; x.writeSlice would read as this class's own
}

// DecodeSlices reads the slices written by EncodeSlices.
func (x *AdaptiveLoadBalancingPolicy) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.LoadSample = d.ReadString()
	d.EndSlice()
	x.LoadBalancingPolicy.readSlice(d) //nolint:staticcheck // QF1008: the base class's slice, named as in ServerDescriptor; x.readSlice would read as this class's own
}

// BoxedString is the class ::IceGrid::BoxedString: an optional string in update descriptors
// (null = unchanged).
type BoxedString struct{ Value string }

// TypeID returns "::IceGrid::BoxedString".
func (*BoxedString) TypeID() string { return BoxedStringTypeID }

// EncodeSlices writes x's only slice.
func (x *BoxedString) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(BoxedStringTypeID, true)
	e.WriteString(x.Value)
	e.EndSlice()
}

// DecodeSlices reads x's only slice.
func (x *BoxedString) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.Value = d.ReadString()
	d.EndSlice()
}

// BoxedDistributionDescriptor is the class ::IceGrid::BoxedDistributionDescriptor.
type BoxedDistributionDescriptor struct{ Value DistributionDescriptor }

// TypeID returns "::IceGrid::BoxedDistributionDescriptor".
func (*BoxedDistributionDescriptor) TypeID() string { return BoxedDistributionDescriptorTypeID }

// EncodeSlices writes x's only slice.
func (x *BoxedDistributionDescriptor) EncodeSlices(e *encoding.Encoder) {
	e.StartSlice(BoxedDistributionDescriptorTypeID, true)
	x.Value.Write(e)
	e.EndSlice()
}

// DecodeSlices reads x's only slice.
func (x *BoxedDistributionDescriptor) DecodeSlices(d *encoding.Decoder) {
	d.StartSlice()
	x.Value.Read(d)
	d.EndSlice()
}
