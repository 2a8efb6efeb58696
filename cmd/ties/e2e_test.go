//go:build unix

package main

// End-to-end tests of the reliability promises, run against the real ties
// binary in separate processes: kill -9 at any moment must lose no
// acknowledged write and leave no partial import, an export must be one
// snapshot while writes go on, and hostile clients must not take the
// service down. They build the binary once and skip under -short.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
	"github.com/ties-graph/ties/store/storetest"
)

// e2eTimeout bounds every wait of these tests. It is generous on purpose:
// the tests must pass on a loaded two-core machine, and a wait that ends
// early is a failure, never a measurement.
const e2eTimeout = 2 * time.Minute

// binDir holds the binary the tests build; TestMain makes and removes it.
var binDir string

var tiesBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "ties")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// e2eBinary returns the ties binary, built once for all tests, or skips.
func e2eBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the ties binary; skipped with -short")
	}
	bin, err := tiesBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ties-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	pgtest.StopShared()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runTies runs one ties command to its end and returns its standard
// output; it fails the test unless the command succeeds.
func runTies(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, errOut, err := tryTies(bin, args...)
	if err != nil {
		t.Fatalf("ties %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func tryTies(bin string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// process is a ties command running in the background.
type process struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	done   chan struct{}
	err    error // set when done is closed
	url    string
	client *http.Client
}

func startTies(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{
		cmd:    exec.Command(bin, args...),
		logs:   &syncBuffer{},
		done:   make(chan struct{}),
		client: &http.Client{Timeout: e2eTimeout},
	}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.Env = append(os.Environ(), env...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill ends the process with SIGKILL and waits for it.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// stop ends the process with SIGTERM, as an operator would, and waits
// for its clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(e2eTimeout):
		t.Fatalf("ties did not stop on SIGINT\n%s", p.logs)
	}
	if p.err != nil {
		t.Fatalf("ties ended with %v\n%s", p.err, p.logs)
	}
}

// exited reports whether the process ended on its own.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// serveTies starts "ties serve" on dir and waits until /readyz answers.
func serveTies(t *testing.T, bin, dir string, env []string, args ...string) *process {
	t.Helper()
	p := startTies(t, bin, env, append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	deadline := time.Now().Add(e2eTimeout)
	for p.url == "" {
		if p.exited() {
			t.Fatalf("ties serve ended before it served: %v\n%s", p.err, p.logs)
		}
		if time.Now().After(deadline) {
			t.Fatalf("ties serve did not log its address\n%s", p.logs)
		}
		sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
		for sc.Scan() {
			var line struct{ Playground string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Playground != "" {
				p.url = strings.TrimSuffix(line.Playground, "/")
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The service listens before it opens the data directory, which after
	// a kill -9 includes recovery: /healthz answers at once.
	if resp, err := p.client.Get(p.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ties serve logged its address but /healthz did not answer 200: %v %v\n%s", err, resp, p.logs)
	} else {
		resp.Body.Close()
	}
	for {
		resp, err := p.client.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ties serve never became ready: %v\n%s", err, p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// query posts one GraphQL operation; err is set for a transport failure
// or a response with errors.
func (p *process) query(ctx context.Context, q string, vars map[string]any, into any) error {
	return storetest.Query(ctx, p.client, p.url+"/query", q, vars, into)
}

// dump is an NDJSON export read back: entity and relation ids and each
// relation's endpoints.
type dump struct {
	raw       []byte
	entities  map[string]bool
	relations map[string][2]string
}

func parseDump(t *testing.T, raw []byte) dump {
	t.Helper()
	d := dump{raw: raw, entities: map[string]bool{}, relations: map[string][2]string{}}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var rec struct{ Kind, ID string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		switch rec.Kind {
		case "entity":
			d.entities[rec.ID] = true
		case "relation":
			var ends struct{ From, To string }
			if err := json.Unmarshal(sc.Bytes(), &ends); err != nil {
				t.Fatalf("export line %q: %v", sc.Text(), err)
			}
			d.relations[rec.ID] = [2]string{ends.From, ends.To}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

// closed reports every relation of d whose endpoint is missing from d.
func (d dump) closed() error {
	for id, ends := range d.relations {
		for _, e := range ends {
			if !d.entities[e] {
				return fmt.Errorf("relation %s names %s, which the export lacks", id, e)
			}
		}
	}
	return nil
}

// exportDir dumps a data directory with "ties export" and checks it with
// "ties check".
func exportDir(t *testing.T, bin, dir string) dump {
	t.Helper()
	runTies(t, bin, "check", "--data", dir)
	return parseDump(t, runTies(t, bin, "export", "--data", dir))
}

// writeGraph writes an NDJSON file of n organisations, prefixed by
// prefix, and about 2n relations among them, as an import of that size
// would bring.
func writeGraph(t *testing.T, path, prefix string, n int, seed uint64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		fmt.Fprintf(w, `{"kind":"entity","id":"%s-%d","type":"Organization","name":"Organisation %s %d","description":"A generated organisation to give the import some weight.","properties":{"n":%d}}`+"\n", prefix, i, prefix, i, i)
	}
	for i := range 2 * n {
		a, b := r.IntN(n), r.IntN(n)
		fmt.Fprintf(w, `{"kind":"relation","id":"%s-r%d","type":"COOPERATES_WITH","from":"%s-%d","to":"%s-%d","properties":{"i":%d}}`+"\n", prefix, i, prefix, a, prefix, b, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestE2EAcknowledgedWritesSurviveKill kills a serving process at a random
// moment while mutations go on (upserts of entities and relations, and
// cascading deletes), and checks that every mutation it acknowledged is in
// the store afterwards. The one in flight at the kill may or may not be.
func TestE2EAcknowledgedWritesSurviveKill(t *testing.T) {
	bin := e2eBinary(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	dir := t.TempDir()

	// op is one mutation: an entity upsert, a relation upsert (with its
	// endpoints) or a cascading delete of an entity.
	type op struct {
		kind     string // "entity", "relation", "delete"
		id       string
		from, to string
	}
	for round := range 3 {
		srv := serveTies(t, bin, dir, nil)
		var (
			mu       sync.Mutex
			acked    []op
			inFlight op
		)
		send := func(ctx context.Context, o op) error {
			mu.Lock()
			inFlight = o
			mu.Unlock()
			var err error
			switch o.kind {
			case "entity":
				err = srv.query(ctx, `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { id } }`,
					map[string]any{"in": []map[string]any{{"id": o.id, "type": "Organization", "name": "Written " + o.id}}}, nil)
			case "relation":
				err = srv.query(ctx, `mutation($in: [RelationInput!]!) { upsertRelations(input: $in) { id } }`,
					map[string]any{"in": []map[string]any{{"id": o.id, "type": "COOPERATES_WITH", "from": o.from, "to": o.to}}}, nil)
			case "delete":
				err = srv.query(ctx, `mutation($ids: [ID!]!) { deleteEntities(ids: $ids, cascade: true) }`,
					map[string]any{"ids": []string{o.id}}, nil)
			}
			if err != nil {
				return err
			}
			mu.Lock()
			acked = append(acked, o)
			mu.Unlock()
			return nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := func(i int) string { return fmt.Sprintf("w%d-%d", round, i) }
			for i := 0; ctx.Err() == nil; i++ {
				if send(ctx, op{kind: "entity", id: name(i)}) != nil {
					return
				}
				if i > 0 && send(ctx, op{kind: "relation", id: "rel-" + name(i), from: name(i), to: name(i - 1)}) != nil {
					return
				}
				if i%4 == 3 && send(ctx, op{kind: "delete", id: name(i - 2)}) != nil {
					return
				}
			}
		}()
		// Wait for some writes, then a random while more, then kill.
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 5 {
				break
			}
			if srv.exited() {
				t.Fatalf("ties serve ended: %v\n%s", srv.err, srv.logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(r.IntN(500)) * time.Millisecond)
		srv.kill()
		cancel()
		wg.Wait()

		// What the acknowledged mutations leave, leaving out what the one
		// in flight touched.
		mu.Lock()
		entities, relations := map[string]bool{}, map[string]bool{}
		ends := map[string][2]string{}
		for _, o := range acked {
			switch o.kind {
			case "entity":
				entities[o.id] = true
			case "relation":
				relations[o.id] = true
				ends[o.id] = [2]string{o.from, o.to}
			case "delete":
				entities[o.id] = false
				for rel, e := range ends {
					if e[0] == o.id || e[1] == o.id {
						relations[rel] = false
					}
				}
			}
		}
		delete(entities, inFlight.id)
		delete(relations, inFlight.id)
		for rel, e := range ends {
			if inFlight.kind == "delete" && (e[0] == inFlight.id || e[1] == inFlight.id) {
				delete(relations, rel)
			}
		}
		n := len(acked)
		mu.Unlock()

		d := exportDir(t, bin, dir)
		for id, want := range entities {
			if d.entities[id] != want {
				t.Errorf("round %d: entity %s present %v after kill -9, acknowledged mutations say %v", round, id, d.entities[id], want)
			}
		}
		for id, want := range relations {
			if _, got := d.relations[id]; got != want {
				t.Errorf("round %d: relation %s present %v after kill -9, acknowledged mutations say %v", round, id, got, want)
			}
		}
		if err := d.closed(); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		t.Logf("round %d: %d acknowledged mutations survived", round, n)
		if t.Failed() {
			return
		}
	}
	// The directory serves again and is whole after a clean stop.
	srv := serveTies(t, bin, dir, nil)
	srv.stop(t)
	runTies(t, bin, "check", "--data", dir)
}

// walBytes is the disk space badger's write-ahead logs in dir take. They
// are preallocated as sparse files, so it grows as writes reach them.
func walBytes(dir string) int64 {
	m, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	var n int64
	for _, name := range m {
		if fi, err := os.Stat(name); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			}
		}
	}
	return n
}

// importStage is a point an import reaches on its way, seen from outside
// the process; base is the write-ahead log's size when the batch began.
type importStage func(dir string, base int64) bool

// The stages the import tests kill at: badger has taken 8 MiB of the
// batch into its write-ahead log (a store that holds data); the batch has
// spilled sorted runs into the directory, or streams tables into badger
// (a new store).
var (
	stageWAL  = func(dir string, base int64) bool { return walBytes(dir) >= base+8<<20 }
	stageRuns = func(dir string, _ int64) bool {
		m, _ := filepath.Glob(filepath.Join(dir, "bulk-*", "run-*"))
		return len(m) > 0
	}
	// A stream adds each table to badger's manifest once written, so by
	// the fourth file some are part of the store.
	stageTables = func(dir string, _ int64) bool {
		m, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
		return len(m) >= 4
	}
)

// killImport runs "ties import" of file into dir and kills it with SIGKILL
// once its batch has begun (the pending marker in KVSTATE) and reached
// stage, and delay has passed. It reports false when the import finished
// before it could be killed.
func killImport(t *testing.T, bin, dir, file string, stage importStage, delay time.Duration) bool {
	t.Helper()
	p := startTies(t, bin, nil, "import", "--data", dir, file)
	deadline := time.Now().Add(e2eTimeout)
	var base int64
	for {
		if p.exited() {
			if p.err != nil {
				t.Fatalf("ties import failed: %v\n%s", p.err, p.logs)
			}
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("ties import never reached the stage to kill it at\n%s", p.logs)
		}
		state, _ := os.ReadFile(filepath.Join(dir, "KVSTATE"))
		if !bytes.Contains(state, []byte("pending ")) {
			base = walBytes(dir)
		} else if stage(dir, base) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(delay)
	if p.exited() {
		return false
	}
	p.kill()
	return true
}

// TestE2EImportKilled kills "ties import" half-way, into a store that
// holds data and into a new directory, and checks that the store is as it
// was before the import: the same export byte for byte, a clean check, no
// runs left behind, and a directory that takes the next import. A new
// directory whose import was killed never held data, so ties serve loads
// the founding data into it, as into any new directory.
func TestE2EImportKilled(t *testing.T) {
	bin := e2eBinary(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	files := t.TempDir()
	big := filepath.Join(files, "big.ndjson")
	writeGraph(t, big, "big", 60000, seed)
	// Enough to pass 8 MiB of write-ahead log into a store with data.
	mid := filepath.Join(files, "mid.ndjson")
	writeGraph(t, mid, "mid", 25000, seed+3)
	small := filepath.Join(files, "small.ndjson")
	writeGraph(t, small, "small", 500, seed+1)
	after := filepath.Join(files, "after.ndjson")
	writeGraph(t, after, "after", 100, seed+2)

	for _, tc := range []struct {
		name     string
		existing bool // the store holds data before the import
		file     string
		stage    importStage
		maxDelay int  // milliseconds
		wantHole bool // badger has part of the batch when it is killed
	}{
		{"IntoData", true, mid, stageWAL, 300, true},
		{"IntoNewDirectory/Spilling", false, big, stageRuns, 300, false},
		{"IntoNewDirectory/Streaming", false, big, stageTables, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			delay := time.Duration(r.IntN(tc.maxDelay+1)) * time.Millisecond
			var dir string
			var before dump
			for {
				dir = filepath.Join(t.TempDir(), "data")
				if tc.existing {
					runTies(t, bin, "import", "--data", dir, small)
					before = exportDir(t, bin, dir)
				}
				if killImport(t, bin, dir, tc.file, tc.stage, delay) {
					break
				}
				if delay == 0 {
					t.Fatal("ties import finished before it could be killed: make the file larger")
				}
				delay /= 2
			}
			killed, _ := os.ReadFile(filepath.Join(dir, "KVSTATE"))
			got := exportDir(t, bin, dir)
			state, _ := os.ReadFile(filepath.Join(dir, "KVSTATE"))
			t.Logf("killed %v after the stage; KVSTATE then %q, after recovery %q", delay, killed, state)
			if tc.existing && !bytes.Equal(got.raw, before.raw) {
				t.Errorf("export after the killed import differs from the one before: %d entities and %d relations, want %d and %d",
					len(got.entities), len(got.relations), len(before.entities), len(before.relations))
			}
			if !tc.existing && (len(got.entities) != 0 || len(got.relations) != 0) {
				t.Errorf("export after the killed import into a new directory: %d entities and %d relations, want none",
					len(got.entities), len(got.relations))
			}
			if tc.wantHole && !bytes.Contains(state, []byte("hole ")) {
				t.Errorf("no rolled-back range recorded: the kill did not meet a partly written batch")
			}
			if m, _ := filepath.Glob(filepath.Join(dir, "bulk-*")); len(m) != 0 {
				t.Errorf("runs of the killed import left behind: %v", m)
			}
			want := len(before.entities)
			if !tc.existing {
				srv := serveTies(t, bin, dir, nil)
				var stats struct{ Stats struct{ Entities int } }
				if err := srv.query(context.Background(), `{ stats { entities } }`, nil, &stats); err != nil {
					t.Fatal(err)
				}
				if stats.Stats.Entities == 0 {
					t.Errorf("ties serve did not load the founding data into a directory whose only import was killed")
				}
				srv.stop(t)
				want = stats.Stats.Entities
			}
			runTies(t, bin, "import", "--data", dir, after)
			if got := exportDir(t, bin, dir); len(got.entities) != want+100 {
				t.Errorf("after the next import: %d entities, want %d", len(got.entities), want+100)
			}
		})
	}
}

// TestE2EExportWhileWriting streams exports from a running service, read
// slowly, while mutations add and delete entities with their relations,
// and checks that each export is one snapshot: every relation's endpoints
// are in it, and its counts are those of stats at the same asOf. The
// service must keep answering queries meanwhile.
func TestE2EExportWhileWriting(t *testing.T) {
	bin := e2eBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	graphFile := filepath.Join(t.TempDir(), "graph.ndjson")
	writeGraph(t, graphFile, "org", 10000, 4)
	runTies(t, bin, "import", "--data", dir, graphFile)
	// A loaded machine must not turn a slow mutation into a failure.
	srv := serveTies(t, bin, dir, nil, "--timeout", "2m")
	ctx := context.Background()

	// The writer adds an entity tied to the previous one, and now and then
	// deletes an older one with its relations, each mutation one batch.
	wctx, stopWriting := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var writes atomic.Int64
	var writeErr atomic.Pointer[error]
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; wctx.Err() == nil; i++ {
			id := fmt.Sprintf("x-%d", i)
			err := srv.query(wctx, `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { id } }`,
				map[string]any{"in": []map[string]any{{"id": id, "type": "Organization", "name": "X " + id}}}, nil)
			if err == nil {
				err = srv.query(wctx, `mutation($in: [RelationInput!]!) { upsertRelations(input: $in) { id } }`,
					map[string]any{"in": []map[string]any{
						{"id": "xr-" + id, "type": "COOPERATES_WITH", "from": id, "to": fmt.Sprintf("org-%d", i%10000)},
					}}, nil)
			}
			if err == nil && i%3 == 2 {
				err = srv.query(wctx, `mutation($ids: [ID!]!) { deleteEntities(ids: $ids, cascade: true) }`,
					map[string]any{"ids": []string{fmt.Sprintf("x-%d", i-2), fmt.Sprintf("org-%d", i)}}, nil)
			}
			if err != nil {
				if wctx.Err() == nil {
					writeErr.Store(&err)
				}
				return
			}
			writes.Add(1)
		}
	}()

	// export reads GET /export slowly, asking a query of the service
	// between chunks, and returns what it read.
	export := func(query string) []byte {
		t.Helper()
		resp, err := srv.client.Get(srv.url + "/export" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("export: status %d: %s", resp.StatusCode, b)
		}
		var out bytes.Buffer
		buf := make([]byte, 32<<10)
		for chunk := 0; ; chunk++ {
			n, err := resp.Body.Read(buf)
			out.Write(buf[:n])
			if errors.Is(err, io.EOF) {
				return out.Bytes()
			}
			if err != nil {
				t.Fatalf("export: %v after %d bytes", err, out.Len())
			}
			if chunk%20 == 0 {
				if err := srv.query(ctx, `{ entity(id: "org-1") { id } }`, nil, nil); err != nil {
					t.Fatalf("query during an export: %v", err)
				}
			}
			time.Sleep(time.Millisecond)
		}
	}

	// The writer must be under way before the first export.
	for deadline := time.Now().Add(e2eTimeout); writes.Load() < 3; {
		if time.Now().After(deadline) || srv.exited() {
			t.Fatalf("no mutation went through: %v\n%s", writeErr.Load(), srv.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// At the latest commit, and at an asOf of the present compared with
	// stats at the same asOf, asked after the export: commits go on in
	// between, so the two agree only if a read at an instant repeats.
	for round := range 2 {
		start := writes.Load()
		d := parseDump(t, export(""))
		if err := d.closed(); err != nil {
			t.Errorf("export at the latest commit, round %d: %v", round, err)
		}
		asOf := time.Now().UTC().Format(time.RFC3339Nano)
		d = parseDump(t, export("?asOf="+asOf))
		if err := d.closed(); err != nil {
			t.Errorf("export asOf %s: %v", asOf, err)
		}
		var stats struct {
			Stats struct{ Entities, Relations int }
		}
		if err := srv.query(ctx, `query($t: DateTime) { stats(asOf: $t) { entities relations } }`, map[string]any{"t": asOf}, &stats); err != nil {
			t.Fatal(err)
		}
		if got, want := [2]int{len(d.entities), len(d.relations)}, [2]int{stats.Stats.Entities, stats.Stats.Relations}; got != want {
			t.Errorf("export asOf %s holds %v entities and relations, stats at the same asOf %v", asOf, got, want)
		}
		t.Logf("round %d: %d mutations during the exports", round, writes.Load()-start)
	}
	stopWriting()
	wg.Wait()
	if err := writeErr.Load(); err != nil {
		t.Errorf("a mutation failed during the exports: %v", *err)
	}
	srv.stop(t)
	runTies(t, bin, "check", "--data", dir)
}

// TestE2EHostileClients sends a running service, all at once, uploads
// that trickle and then break off, uploads cut short, exports abandoned
// after a few bytes, and queries that are too deep, too large or too
// costly, while a prober checks that it keeps answering. Afterwards the
// data must be as before, no spooled upload left behind, and the
// directory whole.
func TestE2EHostileClients(t *testing.T) {
	bin := e2eBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	spool := t.TempDir()
	srv := serveTies(t, bin, dir, []string{"TMPDIR=" + spool})
	ctx := context.Background()
	host := strings.TrimPrefix(srv.url, "http://")

	get := func(path string) ([]byte, int, error) {
		resp, err := srv.client.Get(srv.url + path)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return b, resp.StatusCode, err
	}
	before, status, err := get("/export")
	if err != nil || status != http.StatusOK {
		t.Fatalf("export before: status %d, %v", status, err)
	}

	// raw sends a request by hand, so that it can stall and break off.
	raw := func(head string, body func(c net.Conn) error) error {
		c, err := net.Dial("tcp", host)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := io.WriteString(c, head); err != nil {
			return err
		}
		return body(c)
	}
	const abandonedSize = 3000
	line := `{"kind":"entity","id":"intruder","type":"Organization","name":"Never imported"}` + "\n"
	deep := strings.Repeat(`relations { edges { neighbor { `, 200) + "id" + strings.Repeat(" } } }", 200)
	hostile := []struct {
		name string
		n    int
		run  func(i int) error
	}{
		{"TrickledUpload", 20, func(i int) error {
			return raw(fmt.Sprintf("POST /import HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-ndjson\r\nContent-Length: 10000000\r\n\r\n", host),
				func(c net.Conn) error {
					for range 20 {
						if _, err := io.WriteString(c, line); err != nil {
							return nil // the server may hang up: fine
						}
						time.Sleep(50 * time.Millisecond)
					}
					return nil
				})
		}},
		{"BrokenChunkedUpload", 20, func(i int) error {
			return raw(fmt.Sprintf("POST /import?name=cut%d HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n", i, host),
				func(c net.Conn) error {
					_, err := fmt.Fprintf(c, "%x\r\n%s\r\n%x\r\n%s", len(line), line, len(line), line[:20])
					return err
				})
		}},
		{"BrokenMultipartUpload", 10, func(i int) error {
			return raw(fmt.Sprintf("POST /import HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n", host),
				func(c net.Conn) error {
					_, err := io.WriteString(c, "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.ndjson\"\r\n\r\n"+line+"\r\n--XX\r\nContent-Disposition: form-data; name=\"g\"; filename=\"b.ndjson\"\r\n\r\n"+line[:30])
					return err
				})
		}},
		{"AbandonedImport", 5, func(i int) error {
			// A whole upload whose client leaves without the answer: the
			// import is loaded whole or not at all.
			var body bytes.Buffer
			for k := range abandonedSize {
				fmt.Fprintf(&body, `{"kind":"entity","id":"zz-abandoned-%d-%d","type":"Organization","name":"Abandoned %d"}`+"\n", i, k, k)
				if k > 0 {
					fmt.Fprintf(&body, `{"kind":"relation","id":"zz-abandoned-%d-r%d","type":"COOPERATES_WITH","from":"zz-abandoned-%d-%d","to":"zz-abandoned-%d-%d"}`+"\n", i, k, i, k, i, k-1)
				}
			}
			return raw(fmt.Sprintf("POST /import HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n", host, body.Len()),
				func(c net.Conn) error {
					_, err := c.Write(body.Bytes())
					return err
				})
		}},
		{"AbandonedExport", 20, func(i int) error {
			formats := []string{"ndjson", "json", "csv", "graphml", "gexf", "dot"}
			return raw(fmt.Sprintf("GET /export?format=%s HTTP/1.1\r\nHost: %s\r\n\r\n", formats[i%len(formats)], host),
				func(c net.Conn) error {
					_, err := c.Read(make([]byte, 100))
					return err
				})
		}},
		{"DeepQuery", 10, func(i int) error {
			return srv.query(ctx, `{ entity(id: "enschede") { `+deep+` } }`, nil, nil)
		}},
		{"HugeQuery", 5, func(i int) error {
			return srv.query(ctx, "{ "+strings.Repeat(`a: stats { entities } `, 100000)+"}", nil, nil)
		}},
		{"ManyAliases", 10, func(i int) error {
			var b strings.Builder
			b.WriteString("{ ")
			for j := range 300 {
				fmt.Fprintf(&b, "a%d: neighborhood(id: \"enschede\", depth: 10) { truncated } ", j)
			}
			b.WriteString("}")
			return srv.query(ctx, b.String(), nil, nil)
		}},
		{"CostlyQuery", 10, func(i int) error {
			return srv.query(ctx, `{ n: neighborhood(id: "enschede", depth: 10, limit: 10000) { nodes { id } edges { id } } c: centrality(measure: BETWEENNESS, first: 1000) { sampled } p: allPaths(from: "enschede", to: "dalian", maxDepth: 6, limit: 10000) { truncated paths { cost } } }`, nil, nil)
		}},
		{"ExpensiveQuery", 10, func(i int) error {
			return srv.query(ctx, `{ n: neighborhood(id: "enschede", depth: 10, limit: 2000) { nodes { id } } c: centrality(measure: BETWEENNESS, first: 100) { sampled } p: allPaths(from: "enschede", to: "dalian", maxDepth: 6, limit: 100) { truncated } }`, nil, nil)
		}},
	}

	// The prober asks for health and a small query until the storm ends.
	stormOver := make(chan struct{})
	probeErr := make(chan error, 1)
	var probes atomic.Int64
	go func() {
		defer close(probeErr)
		for {
			select {
			case <-stormOver:
				return
			default:
			}
			if _, status, err := get("/healthz"); err != nil || status != http.StatusOK {
				probeErr <- fmt.Errorf("/healthz during the storm: status %d, %v", status, err)
				return
			}
			if err := srv.query(ctx, `{ entity(id: "enschede") { name } }`, nil, nil); err != nil {
				probeErr <- fmt.Errorf("query during the storm: %v", err)
				return
			}
			probes.Add(1)
			time.Sleep(20 * time.Millisecond)
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]map[string]int{}
	for _, h := range hostile {
		outcomes[h.name] = map[string]int{}
		for i := range h.n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := h.run(i)
				msg := "ok"
				if err != nil {
					msg = err.Error()
					if len(msg) > 80 {
						msg = msg[:80]
					}
				}
				mu.Lock()
				outcomes[h.name][msg]++
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	close(stormOver)
	if err := <-probeErr; err != nil {
		t.Error(err)
	}
	for name, o := range outcomes {
		t.Logf("%s: %v", name, o)
	}
	t.Logf("%d probes answered during the storm", probes.Load())
	if o := outcomes["DeepQuery"]; o["ok"] > 0 {
		t.Errorf("a query 600 levels deep was answered: %v", o)
	}

	if _, status, err := get("/healthz"); err != nil || status != http.StatusOK {
		t.Fatalf("/healthz after the storm: status %d, %v\n%s", status, err, srv.logs)
	}
	after, status, err := get("/export")
	if err != nil || status != http.StatusOK {
		t.Fatalf("export after: status %d, %v", status, err)
	}
	// The abandoned imports went in whole or not at all; apart from them,
	// nothing changed.
	abandoned := map[string]int{}
	var rest bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(after))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		l := sc.Text()
		if i := strings.Index(l, `"id":"zz-abandoned-`); i >= 0 {
			upload, _, _ := strings.Cut(l[i+len(`"id":"zz-abandoned-`):], "-")
			abandoned[upload]++
			continue
		}
		rest.WriteString(l + "\n")
	}
	for upload, n := range abandoned {
		if n != 2*abandonedSize-1 {
			t.Errorf("abandoned import %s left %d of its %d records", upload, n, 2*abandonedSize-1)
		}
	}
	t.Logf("%d of the abandoned imports went in", len(abandoned))
	if !bytes.Equal(rest.Bytes(), before) {
		t.Errorf("the data changed under hostile clients: export of %d bytes, %d before", rest.Len(), len(before))
	}
	// Spooled uploads are removed once their handlers see the break.
	for deadline := time.Now().Add(e2eTimeout); ; {
		left, _ := os.ReadDir(spool)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("spooled uploads left behind: %d files, such as %s", len(left), left[0].Name())
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.stop(t)
	// What hostile clients do is their doing: the service logs no error.
	for _, l := range strings.Split(srv.logs.String(), "\n") {
		if strings.Contains(l, `"level":"ERROR"`) {
			t.Errorf("logged under hostile clients: %s", l)
		}
	}
	runTies(t, bin, "check", "--data", dir)
}

// TestE2EServeKilledDuringImport kills a service while it loads an upload
// to POST /import, once badger holds part of the batch: the next open must
// roll the batch back.
func TestE2EServeKilledDuringImport(t *testing.T) {
	bin := e2eBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	big := filepath.Join(t.TempDir(), "big.ndjson")
	writeGraph(t, big, "big", 25000, 5)
	srv := serveTies(t, bin, dir, nil)
	srv.stop(t)
	before := exportDir(t, bin, dir)
	srv = serveTies(t, bin, dir, nil)

	f, err := os.Open(big)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	uploaded := make(chan error, 1)
	go func() {
		resp, err := srv.client.Post(srv.url+"/import", "application/x-ndjson", f)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			err = fmt.Errorf("the import answered before the kill: status %d: %s", resp.StatusCode, b)
		}
		uploaded <- err
	}()
	var base int64
	for deadline := time.Now().Add(e2eTimeout); ; {
		if time.Now().After(deadline) || srv.exited() {
			t.Fatalf("the import never reached badger\n%s", srv.logs)
		}
		state, _ := os.ReadFile(filepath.Join(dir, "KVSTATE"))
		if !bytes.Contains(state, []byte("pending ")) {
			base = walBytes(dir)
		} else if stageWAL(dir, base) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	srv.kill()
	if err := <-uploaded; err != nil && strings.Contains(err.Error(), "answered before the kill") {
		t.Fatal(err)
	}
	if got := exportDir(t, bin, dir); !bytes.Equal(got.raw, before.raw) {
		t.Errorf("export after the service was killed during an import: %d entities and %d relations, want %d and %d",
			len(got.entities), len(got.relations), len(before.entities), len(before.relations))
	}
	// The killed service left its spooled copy of the upload in the data
	// directory; the next start removes it.
	if left, _ := os.ReadDir(filepath.Join(dir, "uploads")); len(left) == 0 {
		t.Errorf("no spooled upload in %s/uploads after the kill: is the service spooling elsewhere?", dir)
	}
	srv = serveTies(t, bin, dir, nil)
	if left, _ := os.ReadDir(filepath.Join(dir, "uploads")); len(left) != 0 {
		t.Errorf("the restarted service kept %d spooled uploads of the killed one", len(left))
	}
	srv.stop(t)
	if got := exportDir(t, bin, dir); !bytes.Equal(got.raw, before.raw) {
		t.Errorf("export after a restart differs from the one before the import")
	}
}
