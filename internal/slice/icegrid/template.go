package icegrid

import "floe/ice/encoding"

// TemplateDescriptor is ::IceGrid::TemplateDescriptor, a server or service template.
type TemplateDescriptor struct {
	Descriptor        Communicator // a Server for server templates, a *ServiceDescriptor for services
	Parameters        []string
	ParameterDefaults map[string]string
}

// Write appends x.
func (x *TemplateDescriptor) Write(e *encoding.Encoder) {
	e.WriteValue(x.Descriptor)
	e.WriteStringSeq(x.Parameters)
	e.WriteStringDict(x.ParameterDefaults)
}

// Read reads x; Descriptor is set when the decoder has the instance.
func (x *TemplateDescriptor) Read(d *encoding.Decoder) {
	encoding.ReadValueInto(d, &x.Descriptor)
	x.readRest(d)
}

func (x *TemplateDescriptor) readRest(d *encoding.Decoder) {
	x.Parameters = d.ReadStringSeq()
	x.ParameterDefaults = d.ReadStringDict()
}

// readTemplateDict reads a TemplateDescriptorDict. The values hold a class member, which 1.0
// sets only at the end of the encapsulation, after the value was copied into the map: the
// member's callback then updates the map entry itself.
func readTemplateDict(d *encoding.Decoder) map[string]TemplateDescriptor {
	n := d.ReadCount(1 + minTemplateDescriptor)
	if n == 0 {
		return nil
	}
	m := make(map[string]TemplateDescriptor, n)
	for range n {
		k := d.ReadString()
		var t TemplateDescriptor
		stored := false
		d.ReadValue(func(v encoding.Value) {
			c := valueAs[Communicator](d, v)
			if !stored {
				t.Descriptor = c
				return
			}
			u := m[k]
			u.Descriptor = c
			m[k] = u
		})
		t.readRest(d)
		m[k] = t
		stored = true
	}
	return m
}
