package jobs

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"cadang/pdfdoc"
	"cadang/store"
)

// Setting keys. Company details, the SOP header, form codes, signatories and
// the language of documents are settings, not code: document control
// changes them without a new Cadang.
const (
	KeyCompany         = "company.name"
	KeyAddress         = "company.address"
	KeyLogo            = "company.logo" // path to a PNG
	KeySegment         = "sop.segment"
	KeyBusinessProcess = "sop.business_process"
	KeySubProcess      = "sop.sub_process"
	KeyDocNo           = "sop.document_no"
	KeyEffective       = "sop.effective_date" // YYYY-MM-DD
	KeyRevision        = "sop.revision"
	KeyLang            = "documents.lang" // id or en
	KeyFormRequest     = "form.request"
	KeyFormExecution   = "form.execution"
	KeyFormVerify      = "form.verification"
	KeyFormHandover    = "form.handover"
	KeyFormHistory     = "form.history"
	KeyFormSchedule    = "form.schedule"
	KeyPreparedName    = "sign.prepared.name"
	KeyPreparedTitle   = "sign.prepared.title"
	KeyCheckedName     = "sign.checked.name"
	KeyCheckedTitle    = "sign.checked.title"
	KeyApprovedName    = "sign.approved.name"
	KeyApprovedTitle   = "sign.approved.title"
	// The SOP's own document history (§9 Riwayat Dokumen): one revision per
	// line, "REV|DESCRIPTION|YYYY-MM-DD".
	KeySOPHistory = "sop.history"
	// The SOP's approval block (§10 Pengesahan): who prepared, checked and
	// approved the procedure itself, and when. Not the people of a report.
	KeySOPPreparedName  = "sop.approval.prepared.name"
	KeySOPPreparedTitle = "sop.approval.prepared.title"
	KeySOPPreparedDate  = "sop.approval.prepared.date"
	KeySOPCheckedName   = "sop.approval.checked.name"
	KeySOPCheckedTitle  = "sop.approval.checked.title"
	KeySOPCheckedDate   = "sop.approval.checked.date"
	KeySOPApprovedName  = "sop.approval.approved.name"
	KeySOPApprovedTitle = "sop.approval.approved.title"
	KeySOPApprovedDate  = "sop.approval.approved.date"
)

// settingDefaults come from SOP-IT-002 "Prosedur Back up dan Restore
// Database" (Rev. 01, effective 29/07/2022).
var settingDefaults = map[string]string{
	KeyCompany:          "PT Sefas Keliantama",
	KeyAddress:          "",
	KeyLogo:             "",
	KeySegment:          "Supporting Directorate",
	KeyBusinessProcess:  "Information Technology",
	KeySubProcess:       "Prosedur Back up dan Restore Database",
	KeyDocNo:            "SOP-IT-002",
	KeyEffective:        "2022-07-29",
	KeyRevision:         "01",
	KeyLang:             string(pdfdoc.Indonesian),
	KeyFormRequest:      "FRM-IT-002-01",
	KeyFormExecution:    "FRM-IT-002-02",
	KeyFormVerify:       "FRM-IT-002-03",
	KeyFormHandover:     "FRM-IT-002-04",
	KeyFormHistory:      "FRM-IT-002-05",
	KeyFormSchedule:     "FRM-IT-002-06",
	KeyPreparedName:     "",
	KeyPreparedTitle:    "IT Staff",
	KeyCheckedName:      "",
	KeyCheckedTitle:     "",
	KeyApprovedName:     "",
	KeyApprovedTitle:    "IT Manager",
	KeySOPHistory:       "01|Perubahan alur proses back up dan restore database|2022-07-29",
	KeySOPPreparedName:  "Gideon B. Sirapanji",
	KeySOPPreparedTitle: "IT Manager",
	KeySOPPreparedDate:  "2022-07-29",
	KeySOPCheckedName:   "Yoga Samudra Dewa",
	KeySOPCheckedTitle:  "MR & HRGA GM",
	KeySOPCheckedDate:   "2022-07-29",
	KeySOPApprovedName:  "Kezia Roesli",
	KeySOPApprovedTitle: "Direktur",
	KeySOPApprovedDate:  "2022-07-29",
}

