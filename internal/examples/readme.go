package examples

import (
	"fmt"
	"strings"
)

// stepText describes each step of the story for the README.
var stepText = map[string]string{
	"schedule-rejected":       "IT staff propose the nightly job; the IT manager rejects it (retention too short) — SOP 5.3a–c",
	"schedule-approved":       "the revised job is approved — SOP 5.3b",
	"night-1":                 "the first night's backup, 2 GB share, copied to building B — SOP 5.3d–f",
	"missed-night-2":          "the workstation was off on the 3rd: the night is recorded as missed",
	"catch-up":                "IT staff catch the missed night up the next morning",
	"night-3-nas-not-mounted": "the NAS is not mounted on the 4th: the run fails and says why",
	"backup-request":          "Finance asks for a backup; rejected (clashes with the nightly window), rescheduled, approved, run — SOP 5.2, 5.3c–e",
	"restore-request":         "Finance asks for a folder as of 2 November; the first restore does not verify, the second does — SOP 5.4a–d",
	"handover-printed":        "the handover form printed for signatures (the request now awaits signatures) — SOP 5.4e",
	"handover":                "after the weekend's nights, the form signed on Monday, scanned and attached: the request is handed over",
	"history":                 "the week's run history, 2–8 November — SOP 5.5",
}

var typeText = map[string]string{
	"request-form":        "Form Permintaan Back up / Restore",
	"execution-report":    "Laporan Pelaksanaan Back up",
	"verification-report": "Laporan Verifikasi Restore",
	"verification-list":   "its file-by-file list (CSV)",
	"handover-form":       "Form Serah Terima Data",
	"history-report":      "Laporan Riwayat Back up",
	"schedule-record":     "Jadwal Back up",
	"signed-scan":         "signed scan (attached)",
}

// README is docs/examples/README.md for the documents of a run.
func README(docs []Document, dpi int) string {
	var b strings.Builder
	b.WriteString(`# Example documents

Every document below was filed by the real Cadang service (` + "`make examples`" + `): the story of one
nightly job for the finance department of PT Sefas Keliantama, SOP-IT-002 "Prosedur Back up dan Restore
Database", told through ` + "`jobs.Service`" + ` with the real catalog, engine, repository, offsite replica,
scheduler and documents. Only time is simulated: a fake clock walks through November 2026 and each
backup advances it by the time the share would take on the LAN. The share (internal/demodata) has
realistic names and sizes, about 2 GB, all real bytes except a virtual disk image that is sparse, as
such images are. The paths are the office's: the share is /srv/samba/keuangan, the NAS is mounted on
/mnt/nas and building B's copy on /mnt/gedung-b. The story runs in a process with a mount namespace of
its own, where /srv and /mnt are a scratch folder; nothing outside it is written.

` + fmt.Sprintf("Pages are rendered at %d dpi with `pdftoppm`. A test (internal/examples) fails when these files are\nout of date with the code: it tells the story again and compares the text, paths included, and the\npage count of every document.\n\n", dpi))
	b.WriteString("| # | Step | Document | Number | Pages |\n|---|---|---|---|---|\n")
	var unshownNumbers []string
	i := 0
	for _, d := range docs {
		if d.File == "" {
			unshownNumbers = append(unshownNumbers, d.Number)
			continue
		}
		i++
		var pages []string
		for _, p := range d.Pages {
			pages = append(pages, fmt.Sprintf(`<a href="%s"><img src="%s" width="150"></a>`, p, p))
		}
		fmt.Fprintf(&b, "| %d | %s | [%s](%s) | %s | %s |\n", i, stepText[d.Step], typeText[d.Type], d.File, d.Number, strings.Join(pages, " "))
	}
	if len(unshownNumbers) > 0 {
		fmt.Fprintf(&b, "\nThe execution reports of the nights of 5 to 8 November (%s) are filed like #3 and counted\nin the week's history; they are not copied here.\n", strings.Join(unshownNumbers, ", "))
	}
	b.WriteString(`
Regenerate with ` + "`make examples`" + ` (needs poppler-utils, and Linux as root or with user namespaces for
the mount namespace).
`)
	return b.String()
}
