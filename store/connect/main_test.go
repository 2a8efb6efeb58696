package connect_test

import (
	"testing"

	"github.com/ties-graph/ties/store/storetest"
)

// The tests run on badger, or on PostgreSQL with TIES_TEST_STORE=postgres
// (see package storetest), which then stops the cluster they shared.
func TestMain(m *testing.M) { storetest.Main(m) }
