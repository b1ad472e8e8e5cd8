package forms

import (
	"time"

	"cadang/pdfdoc"
)

// RequestForm is a department's request for a backup or a restore.
type RequestForm struct {
	Meta        pdfdoc.Meta
	Kind        string // "backup" | "restore"
	Department  string
	Requester   string
	Data        string // job name, paths or database
	Paths       []string
	RequestedAt time.Time
	Reason      string
	Target      string // restore destination
	Status      string
	DecidedBy   string
	DecidedAt   time.Time
	// RejectReason is printed when the request was rejected.
	RejectReason string
	// Signatures name the people of sop.RequestSignatories, in that order
	// (requester, checker, approver): the accounts that acted. Their labels
	// come from sop; a zero one prints lines for the pen.
	Signatures []pdfdoc.Signature
}

// HandoverForm records the handing over of restored data to the requester.
type HandoverForm struct {
	Meta          pdfdoc.Meta
	RequestNumber string
	// VerificationNumber is the restore verification report's number.
	VerificationNumber string
	Department         string
	Requester          string
	Data               string
	SnapshotID         string
	SnapshotTime       time.Time
	Target             string
	Files              int64
	Bytes              int64
	VerifiedFiles      int64
	VerificationOK     bool
	Notes              string
	// Witness is optional; a zero Witness prints no third block.
	Giver, Receiver, Witness pdfdoc.Signature
}
