//go:build unix

package main

import "syscall"

// freeDisk returns the bytes an unprivileged process may still write on
// the file system that holds dir.
func freeDisk(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
