package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"golang.org/x/sync/semaphore"

	"github.com/ties-graph/ties/store"
)

// admission is the shared queue of the expensive queries: whole-graph
// measures (centrality, components), path enumerations (paths, allPaths)
// and large neighbourhoods. They run on a bounded share of the CPUs,
// first come first served, so that while any number of them wait, the
// cheap queries a dashboard sends (an entity, its relations, a small
// neighbourhood, a shortest path) find a CPU free and keep their latency.
//
// Capacity is in workers: by default one fewer than GOMAXPROCS, at least
// one. An expensive query takes one worker; a measure that is quadratic
// in the graph (betweenness, PageRank) takes them all, so two never run
// at once. At most maxQueue queries wait; more are refused at once with
// BUSY rather than holding connections and memory while they queue.
type admission struct {
	sem      *semaphore.Weighted
	workers  int64
	maxQueue int64
	waiting  atomic.Int64
}

// defaultHeavyWorkers leaves one CPU to the cheap queries.
func defaultHeavyWorkers() int { return max(1, runtime.GOMAXPROCS(0)-1) }

func newAdmission(workers, maxQueue int) *admission {
	return &admission{sem: semaphore.NewWeighted(int64(workers)), workers: int64(workers), maxQueue: int64(maxQueue)}
}

// weight returns how many workers a root field takes: 0 for a cheap one,
// which does not queue at all. Arguments are read from the document and
// the variables, with the schema's defaults where they are absent.
func (a *admission) weight(ctx context.Context) int64 {
	rf := graphql.GetRootFieldContext(ctx)
	// RootFieldContext.Object holds the field's name, not its type's: the
	// type is the field's definition's object.
	if rf == nil || rf.Field.Field == nil || rf.Field.ObjectDefinition == nil || rf.Field.ObjectDefinition.Name != "Query" {
		return 0
	}
	var vars map[string]any
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		vars = oc.Variables
	}
	arg := func(name string) any {
		v, _ := fieldArgument(rf.Field.Field, name, vars)
		return v
	}
	return heavyWeight(rf.Field.Name, arg, a.workers)
}

// heavyWeight is the weight of a Query field whose arguments arg reads
// (nil for an absent one), out of workers.
func heavyWeight(field string, arg func(name string) any, workers int64) int64 {
	switch field {
	case "centrality":
		if m, _ := arg("measure").(string); m != "" && m != "DEGREE" {
			return workers
		}
		return 1
	case "components", "paths", "allPaths":
		return 1
	case "neighborhood":
		if argOr(arg("depth"), 1) >= 3 || argOr(arg("limit"), 500) > 2000 {
			return 1
		}
	}
	return 0
}

// argOr reads an Int argument (see intArg), or def when it is absent.
func argOr(v any, def int) int {
	if n, ok := intArg(v); ok {
		return n
	}
	return def
}

// errQueueTimeout marks a query that spent its whole time in the queue.
var errQueueTimeout = errors.New("timed out waiting for the expensive-query queue")

// around is the AroundRootFields middleware: it admits an expensive root
// field when workers are free and holds them while it resolves.
func (a *admission) around() graphql.RootFieldMiddleware {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		w := a.weight(ctx)
		if w == 0 {
			return next(ctx)
		}
		if err := a.acquire(ctx, w); err != nil {
			graphql.AddError(ctx, err)
			return graphql.Null
		}
		defer a.sem.Release(w)
		return next(ctx)
	}
}

// acquire takes w workers for a query or a download being let in: it
// waits in the queue, when the queue has room, until the workers are free
// or ctx ends.
func (a *admission) acquire(ctx context.Context, w int64) error {
	start := time.Now()
	err := a.take(ctx, w, true)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w after %s: %w", errQueueTimeout, time.Since(start).Round(time.Millisecond), err)
	}
	return err
}

// take takes w workers, at once when they are free, else first come first
// served behind those waiting, counted among them (the queue's length)
// while it waits, until ctx ends. bounded refuses it BUSY instead when
// maxQueue wait already: being let in is bounded, a download's taking its
// worker again between writes is not (turnWriter).
func (a *admission) take(ctx context.Context, w int64, bounded bool) error {
	if a.sem.TryAcquire(w) {
		return nil
	}
	if n := a.waiting.Add(1); bounded && n > a.maxQueue {
		a.waiting.Add(-1)
		return &store.Error{Code: store.Busy, Message: fmt.Sprintf(
			"%d expensive requests (centrality, components, paths, allPaths, large neighbourhoods, exports, backups) are already waiting; retry in a few seconds", a.maxQueue)}
	}
	defer a.waiting.Add(-1)
	return a.sem.Acquire(ctx, w)
}
