package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"aced/config"
	"aced/modes"
)

// runCheck validates a config file without touching any running daemon or
// state: every rejected line with its number, then the whole-config
// validation errors. Exit status 1 if anything is wrong.
func runCheck(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: aced check FILE")
		return 2
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "aced check: %v\n", err)
		return 2
	}
	cfg := config.New()
	bad := 0
	for _, le := range modes.Load(string(data), cfg) {
		fmt.Fprintf(stdout, "%s:%d: %s\n    %s\n", args[0], le.Line, le.Err, le.Text)
		bad++
	}
	if err := cfg.Validate(); err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				fmt.Fprintf(stdout, "%s: %v\n", args[0], e)
				bad++
			}
		} else {
			fmt.Fprintf(stdout, "%s: %v\n", args[0], err)
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(stdout, "%s: %d error(s)\n", args[0], bad)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK\n", args[0])
	return 0
}
