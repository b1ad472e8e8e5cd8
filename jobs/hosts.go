package jobs

import (
	"fmt"
	"os"
)

// On a shared catalog each job names the host whose daemon runs it (its
// sources are there), and each daemon runs the jobs of its host. Several
// daemons may serve one host: one leads, the others wait to take over.

// ThisHost is this machine's host name, the default host of a new job and
// of a daemon ("" when the system does not say).
func ThisHost() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}

// validateHost accepts a host name: letters, digits, '-', '_' and '.', at
// most 253 characters; "" (any host) too.
func validateHost(h string) error {
	if len(h) > 253 {
		return fmt.Errorf("host %.20q…: a host name is at most 253 characters", h)
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("host %q: a host name has letters, digits, '-', '_' and '.' only", h)
		}
	}
	return nil
}
