package main

import (
	"context"
	"log/slog"

	"github.com/ties-graph/ties/store"
)

// compareTiesPostgres measures Ties on its PostgreSQL backend: the graph
// loaded the same way as into badger, into a throwaway cluster with the
// settings of the postgres system, then the same queries in process
// (ties-pg) and over loopback HTTP (ties-pg-http).
func compareTiesPostgres(ctx context.Context, log *slog.Logger, o compareOptions, work workload, rep *Report) error {
	bin, err := findPostgres(o.pgBin)
	if err != nil {
		return err
	}
	cluster, err := startPostgres(ctx, log, bin, o.pgShared, o.keep)
	if err != nil {
		return err
	}
	defer cluster.Stop()
	s, err := store.OpenPostgres(ctx, cluster.DSN("postgres"), store.Options{Logger: log})
	if err != nil {
		return err
	}
	s, load, err := loadInto(ctx, log, s, "PostgreSQL", o.cfg, o.loadVia, o.batch)
	if err != nil {
		return err
	}
	defer s.Close()
	rep.TiesPGLoad = load
	if o.wants("ties-pg") {
		rep.Systems = append(rep.Systems, measure(ctx, log, &tiesStore{s: s, limit: o.limit, name: "ties-pg"}, load, o, work))
	}
	if o.wants("ties-pg-http") {
		sys, err := serveHTTPSystem(log, s, o, "ties-pg-http", gqlNeighborhood)
		if err != nil {
			return err
		}
		rep.Systems = append(rep.Systems, measure(ctx, log, sys, load, o, work))
	}
	return ctx.Err()
}
