package icegrid

import "floe/ice/encoding"

// Type ids of the descriptor classes.
const (
	CommunicatorDescriptorTypeID        = "::IceGrid::CommunicatorDescriptor"
	ServerDescriptorTypeID              = "::IceGrid::ServerDescriptor"
	ServiceDescriptorTypeID             = "::IceGrid::ServiceDescriptor"
	IceBoxDescriptorTypeID              = "::IceGrid::IceBoxDescriptor"
	LoadBalancingPolicyTypeID           = "::IceGrid::LoadBalancingPolicy"
	RandomLoadBalancingPolicyTypeID     = "::IceGrid::RandomLoadBalancingPolicy"
	OrderedLoadBalancingPolicyTypeID    = "::IceGrid::OrderedLoadBalancingPolicy"
	RoundRobinLoadBalancingPolicyTypeID = "::IceGrid::RoundRobinLoadBalancingPolicy"
	AdaptiveLoadBalancingPolicyTypeID   = "::IceGrid::AdaptiveLoadBalancingPolicy"
	BoxedStringTypeID                   = "::IceGrid::BoxedString"
	BoxedDistributionDescriptorTypeID   = "::IceGrid::BoxedDistributionDescriptor"
)

// ValueFactory returns a new, empty instance of the descriptor class typeID, or nil for other
// type ids. Use it as (or from) encoding.Decoder.ValueFactory.
func ValueFactory(typeID string) encoding.Value {
	switch typeID {
	case CommunicatorDescriptorTypeID:
		return new(CommunicatorDescriptor)
	case ServerDescriptorTypeID:
		return new(ServerDescriptor)
	case ServiceDescriptorTypeID:
		return new(ServiceDescriptor)
	case IceBoxDescriptorTypeID:
		return new(IceBoxDescriptor)
	case LoadBalancingPolicyTypeID:
		return new(LoadBalancingPolicy)
	case RandomLoadBalancingPolicyTypeID:
		return new(RandomLoadBalancingPolicy)
	case OrderedLoadBalancingPolicyTypeID:
		return new(OrderedLoadBalancingPolicy)
	case RoundRobinLoadBalancingPolicyTypeID:
		return new(RoundRobinLoadBalancingPolicy)
	case AdaptiveLoadBalancingPolicyTypeID:
		return new(AdaptiveLoadBalancingPolicy)
	case BoxedStringTypeID:
		return new(BoxedString)
	case BoxedDistributionDescriptorTypeID:
		return new(BoxedDistributionDescriptor)
	}
	return nil
}
