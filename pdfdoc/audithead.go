package pdfdoc

import (
	"regexp"
	"strconv"
)

// AuditHeadKeyword starts the PDF keyword that carries Meta.AuditHead.
const AuditHeadKeyword = "cadang-audit-head:"

var auditHeadRE = regexp.MustCompile(`cadang-audit-head:([0-9]{1,18}):([0-9a-f]{64})`)

// AuditHeadOf reads the audit chain's head a PDF of Cadang's was filed
// with, from its keywords; ok is false when it has none.
func AuditHeadOf(pdf []byte) (seq int64, hash string, ok bool) {
	m := auditHeadRE.FindSubmatch(pdf)
	if m == nil {
		return 0, "", false
	}
	seq, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil {
		return 0, "", false
	}
	return seq, string(m[2]), true
}
