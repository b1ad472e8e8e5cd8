package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
)

// WCAG 2.1 AA (1.4.3): text needs a contrast ratio of 4.5:1 with what is
// behind it, large text (24 px, or 18.66 px bold) 3:1. Text of an inactive
// control (a disabled button or entry) is exempt.
const (
	minContrast      = 4.5
	minContrastLarge = 3.0
)

// TestContrast renders every screen, as each role sees it, in the light
// and the dark theme, and checks every piece of text against the pixels
// actually drawn behind it.
func TestContrast(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	run, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seedContrastData(t, o, run)
	for _, variant := range []string{themeLight, themeDark} {
		t.Run(variant, func(t *testing.T) {
			for _, sc := range contrastScreens(o) {
				t.Run(sc.name, func(t *testing.T) {
					a := test.NewTempApp(t)
					a.Settings().SetTheme(newCadangTheme(variant))
					if err := applyLanguage(LangEnglish); err != nil {
						t.Fatal(err)
					}
					w := test.NewTempWindow(t, widget.NewLabel(""))
					w.Resize(fyne.NewSize(1120, 720))
					sc.show(t, w)
					checkContrast(t, w)
				})
			}
		})
	}
}

// contrastScreen is one screen to check: show draws it in w.
type contrastScreen struct {
	name string
	show func(t *testing.T, w fyne.Window)
}

