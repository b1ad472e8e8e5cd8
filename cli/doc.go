// Package cli is Cadang's command line: the headless face of the same
// engine and procedure the window uses. Each command group lives in its own
// file (repo.go: engine commands; procedure.go: users, jobs, requests,
// documents, audit, daemon; replica.go: replicas and databases; setup.go:
// the first run and the rebuild of a lost workspace; records.go: the
// workspace's own backup).
//
// Exit status: 0 success, 1 error, 2 usage error, 3 refused by the
// procedure's rules (not approved, wrong role, bad login, self-approval),
// 4 completed with warnings, 5 damage found (verify, restore verification).
package cli
