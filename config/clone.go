package config

import (
	"reflect"
	"slices"
)

// Deep copies of single objects. Edit uses them to give an editor a private
// copy: every slice an editor may change is copied, scalars and netip
// values are copied by assignment. A new field holding a slice or map must
// be copied here too (TestCloneDeep catches a missed one).

// Clone returns a deep copy of u.
func (u *User) Clone() *User { n := *u; return &n }

// Clone returns a deep copy of a.
func (a *AccessList) Clone() *AccessList {
	n := *a
	n.Remarks = slices.Clone(a.Remarks)
	n.Entries = slices.Clone(a.Entries)
	return &n
}

// Clone returns a deep copy of p.
func (p *Probe) Clone() *Probe {
	n := *p
	n.ExpectStatus = slices.Clone(p.ExpectStatus)
	n.Headers = slices.Clone(p.Headers)
	return &n
}

// Clone returns a deep copy of p.
func (p *ParamMapConn) Clone() *ParamMapConn { n := *p; return &n }

// Clone returns a deep copy of r.
func (r *RServer) Clone() *RServer {
	n := *r
	n.Probes = slices.Clone(r.Probes)
	return &n
}

// Clone returns a deep copy of f, members included.
func (f *ServerFarm) Clone() *ServerFarm {
	n := *f
	n.Probes = slices.Clone(f.Probes)
	n.Members = slices.Clone(f.Members)
	for i := range n.Members {
		n.Members[i].Probes = slices.Clone(n.Members[i].Probes)
	}
	return &n
}

// Clone returns a deep copy of m.
func (cm *ClassMap) Clone() *ClassMap {
	n := *cm
	n.Matches = slices.Clone(cm.Matches)
	return &n
}

// Clone returns a deep copy of h.
func (h *FTTrackHost) Clone() *FTTrackHost {
	n := *h
	n.Probes = slices.Clone(h.Probes)
	n.PeerProbes = slices.Clone(h.PeerProbes)
	return &n
}

// Clone returns a deep copy of t.
func (t *FTTrackIntf) Clone() *FTTrackIntf { n := *t; return &n }

// Clone returns a deep copy of rc.
func (rc *ResourceClass) Clone() *ResourceClass {
	n := *rc
	n.Limits = slices.Clone(rc.Limits)
	return &n
}

// Clone returns a deep copy of x.
func (x *Context) Clone() *Context {
	n := *x
	n.VLANs = slices.Clone(x.VLANs)
	return &n
}

// Clone returns a deep copy of p, classes included.
func (p *PolicyMap) Clone() *PolicyMap {
	n := *p
	n.Classes = slices.Clone(p.Classes)
	for i := range n.Classes {
		n.Classes[i].NatDynamic = slices.Clone(n.Classes[i].NatDynamic)
	}
	return &n
}

// Clone returns a deep copy of i.
func (i *Interface) Clone() *Interface {
	n := *i
	n.ServicePolicies = slices.Clone(i.ServicePolicies)
	n.NatPools = slices.Clone(i.NatPools)
	return &n
}

// Clone returns a deep copy of f.
func (f *FTInterface) Clone() *FTInterface { n := *f; return &n }

// Clone returns a deep copy of p.
func (p *FTPeer) Clone() *FTPeer { n := *p; return &n }

// Clone returns a deep copy of g.
func (g *FTGroup) Clone() *FTGroup { n := *g; return &n }

// Member returns the farm member NAME PORT, or nil.
func (f *ServerFarm) Member(rserver string, port uint16) *Member {
	for i := range f.Members {
		if f.Members[i].RServer == rserver && f.Members[i].Port == port {
			return &f.Members[i]
		}
	}
	return nil
}

// EnsureMember returns the member NAME PORT, appending it (out of service)
// if absent. f must be a private copy (from Edit); the pointer is valid
// until the next append to f.Members.
func (f *ServerFarm) EnsureMember(rserver string, port uint16) *Member {
	if m := f.Member(rserver, port); m != nil {
		return m
	}
	f.Members = append(f.Members, Member{RServer: rserver, Port: port})
	return &f.Members[len(f.Members)-1]
}

// DeleteMember removes the member NAME PORT; it reports whether it existed.
func (f *ServerFarm) DeleteMember(rserver string, port uint16) bool {
	n := len(f.Members)
	f.Members = slices.DeleteFunc(f.Members, func(m Member) bool {
		return m.RServer == rserver && m.Port == port
	})
	return len(f.Members) != n
}

// Class returns the class NAME of the policy-map, or nil.
func (p *PolicyMap) Class(name string) *PolicyClass {
	for i := range p.Classes {
		if p.Classes[i].Name == name {
			return &p.Classes[i]
		}
	}
	return nil
}

// EnsureClass returns the class NAME, adding it if absent. ACE keeps
// class-default last, so a new class goes before it. p must be a private
// copy; the pointer is valid until the next change to p.Classes.
func (p *PolicyMap) EnsureClass(name string) *PolicyClass {
	if c := p.Class(name); c != nil {
		return c
	}
	at := len(p.Classes)
	if name != ClassDefault {
		if i := slices.IndexFunc(p.Classes, func(c PolicyClass) bool { return c.Name == ClassDefault }); i >= 0 {
			at = i
		}
	}
	p.Classes = slices.Insert(p.Classes, at, PolicyClass{Name: name})
	return &p.Classes[at]
}

// DeleteClass removes the class NAME; it reports whether it existed.
func (p *PolicyMap) DeleteClass(name string) bool {
	n := len(p.Classes)
	p.Classes = slices.DeleteFunc(p.Classes, func(c PolicyClass) bool { return c.Name == name })
	return len(p.Classes) != n
}

// ClassDefault is the implicit class that matches everything.
const ClassDefault = "class-default"

// Equal reports whether a and b hold the same configuration: the same
// settings and the same objects in the same creation order. It is
// structural, not textual, with one relaxation: a nil slice equals an
// empty one, because whether an editor left a slice nil or emptied it is
// not configuration. Two configs that are Equal render identically.
//
// Equal walks the model by reflection so that fields added to the types
// are compared without anyone remembering to update it.
func Equal(a, b *Config) bool {
	if a == nil || b == nil {
		return a == b
	}
	return deepEqual(reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem())
}

// tableEqualer is implemented by *Table[T]; Equal compares tables by
// creation order and object contents rather than by their internal index.
type tableEqualer interface {
	equalTable(other any) bool
}

func (t *Table[T]) equalTable(other any) bool {
	o := other.(*Table[T])
	if len(t.order) != len(o.order) {
		return false
	}
	for i, n := range t.order {
		if o.order[i] != n {
			return false
		}
		x, y := t.byName[n], o.byName[n]
		if x != y && !deepEqual(reflect.ValueOf(x).Elem(), reflect.ValueOf(y).Elem()) {
			return false
		}
	}
	return true
}

func deepEqual(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Struct:
		if a.Type().Comparable() {
			return a.Equal(b)
		}
		if a.CanAddr() && a.CanInterface() {
			if t, ok := a.Addr().Interface().(tableEqualer); ok {
				return t.equalTable(b.Addr().Interface())
			}
		}
		for i := range a.NumField() {
			if !deepEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !deepEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return a.Pointer() == b.Pointer() || deepEqual(a.Elem(), b.Elem())
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			v := b.MapIndex(k)
			if !v.IsValid() || !deepEqual(a.MapIndex(k), v) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}
