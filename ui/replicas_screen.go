package ui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
)

// replicasTab is Settings → Repositories and replicas: each repository the
// jobs write to, and its offsite and cloud copies (SOP 5.3f, APCA 3.2)
// with their state and lag; add, edit, test, sync (with progress and
// Cancel) and remove them, all through jobs, which audits each change.
type replicasTab struct {
	s      acting
	list   *fyne.Container
	scroll *container.Scroll
	rows   map[string]*replicaRow    // by "repository|name", for tests
	adds   map[string]*widget.Button // "Add replica…" by repository
	form   *replicaForm              // the add/edit dialog last opened, for tests
}

// replicaRow is one replica and its buttons.
type replicaRow struct {
	repo                     string
	rep                      jobs.ReplicaView
	state                    *widget.Label
	test, sync, edit, remove *widget.Button
}

func newReplicasTab(s acting) *replicasTab {
	return &replicasTab{s: s, list: container.NewVBox(), rows: map[string]*replicaRow{}, adds: map[string]*widget.Button{}}
}

func (t *replicasTab) content() fyne.CanvasObject {
	help := widget.NewLabel(lang.L("Each repository can be copied to other places: a folder or share in another building, an SFTP server, a cloud drive through rclone, or S3. A job sends its backups to the replicas its definition names (Jobs, Edit); after every run Cadang copies what is missing, and retries a failed copy three times over the next hours."))
	help.Wrapping = fyne.TextWrapWord
	t.scroll = container.NewVScroll(t.list)
	t.reload()
	return container.NewBorder(help, nil, nil, nil, t.scroll)
}

func (t *replicasTab) reload() {
	t.s.bg(func() {
		repos, err := t.s.svc.Repositories(t.s.ctx, t.s.user)
		fyne.Do(func() {
			if err != nil {
				// A role that keeps no repositories: say why here, not in a dialog.
				t.list.RemoveAll()
				l := widget.NewLabel(translateMessage(errorText(err)))
				l.Wrapping = fyne.TextWrapWord
				t.list.Add(l)
				return
			}
			t.draw(repos)
		})
	})
}

func (t *replicasTab) draw(repos []jobs.RepositoryReplicas) {
	t.list.RemoveAll()
	t.rows, t.adds = map[string]*replicaRow{}, map[string]*widget.Button{}
	if len(repos) == 0 {
		t.list.Add(widget.NewLabel(lang.L("No jobs yet.")))
	}
	for _, r := range repos {
		t.list.Add(t.repositoryCard(r))
	}
	relayout(t.scroll)
}

func (t *replicasTab) repositoryCard(r jobs.RepositoryReplicas) fyne.CanvasObject {
	enc := lang.L("not encrypted")
	if r.Encrypted {
		enc = lang.L("encrypted")
	}
	sub := lang.L("Jobs: {{.Jobs}} · {{.Enc}}", map[string]any{"Jobs": strings.Join(r.Jobs, ", "), "Enc": enc})
	box := container.NewVBox()
	if r.Problem != "" {
		p := widget.NewLabel(lang.L("Replicas cannot be recorded here yet: {{.Why}}", map[string]any{"Why": translateMessage(r.Problem)}))
		p.Wrapping = fyne.TextWrapWord
		p.Importance = widget.WarningImportance
		box.Add(p)
	}
	if r.Writable && len(r.Replicas) == 0 {
		box.Add(widget.NewLabel(lang.L("No offsite copy yet.")))
	}
	for _, rep := range r.Replicas {
		box.Add(t.replicaRow(r.Repository, rep))
	}
	if r.Writable {
		add := widget.NewButtonWithIcon(lang.L("Add replica…"), theme.ContentAddIcon(), func() { t.editDialog(r.Repository, nil) })
		t.adds[r.Repository] = add
		box.Add(container.NewHBox(add))
	}
	return widget.NewCard(r.Repository, sub, box)
}

