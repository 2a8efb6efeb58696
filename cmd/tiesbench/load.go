package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ties-graph/ties/store/gen"
)

// loadQuery returns the GraphQL document of a named load-test query
// (issue 3's figures), and false for an unknown name.
func loadQuery(name string) (string, bool) {
	switch name {
	case "entity":
		return `query Entity($id: ID!) { entity(id: $id) { id type name } }`, true
	case "relations":
		return `query Relations($id: ID!) {
  entity(id: $id) { relations(first: 50) { totalCount edges { node { id type validFrom from { id name } to { id name } } } } }
}`, true
	case "neighborhood2":
		return `query Neighborhood2($id: ID!) {
  neighborhood(id: $id, depth: 2) { truncated nodes { id type name } edges { id type from { id } to { id } } }
}`, true
	case "neighborhood2-nodelink":
		return `query Neighborhood2NodeLink($id: ID!) { neighborhood(id: $id, depth: 2) { nodeLink } }`, true
	}
	return "", false
}

// foundingIDs are entities of the founding data, the default targets when
// no generated graph is named.
func foundingIDs() []string {
	return []string{"enschede", "dalian", "palo-alto", "munster", "heidelberg", "linkoping", "eurocities"}
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/query", "GraphQL endpoint of a running ties serve (loopback only)")
	conc := fs.String("concurrency", "1,16", "comma-separated numbers of concurrent clients, one run each")
	duration := fs.Duration("duration", 10*time.Second, "length of each run (at most 10m)")
	queries := fs.String("query", "entity,relations,neighborhood2", "comma-separated queries: "+strings.Join(loadQueryNames(), ", "))
	ids := fs.String("ids", "", "comma-separated entity ids to query (default: the founding data, or the generated graph's when --relations is given)")
	pid := fs.Int("pid", 0, "process id of the server, to report its peak resident set")
	cfg := graphFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: tiesbench load --url http://127.0.0.1:8080/query --concurrency 1,16 --duration 10s --query entity

Sends the chosen GraphQL query from N concurrent keep-alive clients for the
duration, each request for a random entity, and reports requests per
second and p50/p99 latency per query and concurrency. With --relations and
--seed it picks entities of the generated graph of that size, which the
server must have imported (tiesbench gen | ties import).

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 10*time.Minute {
		return errors.New("--duration must be between 0 and 10m")
	}
	var levels []int
	for _, s := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("--concurrency: %q is not a number from 1 to 1024", s)
		}
		levels = append(levels, n)
	}
	pickID, err := idPicker(*ids, *cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "| query | clients | requests | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|\n")
	for _, q := range strings.Split(*queries, ",") {
		doc, ok := loadQuery(strings.TrimSpace(q))
		if !ok {
			return fmt.Errorf("unknown query %q (have %s)", q, strings.Join(loadQueryNames(), ", "))
		}
		for _, n := range levels {
			res, err := loadRun(ctx, *url, doc, n, *duration, pickID)
			if err != nil {
				return err
			}
			s := summarize(res.latencies)
			fmt.Fprintf(stdout, "| %s | %d | %d | %.0f | %s | %s | %d |\n", q, n, res.requests,
				float64(res.requests)/res.elapsed.Seconds(), ms(s.Median), ms(s.P99), res.errors)
			if res.firstErr != nil {
				log.Warn("requests failed", "query", q, "clients", n, "errors", res.errors, "first", res.firstErr)
			}
		}
	}
	if *pid > 0 {
		if rss, err := peakRSS(*pid); err == nil {
			fmt.Fprintf(stdout, "\nServer peak resident set (VmHWM of pid %d): %s\n", *pid, mib(rss))
		} else {
			log.Warn("cannot read the server's resident set", "err", err)
		}
	}
	return nil
}

func loadQueryNames() []string {
	return []string{"entity", "relations", "neighborhood2", "neighborhood2-nodelink"}
}

// idPicker returns a function that draws a target entity id with the
// given random stream.
func idPicker(list string, cfg gen.Config) (func(*rand.Rand) string, error) {
	if list != "" {
		ids := strings.Split(list, ",")
		return func(r *rand.Rand) string { return ids[r.IntN(len(ids))] }, nil
	}
	if cfg.Relations > 0 {
		p, err := gen.NewPlan(cfg)
		if err != nil {
			return nil, err
		}
		return func(r *rand.Rand) string { return p.EntityID(r.IntN(p.Entities)) }, nil
	}
	ids := foundingIDs()
	return func(r *rand.Rand) string { return ids[r.IntN(len(ids))] }, nil
}

type loadResult struct {
	requests  int
	errors    int
	firstErr  error
	latencies []time.Duration
	elapsed   time.Duration
}

// loadRun runs n clients for d. Each client sends one request at a time
// (closed loop), so the figures are latency under that concurrency.
func loadRun(ctx context.Context, url, doc string, n int, d time.Duration, pickID func(*rand.Rand) string) (loadResult, error) {
	c, err := newGraphQLClient(url, n)
	if err != nil {
		return loadResult{}, err
	}
	defer c.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	end, _ := ctx.Deadline()
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 0x6c6f6164))
			var lat []time.Duration
			var errs int
			var first error
			// Bounded by the duration and by a request cap, whichever
			// comes first.
			for i := 0; i < 10_000_000 && ctx.Err() == nil; i++ {
				t0 := time.Now()
				err := c.do(ctx, doc, map[string]any{"id": pickID(r)}, nil)
				// A request cut off by the end of the run is not a
				// failure. The deadline, not ctx.Err alone: the dial's own
				// timer can fire before the context's, and every request
				// after it then fails at once with "i/o timeout" while
				// ctx.Err is still nil (over a thousand in one 8 s run).
				if ctx.Err() != nil || !time.Now().Before(end) {
					break
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.requests += len(lat)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}
