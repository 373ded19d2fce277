module aced

go 1.26.0

require (
	github.com/google/gopacket v1.1.19
	github.com/gosnmp/gosnmp v1.47.0
	golang.org/x/crypto v0.59.0
)

require golang.org/x/sys v0.50.0 // indirect
