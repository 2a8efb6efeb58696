package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/kv/pgkv/pgcluster"
)

// findPostgres returns the directory holding initdb and postgres: dir when
// given, else the newest installed.
func findPostgres(dir string) (string, error) {
	bin, err := pgcluster.Bin(dir)
	if errors.Is(err, pgcluster.ErrNotInstalled) {
		return "", fmt.Errorf("%w, or point --pg-bin at a directory holding initdb and postgres", err)
	}
	return bin, err
}

// pgSettings are the server settings of the benchmark cluster, beyond
// pgcluster's own: durability is off there because the cluster is thrown
// away (Ties' bulk load does not sync either), and JIT is off because it
// compiles recursive CTEs for tens of milliseconds per query, which would
// measure the compiler, not the traversal. Memory is what a competent user
// gives a 1 GiB working set.
func pgSettings(sharedBuffers string) []string {
	return []string{
		"shared_buffers=" + sharedBuffers,
		"work_mem=64MB",
		"maintenance_work_mem=512MB",
		"max_wal_size=8GB",
		"checkpoint_timeout=30min",
	}
}

// startPostgres starts a throwaway cluster with the benchmark's settings
// (pgcluster adds loopback only, no fsync and no JIT).
func startPostgres(ctx context.Context, log *slog.Logger, bin, sharedBuffers string, keep bool) (*pgcluster.Cluster, error) {
	c, err := pgcluster.Start(ctx, pgcluster.Config{Bin: bin, Settings: pgSettings(sharedBuffers), Keep: keep})
	if err != nil {
		return nil, err
	}
	log.Info("started PostgreSQL", "dir", c.Dir, "port", c.Port, "pid", c.Pid())
	return c, nil
}

// postgres answers the benchmark queries with recursive CTEs over a
// nodes/edges schema, as a competent user would write them.
type postgres struct {
	cluster *pgcluster.Cluster
	conn    *pgx.Conn
	timeout time.Duration // statement_timeout of every connection
}

var _ system = (*postgres)(nil)

// The queries. Relations are followed in both directions, like Ties'
// default BOTH: a LATERAL UNION ALL of the two index-only scans. The walk
// is UNION-based, so a (node, depth) pair is expanded at most once, which
// makes it cycle-safe without path arrays.
const (
	pgOneHop = `SELECT $1::text
UNION SELECT dst FROM edges WHERE src = $1
UNION SELECT src FROM edges WHERE dst = $1`

	// pgWalkTo walks from $1 both ways; the parameter that follows it
	// bounds the depth.
	pgWalkTo = `WITH RECURSIVE walk(id, depth) AS (
    SELECT $1::text, 0
  UNION
    SELECT n.other, w.depth + 1
    FROM walk w, LATERAL (
        SELECT e.dst AS other FROM edges e WHERE e.src = w.id
        UNION ALL
        SELECT e.src FROM edges e WHERE e.dst = w.id) n
    WHERE w.depth < `
	pgNeighborhood = pgWalkTo + `$2
)
SELECT DISTINCT id FROM walk`

	// PostgreSQL evaluates a recursive CTE only as far as the outer query
	// reads it, and the walk produces rows level by level, so LIMIT 1 stops
	// at the first level that reaches the target: the shortest distance.
	pgShortestPath = pgWalkTo + `$3
)
SELECT depth FROM walk WHERE id = $2 LIMIT 1`

	// pgSubgraph and pgOneHopSubgraph answer what Ties' neighborhood
	// { nodes { id } edges { fromId toId type } } answers: the node ids,
	// then every relation between two of them (the induced subgraph, the
	// last level's relations among themselves included), one row per
	// relation. Node rows have a NULL dst. The node set is materialized
	// once; each relation is found once, by its source, through the
	// (src, type) INCLUDE (dst) index, and kept when its destination is
	// in the set too.
	pgSubgraphRows = `
SELECT id, NULL::text, NULL::text FROM ids
UNION ALL
SELECT e.src, e.dst, e.type FROM ids s JOIN edges e ON e.src = s.id JOIN ids d ON d.id = e.dst`
	pgSubgraph = pgWalkTo + `$2
), ids AS MATERIALIZED (SELECT DISTINCT id FROM walk)` + pgSubgraphRows
	pgOneHopSubgraph = `WITH ids(id) AS MATERIALIZED (` + pgOneHop + `)` + pgSubgraphRows
)

