package storetest

import (
	"os"
	"strconv"
	"testing"
)

// BenchGlobalShare is TIES_BENCH_GLOBAL_SHARE, the share of relations the
// benchmarks' generated graph draws from one global pool (gen.Config's
// GlobalShare: 1 is the pure power law, whose hubs make the large
// answers), or 0, the generator's communities, when it is not set.
func BenchGlobalShare(tb testing.TB) float64 {
	v := os.Getenv("TIES_BENCH_GLOBAL_SHARE")
	if v == "" {
		return 0
	}
	share, err := strconv.ParseFloat(v, 64)
	if err != nil {
		tb.Fatalf("TIES_BENCH_GLOBAL_SHARE: %v", err)
	}
	return share
}
