package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Virtualisation lines of an ACE Admin context: resource-class and
// context. aced is one context (Admin): it keeps these objects so an ACE
// configuration loads, validates and reads back unchanged, and runs
// nothing for them. The interfaces a context is allocated stay Admin's.

// ResourceClass is "resource-class NAME" and its limit-resource lines.
type ResourceClass struct {
	Name   string
	Limits []ResourceLimit
}

// ResourceLimit is "limit-resource RESOURCE minimum PCT maximum
// {unlimited|equal-to-min}". Percentages are kept in hundredths, as ACE
// prints them with two decimals.
type ResourceLimit struct {
	Resource   string // "all", "conc-connections", "rate connections", ...
	MinCenti   int    // 0-10000: 10.00 % is 1000
	EqualToMin bool   // maximum equal-to-min; false = maximum unlimited
}

// Context is "context NAME": a virtual ACE with its interfaces and the
// resource class it is a member of.
type Context struct {
	Name        string
	Description string
	VLANs       []VLANRange // allocate-interface vlan N[-M], as typed
	Member      string      // resource-class name; "" = default
}

// VLANRange is "N" or "N-M" of allocate-interface.
type VLANRange struct{ Lo, Hi int }

// ResourceNames are the resources limit-resource takes (ACE A2/A5).
func ResourceNames() []string {
	return []string{"all", "acl-memory", "buffer syslog", "conc-connections", "mgmt-connections",
		"proxy-connections", "rate bandwidth", "rate connections", "rate inspect-conn", "rate mac-miss",
		"rate mgmt-traffic", "rate ssl-connections", "rate syslog", "regexp", "sticky", "xlates"}
}

// EnsureResourceClass returns a private copy of "resource-class NAME",
// creating it if absent.
func (c *Config) EnsureResourceClass(name string) *ResourceClass {
	return ensure(&c.ResourceClasses, name, (*ResourceClass).Clone, func() *ResourceClass { return &ResourceClass{Name: name} })
}

// EnsureContext returns a private copy of "context NAME", creating it if
// absent.
func (c *Config) EnsureContext(name string) *Context {
	return ensure(&c.Contexts, name, (*Context).Clone, func() *Context { return &Context{Name: name} })
}

// ParsePercent reads ACE's percentage "10", "10.5" or "10.00" into
// hundredths; ok is false outside 0-100 or with more than two decimals.
func ParsePercent(s string) (centi int, ok bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || dot && frac == "" {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	centi = w*100 + f
	return centi, centi <= 10000
}

func (k *checker) virtualisation() {
	c := k.c
	resources := ResourceNames()
	for key, rc := range c.ResourceClasses.All {
		p := at{kind: "resource-class", name: key}
		k.key(p, key, rc.Name)
		k.name(p, "resource-class", rc.Name)
		for i, l := range rc.Limits {
			if !slices.Contains(resources, l.Resource) {
				k.add(p, fmt.Errorf("resource %q %w", l.Resource, ErrInvalid))
			}
			k.rng(p, "minimum (hundredths of a percent)", l.MinCenti, 0, 10000)
			if slices.ContainsFunc(rc.Limits[:i], func(o ResourceLimit) bool { return o.Resource == l.Resource }) {
				k.add(p, fmt.Errorf("limit-resource %s %w", l.Resource, ErrDuplicate))
			}
		}
	}
	for key, x := range c.Contexts.All {
		p := at{kind: "context", name: key}
		k.key(p, key, x.Name)
		k.name(p, "context", x.Name)
		if strings.EqualFold(x.Name, c.Context) {
			k.add(p, fmt.Errorf("context %s %w (this is the context being configured)", x.Name, ErrInvalid))
		}
		k.text(p, "description", x.Description)
		for _, r := range x.VLANs {
			k.rng(p, "vlan", r.Lo, minVLAN, maxVLAN)
			k.rng(p, "vlan", r.Hi, r.Lo, maxVLAN)
		}
		// A member class that is not in the configuration is allowed:
		// configurations printed by ACEs have it (the class comes from
		// elsewhere, or went), and nothing here acts on it.
		if x.Member != "" {
			k.name(p, "member", x.Member)
		}
	}
}

func renderResourceClasses(r *renderer, c *Config) {
	for _, rc := range c.ResourceClasses.All {
		r.line(0, "resource-class", rc.Name)
		for _, l := range rc.Limits {
			max := "unlimited"
			if l.EqualToMin {
				max = "equal-to-min"
			}
			r.line(2, "limit-resource", l.Resource, "minimum", fmt.Sprintf("%d.%02d", l.MinCenti/100, l.MinCenti%100), "maximum", max)
		}
	}
}

func renderContexts(r *renderer, c *Config) {
	for _, x := range c.Contexts.All {
		r.line(0, "context", x.Name)
		r.optS(2, "description", x.Description)
		for _, v := range x.VLANs {
			s := strconv.Itoa(v.Lo)
			if v.Hi != v.Lo {
				s += "-" + strconv.Itoa(v.Hi)
			}
			r.line(2, "allocate-interface vlan", s)
		}
		r.optS(2, "member", x.Member)
	}
}