// pgSchema creates the tables without keys so COPY runs at full speed;
// pgIndexes adds the keys and the indexes a competent user creates for
// traversals: (src, type) and (dst, type), each covering the far end so
// that a hop is an index-only scan.
var (
	pgSchema = []string{
		`CREATE TABLE nodes (id text NOT NULL, type text NOT NULL, name text NOT NULL)`,
		`CREATE TABLE edges (id text NOT NULL, src text NOT NULL, dst text NOT NULL, type text NOT NULL, valid_from date, valid_to date)`,
	}
	pgIndexes = []string{
		`ALTER TABLE nodes ADD PRIMARY KEY (id)`,
		`ALTER TABLE edges ADD PRIMARY KEY (id)`,
		`CREATE INDEX edges_src_type ON edges (src, type) INCLUDE (dst)`,
		`CREATE INDEX edges_dst_type ON edges (dst, type) INCLUDE (src)`,
		`VACUUM (ANALYZE) nodes`,
		`VACUUM (ANALYZE) edges`,
	}
)

// loadPostgres starts a cluster and loads the graph with COPY. The load
// time it reports covers COPY, keys, indexes and VACUUM ANALYZE: the
// moment the graph can be queried at full speed.
func loadPostgres(ctx context.Context, log *slog.Logger, bin, sharedBuffers string, keep bool, cfg gen.Config, timeout time.Duration) (_ *postgres, loadTime time.Duration, err error) {
	c, err := startPostgres(ctx, log, bin, sharedBuffers, keep)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return nil, 0, err
	}
	p := &postgres{cluster: c, conn: conn, timeout: timeout}
	start := time.Now()
	for _, q := range pgSchema {
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	nodeRows, stopNodes := copyRows(ctx, cfg, func(r store.Record) []any {
		if e := r.Entity; e != nil {
			return []any{e.ID, e.Type, e.Name}
		}
		return nil
	})
	nodes, err := conn.CopyFrom(ctx, pgx.Identifier{"nodes"}, []string{"id", "type", "name"}, nodeRows)
	stopNodes()
	if err != nil {
		return nil, 0, fmt.Errorf("copy nodes: %w", err)
	}
	edgeRows, stopEdges := copyRows(ctx, cfg, func(r store.Record) []any {
		if e := r.Relation; e != nil {
			return []any{e.ID, e.From, e.To, e.Type, firstDay(e.ValidFrom), lastDay(e.ValidTo)}
		}
		return nil
	})
	edges, err := conn.CopyFrom(ctx, pgx.Identifier{"edges"}, []string{"id", "src", "dst", "type", "valid_from", "valid_to"}, edgeRows)
	stopEdges()
	if err != nil {
		return nil, 0, fmt.Errorf("copy edges: %w", err)
	}
	copied := time.Since(start)
	for _, q := range pgIndexes {
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	loadTime = time.Since(start)
	log.Info("loaded PostgreSQL", "nodes", nodes, "edges", edges, "copy", copied.Round(time.Millisecond), "total", loadTime.Round(time.Millisecond))
	if _, err := conn.Exec(ctx, fmt.Sprintf("SET statement_timeout = %d", timeout.Milliseconds())); err != nil {
		return nil, 0, err
	}
	return p, loadTime, nil
}

// copyRows turns the generator's records into COPY rows: row maps a record
// to its values, or nil to skip it. The generator runs in its own
// goroutine behind iter.Pull, so nothing is buffered; stop ends it, also
// when COPY gives up half way.
func copyRows(ctx context.Context, cfg gen.Config, row func(store.Record) []any) (pgx.CopyFromSource, func()) {
	var seq iter.Seq[store.Record] = func(yield func(store.Record) bool) {
		stop := errors.New("stop")
		_ = gen.Source(cfg)(ctx, func(r store.Record) error {
			if !yield(r) {
				return stop
			}
			return nil
		})
	}
	next, stop := iter.Pull(seq)
	return pgx.CopyFromFunc(func() ([]any, error) {
		for {
			r, ok := next()
			if !ok {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				return nil, nil
			}
			if v := row(r); v != nil {
				return v, nil
			}
		}
	}), stop
}

// firstDay and lastDay map a partial date to the day that opens or closes
// the interval it names, or nil (SQL NULL) when unset.
func firstDay(d store.Date) any {
	if d.IsZero() {
		return nil
	}
	t, _ := time.Parse("2006-01-02", (d.String() + "-01-01")[:10])
	return t
}

func lastDay(d store.Date) any {
	switch d.Precision() {
	case store.PrecisionYear:
		return time.Date(d.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	case store.PrecisionMonth:
		t, _ := time.Parse("2006-01", d.String())
		return t.AddDate(0, 1, -1)
	case store.PrecisionDay:
		t, _ := time.Parse("2006-01-02", d.String())
		return t
	}
	return nil
}

func (p *postgres) Name() string { return "postgres" }

// connected reconnects when a failed query has closed the connection (pgx
// closes it when a context ends mid-query), so one timeout does not fail
// every query after it.
func (p *postgres) connected(ctx context.Context) error {
	if !p.conn.IsClosed() {
		return nil
	}
	conn, err := pgx.Connect(ctx, p.cluster.DSN("postgres"))
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("SET statement_timeout = %d", p.timeout.Milliseconds())); err != nil {
		conn.Close(ctx)
		return err
	}
	p.conn = conn
	return nil
}

func (p *postgres) Neighborhood(ctx context.Context, id string, depth int) (int, error) {
	if err := p.connected(ctx); err != nil {
		return 0, err
	}
	var rows pgx.Rows
	var err error
	if depth == 1 {
		rows, err = p.conn.Query(ctx, pgOneHop, id)
	} else {
		rows, err = p.conn.Query(ctx, pgNeighborhood, id, depth)
	}
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return len(ids), err
}

func (p *postgres) ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error) {
	if err := p.connected(ctx); err != nil {
		return 0, err
	}
	var d int
	err := p.conn.QueryRow(ctx, pgShortestPath, from, to, maxDepth).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1, nil
	}
	return d, err
}

