//go:build !unix

package jobs

// pidAlive cannot ask cheaply on this system; a run left "running" by
// another process of this host is then treated as interrupted at the next
// scheduler start, as before owners were recorded.
func pidAlive(pid int) bool { return false }
