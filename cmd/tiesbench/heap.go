package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// heapWatch samples the Go heap and the anonymous resident set while a
// measured step runs. Peak RSS (VmHWM) alone cannot tell memory the
// process allocated from pages of badger's memory-mapped table files,
// which the kernel may drop at any time; the peak anonymous RSS, the peak
// heap and a heap profile written whenever the heap reaches a new high say
// what grows.
type heapWatch struct {
	path string // heap profile to rewrite at each new peak; "" for none

	mu      sync.Mutex
	peak    uint64
	anon    int64
	written uint64
	err     error
	stop    chan struct{}
	done    chan struct{}
}

const heapObjects = "/memory/classes/heap/objects:bytes"

// watchHeap starts sampling every interval. A profile is rewritten only
// when the heap has grown by a tenth since the last one, so that writing
// profiles does not become the workload.
func watchHeap(profile string, interval time.Duration) *heapWatch {
	h := &heapWatch{path: profile, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		sample := []metrics.Sample{{Name: heapObjects}}
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			v := sample[0].Value.Uint64()
			anon, _ := procStatus(0, "RssAnon:")
			h.mu.Lock()
			h.peak = max(h.peak, v)
			h.anon = max(h.anon, anon)
			write := h.path != "" && h.err == nil && float64(v) > 1.1*float64(h.written)
			h.mu.Unlock()
			if write {
				err := h.writeProfile()
				h.mu.Lock()
				h.written, h.err = v, err
				h.mu.Unlock()
			}
		}
	}()
	return h
}

func (h *heapWatch) writeProfile() error {
	f, err := os.Create(h.path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}

// Stop ends the sampling and returns the peak heap (live and not yet
// collected objects) and the peak anonymous resident set seen, with the
// error of the last profile written, if any.
func (h *heapWatch) Stop() (heap, anon int64, err error) {
	close(h.stop)
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return int64(h.peak), h.anon, h.err
}

// startCPUProfile starts a CPU profile into the file named path, if any,
// and returns the function that ends it.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
