package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// summary describes a set of latency samples.
type summary struct {
	N      int           `json:"n"`
	Median time.Duration `json:"median_ns"`
	P99    time.Duration `json:"p99_ns"`
	Mean   time.Duration `json:"mean_ns"`
	Max    time.Duration `json:"max_ns"`
}

// summarize computes the median and the 99th percentile (nearest rank) of
// the samples.
func summarize(samples []time.Duration) summary {
	if len(samples) == 0 {
		return summary{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	var total time.Duration
	for _, d := range s {
		total += d
	}
	return summary{
		N:      len(s),
		Median: percentile(s, 50),
		P99:    percentile(s, 99),
		Mean:   total / time.Duration(len(s)),
		Max:    s[len(s)-1],
	}
}

// percentile returns the nearest-rank p-th percentile of sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// medianInt returns the median of counts.
func medianInt(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// ms formats a duration in milliseconds with three significant digits.
func ms(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	case f >= 1:
		return strconv.FormatFloat(f, 'f', 2, 64)
	case f >= 0.1:
		return strconv.FormatFloat(f, 'f', 3, 64)
	}
	return strconv.FormatFloat(f, 'f', 4, 64)
}

// ratio formats a/b as "12x" (or "0.5x"), empty when either is missing.
func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return ""
	}
	r := float64(a) / float64(b)
	if r >= 10 {
		return strconv.FormatFloat(r, 'f', 0, 64) + "x"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "x"
}

// peakRSS returns the peak resident set (VmHWM) of process pid, or of this
// process when pid is 0, in bytes.
func peakRSS(pid int) (int64, error) {
	return procStatus(pid, "VmHWM:")
}

// currentRSS returns the resident set (VmRSS) of process pid (0 = self).
func currentRSS(pid int) (int64, error) {
	return procStatus(pid, "VmRSS:")
}

// pss returns the proportional set size of process pid (0 = self).
func pss(pid int) (int64, error) {
	return procField(pid, "smaps_rollup", "Pss:")
}

func procStatus(pid int, field string) (int64, error) {
	return procField(pid, "status", field)
}

func procField(pid int, file, field string) (int64, error) {
	path := "/proc/self/" + file
	if pid > 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/" + file
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field) {
			continue
		}
		fs := strings.Fields(line[len(field):])
		if len(fs) != 2 || fs[1] != "kB" {
			return 0, fmt.Errorf("%s: unexpected %q", path, line)
		}
		kb, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no %s line", path, field)
}

// mib formats bytes as MiB.
func mib(b int64) string {
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 0, 64) + " MiB"
}