func (t *replicasTab) replicaRow(repo string, rep jobs.ReplicaView) fyne.CanvasObject {
	row := &replicaRow{repo: repo, rep: rep}
	t.rows[repo+"|"+rep.Name] = row
	title := widget.NewLabelWithStyle(rep.Name+" · "+replicaKindName(replicaKindOf(rep.URL)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	where := widget.NewLabel(rep.URL + bandwidthText(rep.BandwidthLimit))
	where.Truncation = fyne.TextTruncateEllipsis
	state := replicaText(rep.State)
	if rep.State.Lag != nil && rep.State.Lag.Files > 0 {
		state += " · " + lang.L("{{.Files}} files ({{.Bytes}}) missing", map[string]any{"Files": rep.State.Lag.Files, "Bytes": formatBytes(rep.State.Lag.Bytes)})
	}
	if len(rep.UsedBy) > 0 {
		state += " · " + lang.L("used by {{.Jobs}}", map[string]any{"Jobs": strings.Join(rep.UsedBy, ", ")})
	} else {
		state += " · " + lang.L("no job sends its backups here yet")
	}
	row.state = widget.NewLabel(state)
	row.state.Truncation = fyne.TextTruncateEllipsis
	if rep.Behind() {
		row.state.Importance = widget.WarningImportance
	}
	row.test = widget.NewButtonWithIcon(lang.L("Test"), theme.SearchIcon(), func() { t.test(repo, rep.URL) })
	row.sync = widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), func() { t.sync(repo, rep.Name) })
	row.sync.Importance = widget.HighImportance
	row.edit = widget.NewButtonWithIcon(lang.L("Edit…"), theme.DocumentCreateIcon(), func() { r := rep.Replica; t.editDialog(repo, &r) })
	row.remove = widget.NewButtonWithIcon(lang.L("Remove…"), theme.DeleteIcon(), func() { t.removeDialog(repo, rep) })
	actions := container.NewHBox(row.test, row.sync, row.edit, row.remove)
	lines := container.New(&tightVBox{}, title, where, row.state)
	return container.NewVBox(lines, actions, widget.NewSeparator())
}

// test connects and lists, and says what it found.
func (t *replicasTab) test(repo, location string) {
	call(t.s.caller, func(ctx context.Context) (jobs.ReplicaCheck, error) {
		return t.s.svc.TestReplica(ctx, t.s.user, repo, location)
	},
		func(c jobs.ReplicaCheck) { showInfo(t.s.win, lang.L("Connection works"), replicaCheckText(c)) })
}

// replicaCheckText says what "connect and list" found.
func replicaCheckText(c jobs.ReplicaCheck) string {
	switch {
	case c.Other:
		return lang.L("{{.Where}} is reachable, but it holds another repository. A sync there is refused: choose an empty place.", map[string]any{"Where": c.Location})
	case c.Copy:
		return lang.N("{{.Where}} is reachable and holds a copy of this repository with {{.N}} snapshots.", c.Snapshots, map[string]any{"Where": c.Location, "N": c.Snapshots})
	case c.Empty:
		return lang.L("{{.Where}} is reachable and empty: the first sync copies the repository there.", map[string]any{"Where": c.Location})
	}
	return lang.L("{{.Where}} is reachable. It holds other files but no repository; the first sync adds the repository beside them.", map[string]any{"Where": c.Location})
}

// sync copies the replica up to date now, with a progress bar and Cancel.
func (t *replicasTab) sync(repo, name string) {
	var st jobs.ReplicaResult
	runWithProgress(t.s, lang.L("Copying to {{.Name}}", map[string]any{"Name": name}),
		func(ctx context.Context, p engine.Progress) error {
			var err error
			st, err = t.s.svc.SyncReplica(ctx, t.s.user, repo, name, p)
			return err
		},
		func(err error) {
			t.reload()
			if err != nil {
				showError(t.s.win, err)
				return
			}
			showInfo(t.s.win, lang.L("Offsite copy up to date"), name+": "+replicaText(st))
		})
}

func (t *replicasTab) removeDialog(repo string, rep jobs.ReplicaView) {
	msg := lang.L("Cadang forgets the replica {{.Name}} ({{.URL}}). Nothing there is deleted: the copy stays where it is and can still be restored from with its location.",
		map[string]any{"Name": rep.Name, "URL": rep.URL})
	confirm(t.s.win, lang.L("Remove replica {{.Name}}?", map[string]any{"Name": rep.Name}), msg, lang.L("Remove"), func() {
		t.s.act(func(ctx context.Context) error { return t.s.svc.RemoveReplica(ctx, t.s.user, repo, rep.Name) }, t.reload)
	})
}

