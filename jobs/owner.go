package jobs

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// processOwner names this process for the runs it carries out ("host:pid").
func processOwner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// ownerAlive reports whether the process that owns a running run may still
// be running. Only a process on this host that is known to be gone counts
// as dead; a run of another host is left for that host to clean up.
func ownerAlive(owner string) bool {
	if owner == "" {
		return false // written before owners were recorded, by a process since restarted
	}
	i := strings.LastIndexByte(owner, ':')
	if i < 0 {
		return false
	}
	host, err := os.Hostname()
	if err != nil || owner[:i] != host {
		return true
	}
	pid, err := strconv.Atoi(owner[i+1:])
	if err != nil {
		return false
	}
	return pid == os.Getpid() || pidAlive(pid)
}
