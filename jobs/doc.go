// Package jobs is the procedure of SOP-IT-002 and the APCA work instruction:
// accounts and roles, requests and approvals, job schedules, runs, restore
// and verification, documents and the audit log. The window (ui/) and the
// command line (cli/) both act only through a Service, so the rules hold
// whatever calls them.
//
// A workspace is a directory holding the catalog (catalog.db), the filed
// documents (documents/) and run logs (logs/).
package jobs