func bandwidthText(limit int64) string {
	if limit <= 0 {
		return ""
	}
	return " · " + lang.L("at most {{.Rate}}/s", map[string]any{"Rate": formatBytes(limit)})
}

// Replica kinds, as the form offers them.
const (
	kindFolder = "folder"
	kindSFTP   = "sftp"
	kindRclone = "rclone"
	kindS3     = "s3"
)

var replicaKinds = []string{kindFolder, kindSFTP, kindRclone, kindS3}

func replicaKindName(kind string) string {
	switch kind {
	case kindSFTP:
		return lang.L("SFTP server")
	case kindRclone:
		return lang.L("Cloud drive (rclone: Google Drive, OneDrive, …)")
	case kindS3:
		return lang.L("S3 bucket")
	}
	return lang.L("Folder or share")
}

func replicaKindOf(location string) string {
	switch {
	case strings.HasPrefix(location, "sftp://"):
		return kindSFTP
	case strings.HasPrefix(location, "rclone:"):
		return kindRclone
	case strings.HasPrefix(location, "s3://"), strings.HasPrefix(location, "s3+http://"):
		return kindS3
	}
	return kindFolder
}

// replicaForm is the add/edit dialog's fields, kept so tests can fill them.
type replicaForm struct {
	name, folder, bwlimit                  *widget.Entry
	kind                                   *widget.Select
	sftpUser, sftpHost, sftpPort, sftpPath *widget.Entry
	sftpKey                                *widget.Entry
	remote                                 *widget.Select
	remotePath                             *widget.Entry
	remoteNote                             *widget.Label
	s3Host, s3Bucket, s3Prefix             *widget.Entry
	s3Plain                                *widget.Check
	parts                                  map[string]fyne.CanvasObject
	result                                 *widget.Label
	testBtn, save                          *widget.Button
}

func newReplicaForm() *replicaForm {
	f := &replicaForm{name: widget.NewEntry(), folder: widget.NewEntry(), bwlimit: widget.NewEntry(),
		sftpUser: widget.NewEntry(), sftpHost: widget.NewEntry(), sftpPort: widget.NewEntry(), sftpPath: widget.NewEntry(), sftpKey: widget.NewEntry(),
		remote: widget.NewSelect(nil, nil), remotePath: widget.NewEntry(), remoteNote: widget.NewLabel(""),
		s3Host: widget.NewEntry(), s3Bucket: widget.NewEntry(), s3Prefix: widget.NewEntry(), s3Plain: widget.NewCheck(lang.L("plain HTTP (no TLS)"), nil),
		result: widget.NewLabel("")}
	names := make([]string, len(replicaKinds))
	for i, k := range replicaKinds {
		names[i] = replicaKindName(k)
	}
	f.kind = widget.NewSelect(names, func(string) { f.showKind() })
	f.name.SetPlaceHolder(lang.L("e.g. gedung-b or gdrive"))
	f.folder.SetPlaceHolder("/mnt/gedung-b/cadang")
	f.sftpUser.SetPlaceHolder("backup")
	f.sftpHost.SetPlaceHolder("10.0.5.9")
	f.sftpPort.SetPlaceHolder("22")
	f.sftpPath.SetPlaceHolder("/srv/cadang")
	f.sftpKey.SetPlaceHolder(lang.L("SSH key file (empty: the SSH agent)"))
	f.remotePath.SetPlaceHolder("cadang/keuangan")
	f.remote.PlaceHolder = lang.L("(choose a remote)")
	f.s3Host.SetPlaceHolder("s3.example.com")
	f.s3Bucket.SetPlaceHolder("backups")
	f.s3Prefix.SetPlaceHolder("cadang/keuangan")
	f.bwlimit.SetPlaceHolder(lang.L("unlimited, or e.g. 2M"))
	f.remoteNote.Wrapping = fyne.TextWrapWord
	f.result.Wrapping = fyne.TextWrapWord
	f.kind.SetSelectedIndex(0)
	return f
}

// showKind shows the fields of the chosen kind only.
func (f *replicaForm) showKind() {
	for k, part := range f.parts {
		if k == f.kindValue() {
			part.Show()
		} else {
			part.Hide()
		}
	}
}

