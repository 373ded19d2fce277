package snmp

import (
	"fmt"
	"sort"
	"time"

	"github.com/gosnmp/gosnmp"

	"aced/status"
)

// The MIB is a sorted list of nodes, each a scalar or a table whose rows
// are compiled from the running-config (see view). Cells are read through
// getters over the operational snapshot of the request, so one request sees
// one consistent snapshot and the tree itself never changes after build.

// cell is one looked-up value. Exceptions (noSuchObject, noSuchInstance,
// endOfMibView) are cells with a nil value.
type cell struct {
	typ gosnmp.Asn1BER
	v   any
}

var (
	noSuchObject   = cell{typ: gosnmp.NoSuchObject}
	noSuchInstance = cell{typ: gosnmp.NoSuchInstance}
	endOfMibView   = cell{typ: gosnmp.EndOfMibView}
)

func (c cell) exception() bool {
	return c.typ == gosnmp.NoSuchObject || c.typ == gosnmp.NoSuchInstance || c.typ == gosnmp.EndOfMibView
}

// reqCtx is what getters read: the compiled view, the operational snapshot
// taken once for the request, and the request's clock reading.
type reqCtx struct {
	a    *Agent
	v    *view
	snap *status.SLB
	now  time.Time
	v1   bool // SNMPv1 request: Counter64 objects are invisible
}

// node is a scalar or a table. Subtrees of nodes never overlap.
type node interface {
	base() OID
	// lookup answers GET for an oid under base().
	lookup(rc *reqCtx, oid OID) cell
	// next returns the first instance greater than after within the node.
	next(rc *reqCtx, after OID) (OID, cell, bool)
}

// scalar is OBJECT-TYPE oid with the single instance oid.0.
type scalar struct {
	oid  OID
	inst OID
	typ  gosnmp.Asn1BER
	get  func(rc *reqCtx) any
}

func newScalar(oid string, typ gosnmp.Asn1BER, get func(rc *reqCtx) any) *scalar {
	o := mustOID(oid)
	return &scalar{oid: o, inst: o.join(0), typ: typ, get: get}
}

func (s *scalar) base() OID { return s.oid }

func (s *scalar) lookup(rc *reqCtx, oid OID) cell {
	if len(oid) != len(s.inst) || oid[len(oid)-1] != 0 {
		return noSuchInstance
	}
	v := s.get(rc)
	if v == nil {
		return noSuchInstance
	}
	return cell{typ: s.typ, v: v}
}

func (s *scalar) next(rc *reqCtx, after OID) (OID, cell, bool) {
	if after.Compare(s.inst) >= 0 || (rc.v1 && s.typ == gosnmp.Counter64) {
		return nil, cell{}, false
	}
	v := s.get(rc)
	if v == nil {
		return nil, cell{}, false
	}
	return s.inst, cell{typ: s.typ, v: v}, true
}

// column is one columnar object of a table. get returns nil when the row
// has no value in this column.
type column struct {
	id  uint32
	typ gosnmp.Asn1BER
	get func(rc *reqCtx, row int) any
}

// table is a conceptual table: entry is the xxxEntry OID, rows are the
// index suffixes in ascending order, cols are in ascending id order.
type table struct {
	entry OID
	cols  []column
	rows  []OID
}

func newTable(entry string, rows []OID, cols ...column) *table {
	for i := 1; i < len(cols); i++ {
		if cols[i].id <= cols[i-1].id {
			panic(fmt.Sprintf("snmp: table %s columns out of order", entry))
		}
	}
	return &table{entry: mustOID(entry), rows: rows, cols: cols}
}

func (t *table) base() OID { return t.entry }

func (t *table) col(id uint32) int {
	i := sort.Search(len(t.cols), func(i int) bool { return t.cols[i].id >= id })
	return i
}

// rowAfter is the position of the first row whose index is greater than
// idx (strict) or, when eq, greater than or equal.
func (t *table) rowAfter(idx OID, eq bool) int {
	return sort.Search(len(t.rows), func(i int) bool {
		c := t.rows[i].Compare(idx)
		return c > 0 || (eq && c == 0)
	})
}

func (t *table) lookup(rc *reqCtx, oid OID) cell {
	rest := oid[len(t.entry):]
	if len(rest) == 0 {
		return noSuchObject
	}
	ci := t.col(rest[0])
	if ci == len(t.cols) || t.cols[ci].id != rest[0] {
		return noSuchObject
	}
	idx := rest[1:]
	r := t.rowAfter(idx, true)
	if r == len(t.rows) || t.rows[r].Compare(idx) != 0 {
		return noSuchInstance
	}
	c := &t.cols[ci]
	v := c.get(rc, r)
	if v == nil {
		return noSuchInstance
	}
	return cell{typ: c.typ, v: v}
}

func (t *table) next(rc *reqCtx, after OID) (OID, cell, bool) {
	ci, r := 0, 0
	switch {
	case after.HasPrefix(t.entry):
		rest := after[len(t.entry):]
		if len(rest) > 0 {
			ci = t.col(rest[0])
			if ci < len(t.cols) && t.cols[ci].id == rest[0] {
				r = t.rowAfter(rest[1:], false)
			}
		}
	case after.Compare(t.entry) > 0:
		return nil, cell{}, false
	}
	for ; ci < len(t.cols); ci++ {
		c := &t.cols[ci]
		if rc.v1 && c.typ == gosnmp.Counter64 {
			r = 0
			continue
		}
		for ; r < len(t.rows); r++ {
			if v := c.get(rc, r); v != nil {
				oid := make(OID, 0, len(t.entry)+1+len(t.rows[r]))
				oid = append(append(append(oid, t.entry...), c.id), t.rows[r]...)
				return oid, cell{typ: c.typ, v: v}, true
			}
		}
		r = 0
	}
	return nil, cell{}, false
}

// tree is the whole MIB view: nodes sorted by base OID.
type tree struct {
	nodes []node
}

func newTree(nodes ...node) *tree {
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].base().Compare(nodes[j].base()) < 0 })
	for i := 1; i < len(nodes); i++ {
		if nodes[i].base().HasPrefix(nodes[i-1].base()) {
			panic(fmt.Sprintf("snmp: node %s overlaps %s", nodes[i].base(), nodes[i-1].base()))
		}
	}
	return &tree{nodes: nodes}
}

// last returns the position of the last node whose base is <= oid, or -1.
func (t *tree) last(oid OID) int {
	return sort.Search(len(t.nodes), func(i int) bool { return t.nodes[i].base().Compare(oid) > 0 }) - 1
}

// get answers GET for one varbind (RFC 3416 §4.2.1).
func (t *tree) get(rc *reqCtx, oid OID) cell {
	i := t.last(oid)
	if i < 0 || !oid.HasPrefix(t.nodes[i].base()) {
		return noSuchObject
	}
	return t.nodes[i].lookup(rc, oid)
}

// next answers GETNEXT for one varbind (RFC 3416 §4.2.2); ok is false past
// the end of the MIB view.
func (t *tree) next(rc *reqCtx, after OID) (OID, cell, bool) {
	i := t.last(after)
	if i < 0 || !after.HasPrefix(t.nodes[i].base()) {
		i++
	}
	for ; i < len(t.nodes); i++ {
		if oid, c, ok := t.nodes[i].next(rc, after); ok {
			return oid, c, true
		}
	}
	return nil, cell{}, false
}