func seedContrastData(t *testing.T, o *office, run jobs.Run) {
	t.Helper()
	ctx := context.Background()
	// A waiting request (the manager's inbox), a rejected one, a replica.
	o.request(t, jobs.KindRestore, run.FinishedAt, "/srv/restore/finance")
	r := o.request(t, jobs.KindBackup, run.FinishedAt.Add(48*3600e9), "")
	if _, err := o.svc.RejectRequest(ctx, o.manager, r.ID, "Clashes with the payroll run; choose another evening"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.AddReplica(ctx, o.staff, o.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	// A restore carried out and verified (the result and the handover form).
	done, err := o.svc.CreateRequest(ctx, o.member, jobs.NewRequest{Kind: jobs.KindRestore, Job: o.job.Name, RequestedAt: run.FinishedAt,
		Target: filepath.Join(t.TempDir(), "restored"), Reason: "the invoices were overwritten"})
	if err == nil {
		done, err = o.svc.SubmitRequest(ctx, o.member, done.ID)
	}
	if err == nil {
		done, err = o.svc.ApproveRequest(ctx, o.manager, done.ID, done.RevisionHash)
	}
	if err == nil {
		_, err = o.svc.RunRequest(ctx, o.staff, done.ID, jobs.RunRequestOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	o.restored = done.ID
}

func contrastScreens(o *office) []contrastScreen {
	inShell := func(u jobs.User, page string) func(*testing.T, fyne.Window) {
		return func(t *testing.T, w fyne.Window) {
			sh := newShell(shellDeps{a: o.sessionFor(w, u)}, page, nil)
			w.SetContent(sh.content())
		}
	}
	settingsTab := func(u jobs.User, tab int) func(*testing.T, fyne.Window) {
		return func(t *testing.T, w fyne.Window) {
			tabs := settingsScreen(o.sessionFor(w, u), noEvents, nil).(*container.AppTabs)
			w.SetContent(tabs)
			tabs.SelectIndex(tab)
		}
	}
	var out []contrastScreen
	for _, p := range []string{pageDashboard, pageRequests, pageJobs, pageSnapshots, pageActivity, pageDocuments} {
		out = append(out, contrastScreen{"manager " + p, inShell(o.manager, p)})
	}
	out = append(out,
		contrastScreen{"staff snapshots", inShell(o.staff, pageSnapshots)},
		contrastScreen{"staff dashboard", inShell(o.staff, pageDashboard)},
		contrastScreen{"department dashboard", inShell(o.member, pageDashboard)},
		contrastScreen{"settings workstation", settingsTab(o.admin, 0)},
		contrastScreen{"settings accounts", settingsTab(o.admin, 1)},
		contrastScreen{"settings company", settingsTab(o.admin, 2)},
		contrastScreen{"settings replicas", settingsTab(o.admin, 3)},
		contrastScreen{"login", func(t *testing.T, w fyne.Window) {
			c, _ := loginScreen(context.Background(), w, o.svc, inline, func(jobs.User) {}, func() {}, nil)
			w.SetContent(c)
		}},
		contrastScreen{"workspace", func(t *testing.T, w fyne.Window) {
			w.SetContent(workspaceScreen(w, "/home/it/.config/cadang", func(string) {}, func(string, string) {}, nil))
		}},
		contrastScreen{"replica form", func(t *testing.T, w fyne.Window) {
			tab := newReplicasTab(o.sessionFor(w, o.staff))
			w.SetContent(tab.content())
			test.Tap(tab.adds[o.repo])
		}},
		contrastScreen{"job editor", func(t *testing.T, w fyne.Window) {
			v := newJobsView(o.sessionFor(w, o.staff))
			w.SetContent(v.content())
			test.Tap(v.rows[o.job.Name].edit)
		}},
		contrastScreen{"setup", func(t *testing.T, w fyne.Window) {
			c, _ := setupScreen(context.Background(), w, o.svc, inline, func(jobs.User) {}, nil, func() {})
			w.SetContent(c)
		}},
		contrastScreen{"request form", func(t *testing.T, w fyne.Window) {
			w.SetContent(widget.NewLabel("Cadang"))
			newRequestDialog(o.sessionFor(w, o.member), func() {})
		}},
		contrastScreen{"reject dialog", func(t *testing.T, w fyne.Window) {
			w.SetContent(widget.NewLabel("Cadang"))
			r, err := o.svc.Request(context.Background(), o.manager, o.restored)
			if err != nil {
				t.Fatal(err)
			}
			rejectRequestDialog(o.sessionFor(w, o.manager), r, func() {})
		}},
		contrastScreen{"progress dialog", func(t *testing.T, w fyne.Window) {
			w.SetContent(widget.NewLabel("Cadang"))
			p := newProgressView(func() {})
			p.Report(engine.ProgressStats{Phase: "backup", FilesDone: 5120, FilesTotal: 12000, BytesDone: 900 << 20, BytesTotal: 2 << 30,
				CurrentPath: "/srv/finance/2026/ledger.xlsx", Started: time.Now().Add(-3 * time.Minute)})
			d := dialog.NewCustomWithoutButtons("Backup finance", p.content(), w)
			d.Resize(fyne.NewSize(560, 0))
			d.Show()
		}},
		contrastScreen{"restore result", func(t *testing.T, w fyne.Window) {
			w.SetContent(widget.NewLabel("Cadang"))
			showVerification(o.sessionFor(w, o.staff), o.restored, func() {})
		}},
		contrastScreen{"handover form", func(t *testing.T, w fyne.Window) {
			w.SetContent(widget.NewLabel("Cadang"))
			r, err := o.svc.Request(context.Background(), o.staff, o.restored)
			if err != nil {
				t.Fatal(err)
			}
			handoverDialog(o.sessionFor(w, o.staff), r, func() {})
		}},
		contrastScreen{"error dialog", func(t *testing.T, w fyne.Window) {
			w.SetContent(widget.NewLabel("Cadang"))
			showError(w, fmt.Errorf(`job "hr": window "25:99-23:00": "25:99" is not HH:MM`))
		}},
	)
	return out
}

// checkContrast checks every visible text of the window and its dialogs.
func checkContrast(t *testing.T, w fyne.Window) {
	t.Helper()
	img := settledCapture(t, w)
	// Behind a dialog the window is dimmed on purpose: only the dialog is
	// there to be read.
	roots := []fyne.CanvasObject{w.Content()}
	if top := w.Canvas().Overlays().Top(); top != nil {
		roots = []fyne.CanvasObject{top}
	}
	checked := 0
	for _, root := range roots {
		origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(root)
		walkText(root, origin, nil, func(txt *canvas.Text, at fyne.Position, owners []fyne.CanvasObject) {
			box := image.Rect(int(at.X), int(at.Y), int(at.X+txt.Size().Width), int(at.Y+txt.Size().Height)).Intersect(img.Bounds())
			if box.Dx() < 2 || box.Dy() < 2 {
				return // outside the window (scrolled away)
			}
			bg := dominantColor(img, box)
			fg := blend(txt.Color, bg)
			ratio := contrastRatio(fg, bg)
			need := minContrast
			if txt.TextSize >= 24 || txt.TextStyle.Bold && txt.TextSize >= 18.66 {
				need = minContrastLarge
			}
			checked++
			if ratio < need {
				t.Errorf("%q: %s on %s, contrast %.2f, want at least %.1f (text at %v size %v in %s)",
					txt.Text, hex(fg), hex(bg), ratio, need, at, txt.Size(), ownersText(owners))
			}
		})
	}
	if checked < 3 {
		t.Fatalf("only %d texts checked: the screen did not draw", checked)
	}
}

// settledCapture is the window as drawn once drawing has settled: two
// captures in a row alike. A screen still being laid out or re-themed when
// captured pairs its texts with pixels of the frame before (a button's
// white label over the empty card it is about to cover, seen in CI under
// load).
func settledCapture(t *testing.T, w fyne.Window) image.Image {
	t.Helper()
	prev := w.Canvas().Capture()
	for range 100 {
		runtime.Gosched()
		next := w.Canvas().Capture()
		if sameImage(prev, next) {
			return next
		}
		prev = next
	}
	t.Fatal("the window kept changing: 100 captures in a row differed")
	return nil
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if color.NRGBAModel.Convert(a.At(x, y)) != color.NRGBAModel.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// walkText calls fn for each non-empty text below o that is shown, except
// in a disabled control (WCAG: inactive components are exempt), with the
// objects it lies in (for the failure message).
func walkText(o fyne.CanvasObject, at fyne.Position, owners []fyne.CanvasObject, fn func(*canvas.Text, fyne.Position, []fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
		return
	}
	pos := at.Add(o.Position())
	switch v := o.(type) {
	case *canvas.Text:
		if v.Text != "" && v.Color != nil {
			fn(v, pos, owners)
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			walkText(c, pos, append(owners, o), fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkText(c, pos, append(owners, o), fn)
		}
	}
}

// ownersText names the innermost objects a text lies in, with their
// places and sizes: what a failure needs to tell a stale layout from a
// wrong colour.
func ownersText(owners []fyne.CanvasObject) string {
	var parts []string
	for i := len(owners) - 1; i >= 0 && i >= len(owners)-4; i-- {
		o := owners[i]
		parts = append(parts, fmt.Sprintf("%T at %v size %v min %v", o, o.Position(), o.Size(), o.MinSize()))
	}
	return strings.Join(parts, " < ")
}

// dominantColor is the most frequent colour in box: behind a line of text
// the background covers more pixels than the glyphs.
func dominantColor(img image.Image, box image.Rectangle) color.NRGBA {
	counts := map[color.NRGBA]int{}
	var best color.NRGBA
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			counts[c]++
			if counts[c] > counts[best] {
				best = c
			}
		}
	}
	return best
}

// blend puts a possibly translucent text colour over the background.
func blend(fg color.Color, bg color.NRGBA) color.NRGBA {
	c := color.NRGBAModel.Convert(fg).(color.NRGBA)
	a := float64(c.A) / 255
	mix := func(f, b uint8) uint8 { return uint8(math.Round(float64(f)*a + float64(b)*(1-a))) }
	return color.NRGBA{R: mix(c.R, bg.R), G: mix(c.G, bg.G), B: mix(c.B, bg.B), A: 255}
}

// contrastRatio is WCAG's (L1 + 0.05) / (L2 + 0.05).
func contrastRatio(a, b color.NRGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.NRGBA) float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// The ratio itself, on the examples of the WCAG definition.
func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b color.NRGBA
		want float64
	}{
		{color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}, 21},
		{color.NRGBA{255, 255, 255, 255}, color.NRGBA{255, 255, 255, 255}, 1},
		{color.NRGBA{0x76, 0x76, 0x76, 255}, color.NRGBA{255, 255, 255, 255}, 4.54},
	}
	for _, tt := range tests {
		if got := contrastRatio(tt.a, tt.b); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", hex(tt.a), hex(tt.b), got, tt.want)
		}
	}
}
