package forms_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"cadang/forms"
	"cadang/pdfdoc"
)

func TestHostileScratch(t *testing.T) {
	f := backupRequest(pdfdoc.Indonesian)
	f.Meta.Number = strings.Repeat("FRM-IT-002-01/2026/", 30)
	f.Meta.VerifyCode = strings.Repeat("X", 300)
	f.Meta.Header.Company = strings.Repeat("PT 📁 文件 عربي ", 30)
	f.Department = "📁📁📁 \u200d\u202e RTL override 文件"
	f.Requester = strings.Repeat("W", 500)
	f.Reason = strings.Repeat("Alasan sangat panjang ", 1000)
	f.Signatures = []pdfdoc.Signature{{Label: strings.Repeat("L", 300), Name: strings.Repeat("N", 300), Title: strings.Repeat("T ", 300)}}
	for i := 0; i < 7; i++ {
		f.Signatures = append(f.Signatures, f.Signatures[0])
	}
	f.Paths = make([]string, 500)
	for i := range f.Paths {
		f.Paths[i] = strings.Repeat("x", 2000)
	}
	var buf bytes.Buffer
	if err := forms.WriteRequestForm(&buf, f); err != nil {
		t.Fatal(err)
	}
	t.Log(buf.Len()); os.WriteFile("/tmp/ex/hostile.pdf", buf.Bytes(), 0o644)
	_ = buf
}
