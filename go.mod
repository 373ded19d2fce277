module aced

go 1.26.0

require (
	github.com/c-bata/go-prompt v0.2.6
	github.com/google/gopacket v1.1.19
	github.com/gosnmp/gosnmp v1.47.0
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/mattn/go-colorable v0.1.7 // indirect
	github.com/mattn/go-isatty v0.0.12 // indirect
	github.com/mattn/go-runewidth v0.0.9 // indirect
	github.com/mattn/go-tty v0.0.3 // indirect
	github.com/pkg/term v1.2.0-beta.2 // indirect
	golang.org/x/net v0.62.0 // indirect
)
