package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// writeMarkdown prints the comparison as the tables BENCHMARKS.md holds.
func writeMarkdown(w io.Writer, rep *Report) {
	m := rep.Machine
	fmt.Fprintf(w, "### %s relations, %s entities (seed %d)\n\n", count(rep.Graph.Relations), count(rep.Entities), rep.Graph.Seed)
	fmt.Fprintf(w, "Taken %s on %d × %s, %s RAM, %s, Linux %s; load average %s at the start, %s at the end; run took %s.\n",
		rep.Date.Format("2006-01-02 15:04 MST"), m.CPUs, m.CPU, m.MemTotal, m.GoVersion, m.Kernel, m.LoadAvg, rep.LoadAvgEnd, rep.Elapsed.Round(time.Second))
	warm := fmt.Sprintf("%d untimed warm-up queries", rep.Warmup)
	if rep.WarmSame {
		warm += " and an untimed pass of the same queries (warm caches)"
	}
	fmt.Fprintf(w, "%d timed queries per kind after %s; relations followed in both directions; neighbourhoods capped at %d nodes; paths up to %d relations.\n\n",
		rep.Queries, warm, rep.Limit, rep.MaxDepth)

	var cols []*SystemReport
	for i := range rep.Systems {
		if rep.Systems[i].Skipped == "" {
			cols = append(cols, &rep.Systems[i])
		}
	}
	if len(cols) > 0 {
		fmt.Fprintf(w, "Latency, median / p99 in milliseconds:\n\n")
		header(w, "query", cols, func(s *SystemReport) string { return s.Name })
		row(w, "load", cols, func(s *SystemReport) string {
			if s.Load == 0 {
				return ""
			}
			return fmt.Sprintf("%.1f s", s.Load.Seconds())
		})
		for _, k := range queryKinds {
			row(w, k.Name, cols, func(s *SystemReport) string {
				q, ok := s.Queries[k.Name]
				switch {
				case !ok:
					return "—"
				case q.N == 0 && q.Errors > 0:
					return fmt.Sprintf("all %d failed", q.Errors)
				case q.N == 0:
					return "—"
				}
				cell := ms(q.Median) + " / " + ms(q.P99)
				if q.Errors > 0 {
					cell += fmt.Sprintf(" (+%d failed)", q.Errors)
				}
				return cell
			})
		}
		fmt.Fprintln(w)
	}

	type pair struct{ a, b string }
	var pairs []pair
	for _, p := range []pair{{"ties", "memory"}, {"ties-heads", "memory"}, {"ties-reader", "memory"}, {"ties-http", "postgres"}, {"ties-http-nodes", "postgres"}, {"ties-http-edges", "postgres"}, {"ties-http-nodelink", "postgres"}, {"ties-http-edges", "postgres-edges"}, {"ties-http-edge-ids", "postgres-edges"}, {"ties-http-nodelink", "postgres-edges"}, {"postgres", "memory"}, {"ties-pg", "ties"}, {"ties-pg-http", "ties-http"}, {"ties-pg-http", "postgres"}} {
		if find(rep, p.a) != nil && find(rep, p.b) != nil {
			pairs = append(pairs, p)
		}
	}
	if len(pairs) > 0 {
		fmt.Fprintf(w, "Ratios, median / p99 (below 1x means the first is faster):\n\n")
		fmt.Fprintf(w, "| query |")
		for _, p := range pairs {
			fmt.Fprintf(w, " %s / %s |", p.a, p.b)
		}
		fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(pairs)))
		for _, k := range queryKinds {
			fmt.Fprintf(w, "| %s |", k.Name)
			for _, p := range pairs {
				a, b := find(rep, p.a).Queries[k.Name], find(rep, p.b).Queries[k.Name]
				fmt.Fprintf(w, " %s / %s |", ratio(a.Median, b.Median), ratio(a.P99, b.P99))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}

	if len(cols) > 0 {
		fmt.Fprintf(w, "Median answer (entities within the depth, the start included, and the relations among them where the answer holds them; relations on the path), and answers that failed, were truncated, differ from the in-memory floor, or differ in relations from postgres-edges:\n\n")
		header(w, "query", cols, func(s *SystemReport) string { return s.Name })
		for _, k := range queryKinds {
			row(w, k.Name, cols, func(s *SystemReport) string {
				q, ok := s.Queries[k.Name]
				if !ok {
					return "—"
				}
				cell := fmt.Sprint(q.MedianResult)
				if q.relations != nil {
					cell += fmt.Sprintf(" + %d relations", q.MedianRelations)
				}
				if q.N == 0 {
					cell = "—"
				}
				var notes []string
				if q.Errors > 0 {
					notes = append(notes, fmt.Sprintf("%d failed", q.Errors))
				}
				if q.Truncated > 0 {
					notes = append(notes, fmt.Sprintf("%d truncated", q.Truncated))
				}
				if q.Mismatches > 0 {
					notes = append(notes, fmt.Sprintf("%d differ", q.Mismatches))
				}
				if q.RelationMismatches > 0 {
					notes = append(notes, fmt.Sprintf("%d differ in relations", q.RelationMismatches))
				}
				if len(notes) > 0 {
					cell += " (" + strings.Join(notes, ", ") + ")"
				}
				return cell
			})
		}
		fmt.Fprintln(w)
	}

	var mem []string
	for _, m := range []struct {
		what  string
		bytes int64
	}{
		{"Ties benchmark process peak RSS (load and queries, VmHWM)", rep.TiesRSS},
		{"Ties server peak RSS (VmHWM)", rep.ServerRSS},
		{"Ties data directory", rep.TiesDisk},
		{"PostgreSQL processes (Pss)", rep.PGRSS},
		{"PostgreSQL database", rep.PGDisk},
		{"adjacency array", rep.CSRBytes},
	} {
		if m.bytes > 0 { // not measured in this run
			mem = append(mem, m.what+" "+mib(m.bytes))
		}
	}
	if len(mem) > 0 {
		fmt.Fprintf(w, "Memory and disk: %s.\n\n", strings.Join(mem, "; "))
	}
	for i := range rep.Systems {
		s := &rep.Systems[i]
		if s.Skipped != "" {
			fmt.Fprintf(w, "%s was skipped: %s\n\n", s.Name, s.Skipped)
		}
		for _, k := range queryKinds {
			if q := s.Queries[k.Name]; q.FirstError != "" {
				fmt.Fprintf(w, "%s %s, first error: %s\n\n", s.Name, k.Name, q.FirstError)
			}
		}
	}
	for _, k := range queryKinds {
		if plan, ok := rep.Explain[k.Name]; ok {
			fmt.Fprintf(w, "PostgreSQL plan, %s:\n\n```\n%s\n```\n\n", k.Name, plan)
		}
	}
}

func find(rep *Report, name string) *SystemReport {
	for i := range rep.Systems {
		if rep.Systems[i].Name == name && rep.Systems[i].Skipped == "" {
			return &rep.Systems[i]
		}
	}
	return nil
}

func header(w io.Writer, first string, cols []*SystemReport, name func(*SystemReport) string) {
	fmt.Fprintf(w, "| %s |", first)
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", name(c))
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(cols)))
}

func row(w io.Writer, first string, cols []*SystemReport, cell func(*SystemReport) string) {
	fmt.Fprintf(w, "| %s |", first)
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", cell(c))
	}
	fmt.Fprintln(w)
}

// count formats 1000000 as 1M and 100000 as 100k.
func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}