func (f *replicaForm) kindValue() string {
	if i := f.kind.SelectedIndex(); i >= 0 {
		return replicaKinds[i]
	}
	return kindFolder
}

// location is the replica's URL built from the fields.
func (f *replicaForm) location() string {
	trim := strings.TrimSpace
	switch f.kindValue() {
	case kindSFTP:
		host := trim(f.sftpHost.Text)
		if p := trim(f.sftpPort.Text); p != "" {
			host += ":" + p
		}
		u := url.URL{Scheme: "sftp", Host: host, Path: trim(f.sftpPath.Text)}
		if user := trim(f.sftpUser.Text); user != "" {
			u.User = url.User(user)
		}
		if !strings.HasPrefix(u.Path, "/") && u.Path != "" {
			u.Path = "/~/" + u.Path // relative to the login folder
		}
		if key := trim(f.sftpKey.Text); key != "" {
			u.RawQuery = url.Values{"key": {key}}.Encode()
		}
		return u.String()
	case kindRclone:
		remote := strings.TrimSuffix(f.remote.Selected, ":")
		return "rclone:" + remote + ":" + trim(f.remotePath.Text)
	case kindS3:
		scheme := "s3"
		if f.s3Plain.Checked {
			scheme = "s3+http"
		}
		p := "/" + trim(f.s3Bucket.Text)
		if prefix := strings.Trim(trim(f.s3Prefix.Text), "/"); prefix != "" {
			p += "/" + prefix
		}
		return (&url.URL{Scheme: scheme, Host: trim(f.s3Host.Text), Path: p}).String()
	}
	return trim(f.folder.Text)
}

// fill shows an existing replica's location in the fields.
func (f *replicaForm) fill(r jobs.Replica) {
	f.name.SetText(r.Name)
	f.name.Disable() // jobs name it: the name stays
	if r.BandwidthLimit > 0 {
		f.bwlimit.SetText(strconv.FormatInt(r.BandwidthLimit, 10))
	}
	kind := replicaKindOf(r.URL)
	for i, k := range replicaKinds {
		if k == kind {
			f.kind.SetSelectedIndex(i)
		}
	}
	switch kind {
	case kindSFTP, kindS3:
		u, err := url.Parse(r.URL)
		if err != nil {
			return
		}
		if kind == kindSFTP {
			f.sftpUser.SetText(u.User.Username())
			f.sftpHost.SetText(u.Hostname())
			f.sftpPort.SetText(u.Port())
			f.sftpPath.SetText(strings.TrimPrefix(u.Path, "/~/"))
			f.sftpKey.SetText(u.Query().Get("key"))
			return
		}
		f.s3Host.SetText(u.Host)
		bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		f.s3Bucket.SetText(bucket)
		f.s3Prefix.SetText(prefix)
		f.s3Plain.SetChecked(u.Scheme == "s3+http")
	case kindRclone:
		remote, p, _ := strings.Cut(strings.TrimPrefix(r.URL, "rclone:"), ":")
		f.remote.SetOptions(append(f.remote.Options, remote+":"))
		f.remote.SetSelected(remote + ":")
		f.remotePath.SetText(p)
	default:
		f.folder.SetText(r.URL)
	}
}

func (f *replicaForm) spec() (jobs.ReplicaSpec, error) {
	rate, err := jobs.ParseRate(f.bwlimit.Text)
	if err != nil {
		return jobs.ReplicaSpec{}, err
	}
	return jobs.ReplicaSpec{Name: strings.TrimSpace(f.name.Text), URL: f.location(), BandwidthLimit: rate}, nil
}