// pgBorrowed is the postgres system measured while its cluster stays up
// for postgres-edges; comparePostgres closes the cluster.
type pgBorrowed struct{ *postgres }

func (pgBorrowed) Close() error { return nil }

// postgresEdges asks the postgres system's cluster for the answer of
// Ties' edges shape (pgSubgraph): the same node ids, with the relations
// among them, so that the two can be compared on equal answers. Node ids
// are read as strings, as the postgres system reads them; relation rows
// are counted from their raw values (Ties' client skips its edges
// without decoding them too).
type postgresEdges struct {
	p         *postgres
	relations int
}

var (
	_ system          = (*postgresEdges)(nil)
	_ relationCounter = (*postgresEdges)(nil)
)

func (e *postgresEdges) Name() string { return "postgres-edges" }

// Close leaves the cluster to comparePostgres, which owns it.
func (e *postgresEdges) Close() error { return nil }

func (e *postgresEdges) lastRelations() (int, bool) { return e.relations, true }

func (e *postgresEdges) Neighborhood(ctx context.Context, id string, depth int) (int, error) {
	e.relations = 0
	if err := e.p.connected(ctx); err != nil {
		return 0, err
	}
	var rows pgx.Rows
	var err error
	if depth == 1 {
		rows, err = e.p.conn.Query(ctx, pgOneHopSubgraph, id)
	} else {
		rows, err = e.p.conn.Query(ctx, pgSubgraph, id, depth)
	}
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != 3 {
			return 0, fmt.Errorf("subgraph row of %d values, want 3", len(v))
		}
		if v[1] == nil {
			ids = append(ids, string(v[0]))
		} else {
			e.relations++
		}
	}
	return len(ids), rows.Err()
}

func (e *postgresEdges) ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error) {
	return e.p.ShortestPath(ctx, from, to, maxDepth)
}

// Explain returns the plan of a query with its timings, for BENCHMARKS.md.
func (p *postgres) Explain(ctx context.Context, query string, args ...any) (string, error) {
	rows, err := p.conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}

// Size returns the on-disk size of the database.
func (p *postgres) Size(ctx context.Context) (int64, error) {
	var n int64
	err := p.conn.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
	return n, err
}

func (p *postgres) Close() error {
	var buf bytes.Buffer
	if p.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := p.conn.Close(ctx); err != nil {
			buf.WriteString(err.Error())
		}
		cancel()
	}
	if err := p.cluster.Stop(); err != nil {
		return err
	}
	if buf.Len() > 0 {
		return errors.New(buf.String())
	}
	return nil
}
