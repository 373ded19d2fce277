package status

import (
	"net/netip"
	"time"
)

// Dataplane is a snapshot of the packet engine's own counters, beside the
// load-balancing ones in SLB: drops by reason (`show stats`), ACL line hits
// (`show access-list`) and the connection table. Readers must not modify
// it.
type Dataplane struct {
	Taken time.Time
	// Drops has one entry per drop reason of the engine's closed enum, in
	// enum order, zero counts included.
	Drops []DropCount
	ACLs  []ACLStatus // in configuration order
	Conns ConnTableStatus
	// ARPParked counts packets that waited for a next hop to answer ARP.
	ARPParked uint64
}

// DropCount is the number of frames dropped for one reason.
type DropCount struct {
	Reason string // e.g. "acl-deny", "bad-ip-checksum"
	Count  uint64
}

// ACLStatus is the hit counts of one access-list.
type ACLStatus struct {
	Name  string
	Lines []ACLLineHits
}

// ACLLineHits is the hit count of one line: the number of connections
// (first packets) it decided.
type ACLLineHits struct {
	Line   int
	Permit bool
	Hits   uint64
}

// ConnTableStatus is the connection table's occupancy and counters.
type ConnTableStatus struct {
	Current   uint64
	Capacity  uint64
	Inserted  uint64
	Refused   uint64 // table full
	Expired   uint64
	Deleted   uint64 // closed by purge or clear conn
	HighWater uint64
}

// Conn is one row of `show conn`: a connection seen from one side. Each
// connection has two rows, "in" (client side) and "out" (server side).
type Conn struct {
	ID    int
	Dir   string // "in" or "out"
	Proto uint8  // IP protocol number
	VLAN  int
	Src   netip.AddrPort
	Dst   netip.AddrPort
	State string // SYNSEEN, SYNACK, ESTAB, HALFCLOSED, CLOSED; "--" for non-TCP
	Kind  string // "lb" (to a VIP), "fw" (routed through), "host" (the box's own)
	// RServer and Farm name the member of a load-balanced connection.
	RServer, Farm string
}

// ARPEntry is one row of `show arp`.
type ARPEntry struct {
	Addr netip.Addr
	MAC  [6]byte
	VLAN int
	// Type is INTERFACE, VSERVER, NAT (the box's own addresses), RSERVER,
	// GATEWAY or LEARNED.
	Type   string
	Age    time.Duration // since the neighbour last answered; 0 for our own
	Status string        // "up"
}

// RouteEntry is one row of `show ip route`.
type RouteEntry struct {
	Dest      netip.Prefix
	NextHop   netip.Addr // invalid for a connected subnet
	VLAN      int
	Connected bool
}
