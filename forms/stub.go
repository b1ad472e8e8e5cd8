package forms

import (
	"errors"
	"io"
)

var errNotYet = errors.New("forms: not implemented yet")

// WriteRequestForm renders f as a PDF to w.
func WriteRequestForm(w io.Writer, f RequestForm) error { return errNotYet }

// WriteHandoverForm renders f as a PDF to w.
func WriteHandoverForm(w io.Writer, f HandoverForm) error { return errNotYet }
