//go:build !unix

package local

import "errors"

var errNotSupported = errors.New("not supported")
