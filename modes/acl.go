package modes

import (
	"fmt"
	"slices"

	"aced/config"
	"aced/grammar"
)

// Access lists: top-level "access-list NAME ..." lines (ACE reference §3.8).
//
// Line numbers: an entry typed without "line N" gets the last line + 8
// (the first entry is line 8), the numbering ACE shows in real configs;
// "resequence" renumbers from 10 by 10 unless told otherwise. Entries are
// kept sorted by line. Re-typing an existing entry (same line, or no line
// and the same content) changes nothing, so a pasted config can be pasted
// again.

const (
	aclFirstLine = 8
	aclStep      = 8
	aclMaxLine   = 2147483647
)

func (t *Tree) buildACL() {
	m := t.config
	const head = "access-list NAME$acl [line <1-2147483647>$lineno] extended {permit|deny} "
	const src = "{any | host A.B.C.D | A.B.C.D MASK} "
	const ports = "[{eq|neq|lt|gt} PORT | range PORT PORT] "
	help := []string{"acl", "Access-list name", "lineno", "Line number of the entry",
		"permit", "Permit matching traffic", "deny", "Deny matching traffic",
		"ip", "Any IP protocol", "any", "Any address", "host", "A single host address",
		"code", "ICMP code", "<0-255>", "ICMP code value"}
	for _, no := range []string{"", "no "} {
		f := addACLEntry
		if no != "" {
			f = deleteACLEntry
		}
		m.edit(no+head+"ip "+src+src, f, help...)
		m.edit(no+head+"{tcp|udp} "+src+ports+src+ports, f, help...)
		m.edit(no+head+"icmp "+src+src+"[ICMPTYPE [code eq <0-255>]]", f, help...)
	}
	m.edit("access-list NAME$acl remark LINE", addRemark, "acl", "Access-list name", "LINE", "Comment text")
	m.edit("no access-list NAME$acl remark LINE", deleteRemark, "acl", "Access-list name", "LINE", "Comment text")
	m.edit("access-list NAME$acl resequence [<1-2147483647>$start [<1-2147483647>$step]]", resequenceACL,
		"acl", "Access-list name", "start", "First line number (default 10)", "step", "Increment (default 10)")
	m.edit("no access-list NAME$acl line <1-2147483647>$lineno", deleteACLLine, "acl", "Access-list name", "lineno", "Line number")
	m.edit("no access-list NAME$acl", deleteACL, "acl", "Access-list name")
}

// aclEntry builds the entry a line describes; line is 0 when not given.
func aclEntry(a grammar.Args) config.ACLEntry {
	cur := newCursor(a)
	cur.skipTo("extended")
	action := config.Permit
	if cur.next().Value == any("deny") {
		action = config.Deny
	}
	var proto config.Protocol
	switch cur.next().Value {
	case "tcp":
		proto = config.ProtoTCP
	case "udp":
		proto = config.ProtoUDP
	case "icmp":
		proto = config.ProtoICMP
	}
	e := config.NewACLEntry(a.Int("lineno"), action, proto)
	ports := proto == config.ProtoTCP || proto == config.ProtoUDP
	e.Src = cur.addrSpec()
	if ports {
		e.SrcPort = cur.portSpec()
	}
	e.Dst = cur.addrSpec()
	if ports {
		e.DstPort = cur.portSpec()
	}
	if x, ok := cur.peek(); ok && x.Name == "ICMPTYPE" {
		e.ICMPType, _ = cur.next().Value.(int)
		if cur.is("code") && cur.is("eq") {
			e.ICMPCode, _ = cur.next().Value.(int)
		}
	}
	return e
}

// sameRule compares two entries ignoring their line numbers.
func sameRule(x, y config.ACLEntry) bool {
	x.Line, y.Line = 0, 0
	return x == y
}