// SettingKeys lists every known setting key, sorted.
func SettingKeys() []string {
	keys := make([]string, 0, len(settingDefaults))
	for k := range settingDefaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// seedSettings writes the defaults for keys not yet set, so a new
// workspace's settings screen shows the SOP's values.
func (s *Service) seedSettings(ctx context.Context) error {
	for k, v := range settingDefaults {
		const unset = "\x00unset"
		cur, err := s.catalog.Setting(ctx, k, unset)
		if err != nil {
			return err
		}
		if cur == unset {
			if err := s.catalog.SetSetting(ctx, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Settings returns every known setting (any signed-in account).
func (s *Service) Settings(ctx context.Context, as User) (map[string]string, error) {
	if _, err := s.act(ctx, as, "read settings"); err != nil {
		return nil, err
	}
	return s.settings(ctx)
}

func (s *Service) settings(ctx context.Context) (map[string]string, error) {
	out := make(map[string]string, len(settingDefaults))
	for k, def := range settingDefaults {
		v, err := s.catalog.Setting(ctx, k, def)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// SetSetting changes one known setting (administrators and IT managers).
func (s *Service) SetSetting(ctx context.Context, as User, key, value string) error {
	if _, err := s.act(ctx, as, "change settings", capabilityRoles[CapChangeSettings]...); err != nil {
		return err
	}
	if _, ok := settingDefaults[key]; !ok {
		return fmt.Errorf("unknown setting %q (known: %s)", key, strings.Join(SettingKeys(), ", "))
	}
	if err := validateSetting(key, value); err != nil {
		return err
	}
	if err := s.formCodeTaken(ctx, key, value); err != nil {
		return err
	}
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		old, err := tx.Setting(ctx, key, "")
		if err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, key, value); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "setting.set", "setting:"+key, old, value, "")
	})
}

func validateSetting(key, value string) error {
	switch {
	case key == KeyLang && value != string(pdfdoc.Indonesian) && value != string(pdfdoc.English):
		return fmt.Errorf("setting %s: %q is not id or en", key, value)
	case key == KeyEffective:
		if _, err := time.Parse(time.DateOnly, value); err != nil {
			return fmt.Errorf("setting %s: %q is not a date YYYY-MM-DD", key, value)
		}
	case strings.HasPrefix(key, "form.") && (value == "" || strings.Contains(value, "/")):
		return fmt.Errorf("setting %s: a form code is not empty and has no '/'", key)
	case strings.HasPrefix(key, "sop.approval.") && strings.HasSuffix(key, ".date") && value != "":
		if _, err := time.Parse(time.DateOnly, value); err != nil {
			return fmt.Errorf("setting %s: %q is not a date YYYY-MM-DD", key, value)
		}
	case key == KeySOPHistory:
		if _, err := ParseSOPHistory(value); err != nil {
			return fmt.Errorf("setting %s: %w", key, err)
		}
	}
	return nil
}

// SOPRevision is one row of the SOP's document history (§9).
type SOPRevision struct {
	Revision, Description string
	Effective             time.Time
}

// ParseSOPHistory reads the sop.history setting: one revision per line,
// "REV|DESCRIPTION|YYYY-MM-DD".
func ParseSOPHistory(v string) ([]SOPRevision, error) {
	var out []SOPRevision
	for i, line := range strings.Split(strings.TrimSpace(v), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d %q: want REV|DESCRIPTION|YYYY-MM-DD", i+1, line)
		}
		eff, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f[2]), time.Local)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q is not a date YYYY-MM-DD", i+1, f[2])
		}
		out = append(out, SOPRevision{Revision: strings.TrimSpace(f[0]), Description: strings.TrimSpace(f[1]), Effective: eff})
	}
	return out, nil
}

// formCodeTaken refuses a form code another document type already uses:
// two types sharing a code would share its numbers.
func (s *Service) formCodeTaken(ctx context.Context, key, value string) error {
	if !strings.HasPrefix(key, "form.") {
		return nil
	}
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	for k, v := range set {
		if k != key && strings.HasPrefix(k, "form.") && strings.EqualFold(v, value) {
			return refusedf("setting %s: form code %s is already %s's; every document type has its own", key, value, k)
		}
	}
	return nil
}

// header builds the controlled-document header from settings.
func (s *Service) header(set map[string]string) pdfdoc.Header {
	eff, _ := time.Parse(time.DateOnly, set[KeyEffective]) // validated when set; zero prints blank
	h := pdfdoc.Header{Company: set[KeyCompany], Address: set[KeyAddress], Segment: set[KeySegment],
		BusinessProcess: set[KeyBusinessProcess], SubProcess: set[KeySubProcess], ControlledDocNo: set[KeyDocNo],
		EffectiveDate: eff, Revision: set[KeyRevision]}
	if p := set[KeyLogo]; p != "" {
		if b, err := os.ReadFile(p); err == nil {
			h.Logo = b
		} else {
			s.log.Warn("company logo unreadable; printing without it", "path", p, "err", err)
		}
	}
	return h
}
