package reports

import (
	"errors"
	"io"
)

var errNotYet = errors.New("reports: not implemented yet")

// WriteExecutionReport renders r as a PDF to w.
func WriteExecutionReport(w io.Writer, r ExecutionReport) error { return errNotYet }

// WriteRestoreVerificationReport renders r as a PDF to w.
func WriteRestoreVerificationReport(w io.Writer, r RestoreVerificationReport) error { return errNotYet }

// WriteHistoryReport renders r as a PDF to w.
func WriteHistoryReport(w io.Writer, r HistoryReport) error { return errNotYet }
