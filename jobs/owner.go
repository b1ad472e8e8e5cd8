package jobs

import (
	"context"
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

// claimOwner marks this process alive, under the owner name its runs
// record, for as long as the catalog is open: on a shared catalog any
// process can then tell a run of a live process from an interrupted one,
// whatever machine it runs on. On SQLite it does nothing.
func (s *Service) claimOwner(ctx context.Context) error {
	return s.catalog.ClaimOwner(ctx, processOwner())
}

// ownerLives is the test of a running run's owner: on a shared catalog,
// whether the owner still holds its claim (an error leaves the run alone);
// on SQLite, ownerAlive.
func (s *Service) ownerLives(ctx context.Context) func(owner string) bool {
	return func(owner string) bool {
		alive, ok, err := s.catalog.OwnerAlive(ctx, owner)
		switch {
		case !ok:
			return ownerAlive(owner)
		case err != nil:
			s.log.Warn("check whether a run's process lives", "owner", owner, "err", err)
			return true
		}
		return alive
	}
}
