//go:build !linux

package engine

import "os"

// Extended attributes are recorded and restored on Linux only.

func fileXattrs(f *os.File) (map[string][]byte, error)        { return nil, nil }
func pathXattrs(p string) (map[string][]byte, error)          { return nil, nil }
func setFileXattrs(f *os.File, attrs map[string][]byte) error { return nil }
func setPathXattrs(p string, attrs map[string][]byte) error   { return nil }
