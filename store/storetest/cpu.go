package storetest

// CPUTime returns a function that gives the CPU time, user and system, in
// seconds, that the process has used since CPUTime was called. On a
// machine shared with other work the wall clock of a benchmark says more
// about the neighbours than about the code; the CPU time it used does not.
func CPUTime() (since func() float64) {
	t0 := cpuSeconds()
	return func() float64 { return cpuSeconds() - t0 }
}