func addACLEntry(_ *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("acl")
	e := aclEntry(a)
	old := c.AccessLists.Get(name)
	var acl *config.AccessList
	if old != nil {
		acl = old.Clone()
	} else {
		acl = &config.AccessList{Name: name}
	}
	if e.Line == 0 {
		if slices.ContainsFunc(acl.Entries, func(x config.ACLEntry) bool { return sameRule(x, e) }) {
			return nil
		}
		e.Line = aclFirstLine
		if n := len(acl.Entries); n > 0 {
			e.Line = acl.Entries[n-1].Line + aclStep
		}
		if e.Line > aclMaxLine {
			return fmt.Errorf("access-list %s: no line number left after %d; use resequence", name, acl.Entries[len(acl.Entries)-1].Line)
		}
	}
	i, found := slices.BinarySearchFunc(acl.Entries, e.Line, func(x config.ACLEntry, l int) int { return x.Line - l })
	if found {
		if acl.Entries[i] == e {
			return nil
		}
		return fmt.Errorf("access-list %s line %d %w: the line holds another entry", name, e.Line, config.ErrDuplicate)
	}
	acl.Entries = slices.Insert(acl.Entries, i, e)
	c.AccessLists.Put(name, acl)
	return nil
}

// deleteACLEntry removes the entry with this content (at the given line,
// when one is given). An absent entry is silently ignored.
func deleteACLEntry(_ *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("acl")
	old := c.AccessLists.Get(name)
	if old == nil {
		return notFound("access-list", name)
	}
	e := aclEntry(a)
	i := slices.IndexFunc(old.Entries, func(x config.ACLEntry) bool {
		return sameRule(x, e) && (e.Line == 0 || x.Line == e.Line)
	})
	if i < 0 {
		if e.Line != 0 && slices.ContainsFunc(old.Entries, func(x config.ACLEntry) bool { return x.Line == e.Line }) {
			return fmt.Errorf("access-list %s line %d holds a different entry", name, e.Line)
		}
		return nil
	}
	return removeACLEntry(c, old, i)
}

func deleteACLLine(_ *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("acl")
	old := c.AccessLists.Get(name)
	if old == nil {
		return notFound("access-list", name)
	}
	i := slices.IndexFunc(old.Entries, func(x config.ACLEntry) bool { return x.Line == a.Int("lineno") })
	if i < 0 {
		return nil
	}
	return removeACLEntry(c, old, i)
}

// removeACLEntry drops entry i. An access-list left without entries and
// remarks no longer exists (it would not show in the running-config), so
// that is refused while an interface uses it.
func removeACLEntry(c *config.Config, old *config.AccessList, i int) error {
	acl := old.Clone()
	acl.Entries = slices.Delete(acl.Entries, i, i+1)
	return putOrDropACL(c, acl)
}

func putOrDropACL(c *config.Config, acl *config.AccessList) error {
	if len(acl.Entries) == 0 && len(acl.Remarks) == 0 {
		return c.Delete("access-list", acl.Name)
	}
	c.AccessLists.Put(acl.Name, acl)
	return nil
}

func addRemark(_ *Env, c *config.Config, a grammar.Args) error {
	name, text := a.Str("acl"), a.Str("LINE")
	old := c.AccessLists.Get(name)
	acl := &config.AccessList{Name: name}
	if old != nil {
		if slices.Contains(old.Remarks, text) {
			return nil
		}
		acl = old.Clone()
	}
	acl.Remarks = append(acl.Remarks, text)
	c.AccessLists.Put(name, acl)
	return nil
}

func deleteRemark(_ *Env, c *config.Config, a grammar.Args) error {
	name, text := a.Str("acl"), a.Str("LINE")
	old := c.AccessLists.Get(name)
	if old == nil {
		return notFound("access-list", name)
	}
	i := slices.Index(old.Remarks, text)
	if i < 0 {
		return nil
	}
	acl := old.Clone()
	acl.Remarks = slices.Delete(acl.Remarks, i, i+1)
	return putOrDropACL(c, acl)
}

func resequenceACL(_ *Env, c *config.Config, a grammar.Args) error {
	name := a.Str("acl")
	old := c.AccessLists.Get(name)
	if old == nil {
		return notFound("access-list", name)
	}
	start, step := 10, 10
	if a.Has("start") {
		start = a.Int("start")
	}
	if a.Has("step") {
		step = a.Int("step")
	}
	if n := len(old.Entries); n > 0 && start+(n-1)*step > aclMaxLine {
		return fmt.Errorf("resequence %d %d %w: %d entries would pass line %d", start, step, config.ErrRange, n, aclMaxLine)
	}
	acl := old.Clone()
	for i := range acl.Entries {
		acl.Entries[i].Line = start + i*step
	}
	c.AccessLists.Put(name, acl)
	return nil
}

func deleteACL(_ *Env, c *config.Config, a grammar.Args) error {
	return c.Delete("access-list", a.Str("acl"))
}
