//go:build !unix

package main

import "errors"

// freeDisk is not implemented on this platform: the disk watch logs that
// writes are not guarded.
func freeDisk(string) (int64, error) {
	return 0, errors.New("free disk space is not known on this platform")
}