func (f *replicaForm) layout(w fyne.Window) fyne.CanvasObject {
	browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { pickFolder(w, f.folder.SetText) })
	f.parts = map[string]fyne.CanvasObject{
		kindFolder: widget.NewForm(widget.NewFormItem(lang.L("Location"), container.NewBorder(nil, nil, nil, browse, f.folder))),
		kindSFTP: widget.NewForm(
			widget.NewFormItem(lang.L("User"), f.sftpUser),
			widget.NewFormItem(lang.L("Server"), container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(90, f.sftpPort.MinSize().Height), f.sftpPort), f.sftpHost)),
			widget.NewFormItem(lang.L("Folder there"), f.sftpPath),
			widget.NewFormItem(lang.L("SSH key"), f.sftpKey)),
		kindRclone: container.NewVBox(widget.NewForm(
			widget.NewFormItem(lang.L("Remote"), f.remote),
			widget.NewFormItem(lang.L("Folder there"), f.remotePath)), f.remoteNote),
		kindS3: widget.NewForm(
			widget.NewFormItem(lang.L("Server"), f.s3Host),
			widget.NewFormItem(lang.L("Bucket"), f.s3Bucket),
			widget.NewFormItem(lang.L("Folder in the bucket"), f.s3Prefix),
			widget.NewFormItem("", f.s3Plain)),
	}
	f.showKind()
	kinds := container.NewStack()
	for _, k := range replicaKinds {
		kinds.Add(f.parts[k])
	}
	top := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), f.name),
		widget.NewFormItem(lang.L("Kind"), f.kind),
	)
	limit := widget.NewForm(widget.NewFormItem(lang.L("Bandwidth limit"), f.bwlimit))
	return container.NewVBox(top, kinds, limit, f.result)
}

// editDialog adds (existing nil) or edits a replica of repo: Test says
// what is there before anything is saved.
func (t *replicasTab) editDialog(repo string, existing *jobs.Replica) *replicaForm {
	f := newReplicaForm()
	t.form = f
	title := lang.L("Add a replica of {{.Repo}}", map[string]any{"Repo": repo})
	if existing != nil {
		title = lang.L("Edit replica {{.Name}}", map[string]any{"Name": existing.Name})
	}
	body := f.layout(t.s.win)
	if existing != nil {
		f.fill(*existing)
	}
	type remotes struct {
		names   []string
		problem error // no rclone: said in the form, not in a dialog
	}
	call(t.s.caller, func(ctx context.Context) (remotes, error) {
		names, err := t.s.svc.RcloneRemotes(ctx, t.s.user)
		return remotes{names, err}, nil
	}, func(r remotes) {
		if r.problem != nil {
			f.remoteNote.SetText(translateMessage(errorText(r.problem)))
			f.remoteNote.Importance = widget.WarningImportance
			f.remoteNote.Refresh()
			return
		}
		if len(r.names) == 0 {
			f.remoteNote.SetText(lang.L("rclone has no remotes yet: make one with `rclone config` (README: Google Drive, step by step)."))
			return
		}
		keep := f.remote.Selected
		f.remote.SetOptions(r.names)
		if keep != "" {
			f.remote.SetSelected(keep)
		}
	})
	var d dialog.Dialog
	f.testBtn = widget.NewButtonWithIcon(lang.L("Test"), theme.SearchIcon(), func() {
		f.result.SetText(lang.L("Connecting…"))
		f.result.Importance = widget.MediumImportance
		location := f.location()
		t.s.bg(func() {
			c, err := t.s.svc.TestReplica(t.s.ctx, t.s.user, repo, location)
			fyne.Do(func() {
				if err != nil {
					f.result.SetText(translateMessage(errorText(err)))
					f.result.Importance = widget.DangerImportance
				} else {
					f.result.SetText(replicaCheckText(c))
					f.result.Importance = widget.SuccessImportance
					if c.Other {
						f.result.Importance = widget.DangerImportance
					}
				}
				f.result.Refresh()
			})
		})
	})
	f.save = widget.NewButton(lang.L("Save"), func() {
		spec, err := f.spec()
		if err != nil {
			showError(t.s.win, err)
			return
		}
		call(t.s.caller, func(ctx context.Context) (jobs.Replica, error) {
			if existing != nil {
				return t.s.svc.EditReplica(ctx, t.s.user, repo, existing.Name, spec)
			}
			return t.s.svc.AddReplica(ctx, t.s.user, repo, spec)
		}, func(jobs.Replica) {
			d.Hide()
			t.reload()
		})
	})
	f.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	buttons := container.NewHBox(f.testBtn, layoutSpacer(), cancel, f.save)
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, buttons, nil, nil, body), t.s.win)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
	return f
}

// errorText is an error's message for a label inside a form.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprint(err)
}
