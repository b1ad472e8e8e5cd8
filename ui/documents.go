package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
	"cadang/printing"
)

// docTypeName is a document type in the chosen language.
func docTypeName(t string) string {
	switch t {
	case jobs.DocRequestForm:
		return lang.L("Request form")
	case jobs.DocExecutionReport:
		return lang.L("Execution report")
	case jobs.DocVerificationReport:
		return lang.L("Verification report")
	case jobs.DocHandoverForm:
		return lang.L("Handover form")
	case jobs.DocHistoryReport:
		return lang.L("Run history")
	case jobs.DocScheduleRecord:
		return lang.L("Backup schedule record")
	case jobs.DocVerificationList:
		return lang.L("Verification file list")
	case jobs.DocSignedScan:
		return lang.L("Signed copy")
	}
	return t
}

// printFile puts a PDF on paper the way the system allows (package
// printing): lp on Linux, the viewer's print dialog on Windows and macOS.
func printFile(s acting, path string) {
	pdfAction(s, path, func(ctx context.Context) (printing.Result, error) { return printing.New().Print(ctx, path) }, func(res printing.Result) {
		switch {
		case res.Fallback != nil:
			showInfo(s.win, lang.L("Print"), lang.L("{{.Tool}} is not installed, so the PDF opened in its viewer: print it from there.", map[string]any{"Tool": strings.Join(res.Fallback.Tools, ", ")})+
				" "+installHint(res.Fallback.Install)+".")
		case res.Action == printing.Opened:
			showInfo(s.win, lang.L("Print"), lang.L("The PDF opened in its viewer: print it from there."))
		}
	})
}

// documentsView is the document register: every filed PDF with its number,
// revision, date and SHA-256; open, print, and file the signed scan.
type documentsView struct {
	s      acting
	search *widget.Entry
	list   *fyne.Container
	scroll *container.Scroll
	docs   []jobs.Document
	signed map[string]bool
	attach map[string]*widget.Button // by number, for tests
}

func documentsScreen(s acting, events listener) fyne.CanvasObject {
	v := newDocumentsView(s)
	events(func(ev jobs.Event) {
		if ev.Kind == jobs.EventDocumentFiled {
			v.reload()
		}
	})
	return v.content()
}

func newDocumentsView(s acting) *documentsView {
	return &documentsView{s: s, search: widget.NewEntry(), list: container.NewVBox(), attach: map[string]*widget.Button{}}
}

func (v *documentsView) content() fyne.CanvasObject {
	v.search.SetPlaceHolder(lang.L("Search number, type or date"))
	v.search.OnChanged = func(string) { v.draw() }
	verify := widget.NewButtonWithIcon(lang.L("Check a PDF…"), theme.SearchIcon(), v.verifyFile)
	v.scroll = container.NewVScroll(v.list)
	v.reload()
	help := widget.NewLabel(lang.L("Every form and report Cadang files is numbered and registered with its SHA-256, so a changed copy is detected."))
	help.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(help, container.NewBorder(nil, nil, nil, verify, v.search))
	return container.NewBorder(top, nil, nil, nil, v.scroll)
}

func (v *documentsView) reload() {
	type register struct {
		docs   []jobs.Document
		signed map[string]bool
	}
	call(v.s.caller, func(ctx context.Context) (register, error) {
		docs, err := v.s.svc.Documents(ctx, v.s.user, jobs.DocumentFilter{})
		if err != nil {
			return register{}, err
		}
		signed, err := v.s.svc.SignedDocuments(ctx, v.s.user)
		return register{docs, signed}, err
	}, func(r register) {
		v.docs, v.signed = r.docs, r.signed
		v.draw()
	})
}

func (v *documentsView) draw() {
	v.list.RemoveAll()
	v.attach = map[string]*widget.Button{}
	q := strings.ToLower(strings.TrimSpace(v.search.Text))
	shown := 0
	for i := len(v.docs) - 1; i >= 0; i-- { // newest first
		d := v.docs[i]
		line := fmt.Sprintf("%s · %s · rev. %d · %s", d.Number, docTypeName(d.Type), d.Revision, formatTime(d.Date))
		if q != "" && !strings.Contains(strings.ToLower(line), q) {
			continue
		}
		shown++
		v.list.Add(v.row(d, line))
	}
	if shown == 0 {
		v.list.Add(widget.NewLabel(lang.L("No documents yet.")))
	}
	relayout(v.scroll)
}

func (v *documentsView) row(d jobs.Document, line string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(line, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	hash := widget.NewLabelWithStyle("SHA-256 "+d.SHA256, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	hash.Truncation = fyne.TextTruncateEllipsis
	state := widget.NewLabel(lang.L("awaiting signatures"))
	state.Importance = widget.WarningImportance
	if v.signed[d.Number] {
		state.SetText(lang.L("signed"))
		state.Importance = widget.SuccessImportance
	}
	open := widget.NewButtonWithIcon(lang.L("Open"), theme.FileIcon(), func() { openFile(v.s, d.Path) })
	print := widget.NewButtonWithIcon(lang.L("Print"), theme.DocumentPrintIcon(), func() { printFile(v.s, d.Path) })
	actions := container.NewHBox(open, print)
	if v.s.user.Can(jobs.CapCarryOut) && !v.signed[d.Number] {
		attach := widget.NewButtonWithIcon(lang.L("Signed copy…"), theme.UploadIcon(), func() { v.pickScan(d) })
		v.attach[d.Number] = attach
		actions.Add(attach)
	}
	// Two lines, so the buttons never push the window wider than the screen.
	return container.NewVBox(
		container.NewBorder(nil, nil, nil, state, title),
		container.NewBorder(nil, nil, nil, actions, hash),
		widget.NewSeparator())
}

// pickScan asks for the scanned signed PDF and files it.
func (v *documentsView) pickScan(d jobs.Document) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError(v.s.win, err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		v.attachScan(d, path)
	}, v.s.win)
}

func (v *documentsView) attachScan(d jobs.Document, path string) {
	v.s.act(func(ctx context.Context) error {
		_, err := v.s.svc.AttachSigned(ctx, v.s.user, d.Number, path)
		return err
	}, v.reload)
}

// verifyFile checks a PDF someone hands in against the register.
func (v *documentsView) verifyFile() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			showError(v.s.win, err)
			return
		}
		path := r.URI().Path()
		r.Close()
		call(v.s.caller, func(ctx context.Context) (jobs.Document, error) { return v.s.svc.VerifyDocument(ctx, v.s.user, path) }, func(d jobs.Document) {
			dialog.ShowInformation(lang.L("Registered document"),
				lang.L("{{.File}} is {{.Number}} revision {{.Rev}}, unchanged since it was filed on {{.T}}.",
					map[string]any{"File": filepath.Base(path), "Number": d.Number, "Rev": d.Revision, "T": formatTime(d.Date)}), v.s.win)
		})
	}, v.s.win)
}
