package storetest

import (
	"bytes"
	"sync"
)

// LogBuffer collects what a server under test writes, its log or its
// output, so that the test can read it while the server still writes:
// the test asserts what was logged and shows it when it fails.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns all written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
