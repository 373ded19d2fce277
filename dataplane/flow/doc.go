// Package flow is the connection table of the data plane: every NAT'd
// connection through aced, found by the tuple of a packet in either
// direction, with ACE's TCP state and idle timeouts.
//
// # Shape
//
// A flow has two keys: the client key (client -> VIP, as the client sends)
// and the server key (rserver -> client or nat-pool address, as the rserver
// sends). AF_PACKET fanout hashes each direction separately and NAT changes
// the tuple, so the two directions of one flow usually reach different
// workers; the table is therefore one table shared by all workers, and both
// keys lead to the same entry.
//
//   - Arena: a preallocated array of Capacity entries, 64 bytes each (one
//     cache line; layout in entry.go), pointer-free so the garbage collector
//     never scans it. Free entries form a lock-free stack; new ones are
//     handed out from a high-water mark, so memory is only touched as the
//     table fills.
//   - Index: 2^k shards chosen by the key hash, each an open-addressing
//     table of 8-byte slots (hash tag + entry index + direction) with linear
//     probing and backward-shift deletion (no tombstones). Shards have four
//     slots per flow of capacity, so they are at most half full.
//
// Memory: 64 bytes of entry + 32 bytes of index = 96 bytes per flow of
// capacity, all reserved by New (a 4 Mi-flow table holds 384 MiB). Compare
// nf_conntrack's 256-byte object and IPVS's nominal 128 bytes. On Linux,
// tables of 64 Ki flows and more ask for transparent huge pages, which
// make a lookup's two cache misses cheaper (fewer TLB misses).
//
// A lookup in a table bigger than the caches costs two dependent memory
// accesses (index slot, entry); LookupBatch overlaps them across a batch.
// Insert and removal start both keys' slot misses together, and Expire
// those of sixteen due flows at once, so a new flow costs about two memory
// latencies: the engine's lookup, then the insert.
//
// # Concurrency
//
// Lookup takes no lock and writes no shared memory: it reads the shard's
// sequence number, probes, copies the entry, and re-reads the sequence,
// retrying if a writer was active (a seqlock). Two workers looking up flows
// never bounce a cache line between their cores, and lookups never wait
// for each other. Insert and removal lock the (one or two) shards of the
// flow's keys, in address order, by making their sequences odd (the
// sequence is the lock: one CAS, no mutex beside it), and make them even
// again when done; so there is no global lock anywhere, and writers on different shards run
// in parallel. The one shared word they all touch is the free-list head.
//
// While a flow lives, only its meta word changes: state, deadline and
// generation, moved together by one CAS. Observe calls from the two
// directions merge (TCP state is a set of events), and a CAS against a
// freed entry fails because the generation moved. Every entry and slot
// word is read atomically and written in one piece. Words that only a lock
// holder or the inserter of a not yet reachable entry writes are plain
// stores on amd64 (Go's atomic store there is a full barrier, and a new
// flow wrote about twenty); race builds use atomic stores throughout, so
// the race detector checks the protocol and sees no data race even where a
// reader discards a torn read (store_plain.go).
//
// # Time and expiry
//
// Deadlines are coarse Ticks (about 67 ms) from an injected clock; workers
// read the clock once per batch (Now) and pass the tick in. Expire walks
// the arena with a clock hand shared by all workers, a bounded number of
// entries per call, so there is never a stop-the-world pass; timeouts per
// class and phase are in Timeouts (ACE's defaults in DefaultTimeouts).
//
// # What the table does not do
//
// No per-flow packet or byte counters: both directions' workers would
// write the flow's cache line on every packet, bouncing it between cores;
// the engine keeps per-worker counters per rserver, VIP and class instead.
// No TCP window checks: the engine's normalisation decides which packets
// to pass to Observe. IPv4 only; IPv6 gets a sibling key and table.
package flow
