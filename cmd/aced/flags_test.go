package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseFlagsWorkers(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags([]string{"--workers", "1", "--port", "10=lbc"}, &stderr)
	if err != nil || o.workers != 1 || o.ports[10] != "lbc" {
		t.Fatalf("options %+v, err %v", o, err)
	}
	if o, err := parseFlags(nil, &stderr); err != nil || o.workers != 0 {
		t.Fatalf("default workers %d, err %v", o.workers, err)
	}
	stderr.Reset()
	if _, err := parseFlags([]string{"--workers", "-1"}, &stderr); err == nil || !strings.Contains(stderr.String(), "--workers -1") {
		t.Fatalf("--workers -1 accepted (err %v): %s", err, stderr.String())
	}
}
