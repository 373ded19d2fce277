package link

import (
	"testing"
	"time"
)

func TestOffloadFeature(t *testing.T) {
	tests := []struct {
		name               string
		offload, essential bool
	}{
		{"rx-gro", true, false},
		{"rx-gro-hw", true, false},
		{"rx-lro", true, true},
		{"rx-gro-list", true, true},
		{"rx-udp-gro-forwarding", true, true},
		{"tx-tcp-segmentation", true, false},
		{"tx-tcp-accecn-segmentation", true, false},
		{"tx-generic-segmentation", true, false},
		{"tx-udp_tnl-csum-segmentation", true, false},
		{"tx-checksum-ip-generic", true, false},
		{"rx-checksum", true, false},
		{"tx-scatter-gather", false, false},
		{"rx-vlan-hw-parse", false, false},
		{"tx-vlan-hw-insert", false, false},
		{"highdma", false, false},
		{"", false, false},
	}
	for _, tc := range tests {
		off, ess := offloadFeature(tc.name)
		if off != tc.offload || ess != tc.essential {
			t.Errorf("offloadFeature(%q) = %v, %v; want %v, %v", tc.name, off, ess, tc.offload, tc.essential)
		}
		if receiveOffload(tc.name) != tc.essential {
			t.Errorf("receiveOffload(%q) = %v: Open would leave it as found = %v", tc.name, receiveOffload(tc.name), !tc.essential)
		}
	}
}

func TestRingDefaults(t *testing.T) {
	r := Ring{}.withDefaults()
	want := Ring{Version: 2, FrameSize: 2048, BlockSize: 128 << 10, NumBlocks: 64,
		BlockTimeout: time.Millisecond, PollTimeout: 100 * time.Millisecond}
	if r != want {
		t.Fatalf("defaults %+v, want %+v", r, want)
	}
	if err := r.validate(); err != nil {
		t.Fatal(err)
	}
	v2 := Ring{Version: 3, FrameSize: 4096, BlockSize: 1 << 20}.withDefaults()
	if v2.Version != 3 || v2.FrameSize != 4096 || v2.validate() != nil {
		t.Fatalf("explicit values lost: %+v", v2)
	}
}
