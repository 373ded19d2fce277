package config

import "slices"

// The context-wide bindings. ACE applies a policy-map or an access-list
// typed in (config) to every interface of the context. How the global
// access-list combines with an interface's own is not written down in the
// references at hand, so aced takes the reading that fails closed: the
// interface's own list, when it has one, decides alone (with its implicit
// deny at the end), and the global list applies where there is none. An
// interface ACL written to keep traffic out therefore keeps it out,
// whatever the global list permits. Service policies add up: an interface
// runs its own, then the global ones it does not already have, and the
// first class that matches a packet wins, so its own class prevails where
// both classify the same traffic (ACE's admin guide: a policy activated on
// the interface "overwrites global policies for overlapping
// classifications and actions").

// InputACL is the access-list that filters traffic entering in: its own
// access-group input, else the context's; "" when neither is set (ACE's
// default deny).
func (c *Config) InputACL(in *Interface) string {
	if in.AccessGroupIn != "" {
		return in.AccessGroupIn
	}
	return c.AccessGroupIn
}

// InputPolicies lists the service-policies that apply on in: its own, in
// configuration order, then the global ones it does not repeat.
func (c *Config) InputPolicies(in *Interface) []string {
	if len(c.ServicePolicies) == 0 {
		return in.ServicePolicies
	}
	out := slices.Clone(in.ServicePolicies)
	for _, p := range c.ServicePolicies {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// renderBindings writes the global bindings. Their place in ACE's
// running-config is an assumption: after the policy-maps they name and
// before the interfaces, where ACE prints the global service-policy.
func renderBindings(r *renderer, c *Config) {
	r.optS(0, "access-group input", c.AccessGroupIn)
	for _, p := range c.ServicePolicies {
		r.line(0, "service-policy input", p)
	}
}
