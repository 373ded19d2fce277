package show

import (
	"fmt"
	"io"

	"aced/config"
	"aced/status"
)

// iface renders `show interface [vlan N]` in ACE's layout (ACE.md §5.8):
// what the running-config says about the interface, then the data plane's
// counters for its port.
func (v view) iface(w io.Writer, vlan int) error {
	var ifs []*config.Interface
	v.cfg.Interfaces.All(func(_ string, i *config.Interface) bool {
		if vlan == 0 || i.VLAN == vlan {
			ifs = append(ifs, i)
		}
		return true
	})
	if vlan != 0 && len(ifs) == 0 {
		return fmt.Errorf("interface vlan %d does not exist", vlan)
	}
	for _, i := range ifs {
		var st status.InterfaceStatus
		if v.slb != nil {
			st = v.slb.Interfaces[i.VLAN]
		}
		admin := "up"
		if i.Shutdown {
			admin = "down"
		}
		oper := "down"
		if !i.Shutdown && st.Link == status.LinkUp {
			oper = "up"
		}
		fmt.Fprintf(w, "\nvlan%d is %s, administratively %s\n", i.VLAN, oper, admin)
		fmt.Fprintf(w, "  Hardware type is VLAN\n")
		fmt.Fprintf(w, "  MAC address is %s\n", macColons(st.MAC))
		fmt.Fprintf(w, "  Mode : routed\n")
		if i.Addr.IsValid() {
			fmt.Fprintf(w, "  IP address is %s netmask is %s\n", i.Addr.Addr(), config.MaskAddr(i.Addr.Bits()))
		}
		if i.Description != "" {
			fmt.Fprintf(w, "  Description:%q\n", i.Description)
		}
		mtu := st.MTU
		if mtu == 0 {
			mtu = 1500
		}
		fmt.Fprintf(w, "  MTU: %d bytes\n", mtu)
		if i.Alias.IsValid() {
			fmt.Fprintf(w, "  Alias IP address is %s netmask is %s\n", i.Alias.Addr(), config.MaskAddr(i.Alias.Bits()))
		}
		if i.PeerAddr.IsValid() {
			fmt.Fprintf(w, "  Peer IP address is %s Peer IP netmask is %s\n", i.PeerAddr.Addr(), config.MaskAddr(i.PeerAddr.Bits()))
		}
		fmt.Fprintf(w, "     %d unicast packets input, %d bytes\n", st.In.UcastPkts, st.In.Octets)
		fmt.Fprintf(w, "     %d multicast, %d broadcast\n", st.In.MulticastPkts, st.In.BroadcastPkts)
		fmt.Fprintf(w, "     %d input errors, %d unknown, %d ignored, %d unicast RPF drops\n", st.In.Errors, 0, st.In.Discards, 0)
		fmt.Fprintf(w, "     %d unicast packets output, %d bytes\n", st.Out.UcastPkts, st.Out.Octets)
		fmt.Fprintf(w, "     %d multicast, %d broadcast\n", st.Out.MulticastPkts, st.Out.BroadcastPkts)
		fmt.Fprintf(w, "     %d output errors, %d ignored\n", st.Out.Errors, st.Out.Discards)
	}
	return nil
}

func macColons(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}
