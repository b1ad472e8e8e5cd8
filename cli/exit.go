package cli

import (
	"errors"
	"fmt"
)

// Exit statuses, documented in doc.go and the README.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitRefused  = 3
	ExitWarnings = 4
	ExitDamaged  = 5
)

// ExitError carries a specific exit status with an error message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExit attaches an exit status to err (nil stays nil).
func withExit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// exitf builds an error with an exit status.
func exitf(code int, format string, a ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, a...)}
}

// ExitCode returns the exit status for err: exitError's code, else ExitError.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitError
}
