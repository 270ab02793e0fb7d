package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indexpilot/indexpilot-telemetry/internal/bench"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const benchHelp = `Usage: indexpilot-analytics bench [flags]

Measures, in one run and with one load generator (in this process; each
server runs as a child process on loopback):
  noop       a Go handler that only decodes the JSON (the ceiling)
  seed       the baseline design on PostgreSQL: INSERT + JSONB aggregate upsert per report
  pg         this service on PostgreSQL: closed-loop throughput, peak RSS
  pg-retry50 the same with half the requests retries (a report the connection sent before,
             byte for byte), as after an outage: compare its rate with pg's
  pg-rate    this service on PostgreSQL at a fixed rate: p99 acknowledgement latency
  sqlite     this service on SQLite: closed-loop throughput
  dashboard  stats and trends latency with --dashboard-reports stored reports
  insights   the insights endpoints' latency with --dashboard-reports reports of a simulated fleet
  releases   release health and anomalies latency, on as many reports with releases
  storage    bytes per stored report with its indexes, --storage-reports of a simulated fleet
  scale      at --scale-reports stored reports against the fleet's first 100,000: dashboard p95,
             ingest, retention of a day's partition, bytes per report (not in the default --only);
             each size is measured after a VACUUM ANALYZE, as autovacuum keeps a live database
Each PostgreSQL case runs in a fresh database, dropped afterwards, except the
scale case with --scale-database NAME: it builds NAME (without the retention
step) and keeps it, and when NAME already exists it only times the dashboard
on it again as it is (no seed round, build, ingest or retention); drop it
yourself (DROP DATABASE NAME).

Flags:
`

func (c cli) bench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(c.err)
	fs.Usage = func() { fmt.Fprint(fs.Output(), benchHelp); fs.PrintDefaults() }
	pgAdmin := os.Getenv("INDEXPILOT_TEST_POSTGRES")
	if pgAdmin == "" {
		pgAdmin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin := fs.String("postgres", pgAdmin, "PostgreSQL server to create benchmark databases on ($INDEXPILOT_TEST_POSTGRES)")
	dur := fs.Duration("duration", 30*time.Second, "length of each throughput run")
	conns := fs.Int("connections", 32, "concurrent connections of the closed-loop runs")
	rate := fs.Int("rate", 5000, "requests per second of the fixed-rate run")
	warmup := fs.Duration("warmup", 5*time.Second, "unmeasured lead-in of the fixed-rate run (connections open, caches fill)")
	dashN := fs.Int("dashboard-reports", 1_000_000, "reports stored before timing the dashboard")
	queries := fs.Int("queries", 200, "dashboard requests timed per endpoint")
	storageN := fs.Int("storage-reports", 250000, "reports of a simulated fleet stored by the storage case")
	scaleN := fs.Int("scale-reports", 10_000_000, "reports stored by the scale case")
	scaleDB := fs.String("scale-database", "", "keep the scale case's database under this name, and measure it again when it exists (see above)")
	only := fs.String("only", "noop,seed,pg,pg-retry50,pg-rate,sqlite,dashboard", "comma-separated cases to run")
	load := fs.String("load", "auto", "closed-loop load generator: wrk (as the peer figures in BENCHMARKS.md used), go (built in), or auto (wrk when installed)")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &benchRun{log: c.err, admin: *admin, dur: *dur, conns: *conns, rate: *rate, warmup: *warmup, dashN: *dashN, queries: *queries,
		storageN: *storageN, scaleN: *scaleN, scaleDB: *scaleDB, wrk: *load == "wrk"}
	switch {
	case *load == "auto":
		b.wrk = bench.WrkAvailable()
	case *load == "wrk" && !bench.WrkAvailable():
		fmt.Fprintln(c.err, "bench: --load wrk needs wrk on PATH (Debian: apt-get install wrk)")
		return exitUsage
	case *load != "wrk" && *load != "go":
		fmt.Fprintln(c.err, "bench: --load must be wrk, go or auto")
		return exitUsage
	}
	cases := map[string]func(context.Context) error{
		"noop": b.noop, "seed": b.seed, "pg": b.pg, "pg-retry50": b.pgRetry50, "pg-rate": b.pgRate, "sqlite": b.sqlite, "dashboard": b.dashboard,
		"insights": b.insights,
		"releases": b.releases, "storage": b.storage, "scale": b.scale,
	}
	for _, name := range strings.Split(*only, ",") {
		fn, ok := cases[name]
		if !ok {
			fmt.Fprintf(c.err, "bench: unknown case %q\n", name)
			return exitUsage
		}
		b.logf("== %s", name)
		if err := fn(ctx); err != nil {
			fmt.Fprintf(c.err, "bench %s: %v\n", name, err)
			return exitError
		}
	}
	b.print(c.out)
	return exitOK
}

// logf writes one line of progress.
func (b *benchRun) logf(format string, args ...any) { fmt.Fprintf(b.log, format+"\n", args...) }

type benchRow struct{ name, figures string }

type benchRun struct {
	log            io.Writer // progress
	wrk            bool      // closed loops with wrk instead of the built-in generator
	admin          string
	dur            time.Duration
	conns, rate    int
	warmup         time.Duration
	dashN, queries int
	storageN       int    // reports of the storage case
	scaleN         int    // reports of the scale case
	scaleDB        string // the scale case's kept database ("": a fresh one, dropped)
	rows           []benchRow
}

func (b *benchRun) add(name, figures string) {
	b.logf("%s: %s", name, figures)
	b.rows = append(b.rows, benchRow{name, figures})
}

func (b *benchRun) print(w io.Writer) {
	pgVersion := "?"
	if out, err := exec.Command("psql", b.admin, "-Atc", "SHOW server_version").Output(); err == nil {
		pgVersion = strings.TrimSpace(string(out))
	}
	gen := "the built-in Go generator"
	if b.wrk {
		gen = "wrk -t2"
	}
	fmt.Fprintf(w, "\nMachine: %d CPUs, %s, PostgreSQL %s; closed loops: %s with %d connections, %s each; load generator, servers and PostgreSQL on the same machine, loopback.\n\n",
		runtime.NumCPU(), runtime.Version(), pgVersion, gen, b.conns, b.dur)
	fmt.Fprintln(w, "| case | figures |\n|---|---|")
	for _, r := range b.rows {
		fmt.Fprintf(w, "| %s | %s |\n", r.name, r.figures)
	}
}

// closed runs one closed-loop load of fresh reports against t with the
// chosen generator.
func (b *benchRun) closed(ctx context.Context, t bench.Target) (bench.Result, error) {
	return b.closedRetries(ctx, t, 0)
}

// closedRetries is closed with a retryShare of the requests retries.
func (b *benchRun) closedRetries(ctx context.Context, t bench.Target, retryShare float64) (bench.Result, error) {
	if b.wrk {
		return bench.WrkClosedLoop(ctx, t, b.conns, b.dur, retryShare)
	}
	return bench.ClosedLoop(ctx, t, b.conns, b.dur, 10000, retryShare), nil
}

// child is a server process started by bench.
type child struct {
	cmd *exec.Cmd
	url string
}

// startChild runs this binary with args and waits for its "url=" log
// line; its other log lines go to b's log.
func (b *benchRun) startChild(env []string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "url=http://"); i >= 0 {
				select {
				case urls <- strings.Fields(sc.Text()[i+4:])[0]:
				default:
				}
				continue
			}
			fmt.Fprintf(b.log, "  [%s] %s\n", args[0], sc.Text()) // the child's own log
		}
	}()
	select {
	case u := <-urls:
		return &child{cmd: cmd, url: u}, nil
	// Five minutes: serve first moves a filled database's reports into
	// their day partitions, which took over a minute for 1,000,000 on the
	// loaded 2-core machine.
	case <-time.After(5 * time.Minute):
		cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not start", args[0])
	}
}

func (c *child) stop() error {
	c.cmd.Process.Signal(syscall.SIGTERM)
	return c.cmd.Wait()
}

func (b *benchRun) noop(ctx context.Context) error {
	return b.benchServer(ctx, "no-op Go handler (decode only)", "noop")
}

func (b *benchRun) seed(ctx context.Context) error {
	dsn, drop, err := bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return err
	}
	defer drop()
	return b.benchServer(ctx, "baseline design on PostgreSQL (INSERT + JSONB upsert per report)", "seed", "--database", dsn)
}

// benchServer starts `bench-server` with args, loads its ingest endpoint
// in a closed loop and records the result under label.
func (b *benchRun) benchServer(ctx context.Context, label string, args ...string) error {
	c, err := b.startChild(nil, append([]string{"bench-server"}, args...)...)
	if err != nil {
		return err
	}
	defer c.stop()
	r, err := b.closed(ctx, bench.Target{URL: c.url + "/api/v1/telemetry"})
	if err != nil {
		return err
	}
	b.add(label, r.String())
	return nil
}

// service starts `serve` on dsn with a fleet key and runs fn against it.
func (b *benchRun) service(ctx context.Context, dsn string, fn func(c *child, t bench.Target) error) error {
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	key, err := createKey(ctx, st, store.KindFleet, "bench")
	st.Close()
	if err != nil {
		return err
	}
	c, err := b.startChild(nil, "serve", "--listen", "127.0.0.1:0", "--database", dsn)
	if err != nil {
		return err
	}
	if err := fn(c, bench.Target{URL: c.url + "/api/v1/telemetry", Key: key}); err != nil {
		c.stop()
		return err
	}
	if err := c.stop(); err != nil {
		return fmt.Errorf("serve did not exit 0 after SIGTERM: %w", err)
	}
	return nil
}

func (b *benchRun) closedLoop(ctx context.Context, name, dsn string) error {
	return b.closedLoopRetries(ctx, name, dsn, 0)
}

// closedLoopRetries is closedLoop with a retryShare of the requests
// retries.
func (b *benchRun) closedLoopRetries(ctx context.Context, name, dsn string, retryShare float64) error {
	return b.service(ctx, dsn, func(c *child, t bench.Target) error {
		r, err := b.closedRetries(ctx, t, retryShare)
		if err != nil {
			return err
		}
		rss, err := bench.PeakRSS(c.cmd.Process.Pid)
		if err != nil {
			return err
		}
		b.add(name, fmt.Sprintf("%s; server peak RSS %.0f MiB", r, rss))
		return nil
	})
}

func (b *benchRun) pg(ctx context.Context) error {
	dsn, drop, err := bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return err
	}
	defer drop()
	return b.closedLoop(ctx, "this service on PostgreSQL", dsn)
}

func (b *benchRun) pgRetry50(ctx context.Context) error {
	dsn, drop, err := bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return err
	}
	defer drop()
	return b.closedLoopRetries(ctx, "this service on PostgreSQL, half the requests retries", dsn, 0.5)
}

func (b *benchRun) pgRate(ctx context.Context) error {
	dsn, drop, err := bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return err
	}
	defer drop()
	return b.service(ctx, dsn, func(c *child, t bench.Target) error {
		r := bench.OpenLoop(ctx, t, b.rate, b.warmup, b.dur, 10000)
		b.add(fmt.Sprintf("this service on PostgreSQL at %d/s (after %s of warm-up)", b.rate, b.warmup), r.String())
		return nil
	})
}

func (b *benchRun) sqlite(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "indexpilot-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return b.closedLoop(ctx, "this service on SQLite", "sqlite:"+filepath.Join(dir, "bench.db"))
}

func (b *benchRun) dashboard(ctx context.Context) error {
	return b.filledService(ctx, bench.Fill, func(c *child, token string) error { return b.timeDashboard(ctx, c, token) })
}

// filledService fills a fresh PostgreSQL database with --dashboard-reports
// reports from 20,000 installations, compacts it, serves it with an admin
// token, and runs fn against it.
func (b *benchRun) filledService(ctx context.Context, fill func(context.Context, store.Store, int, int, func(string)) error,
	fn func(c *child, token string) error) error {
	st, dsn, drop, err := b.freshStore(ctx)
	if err != nil {
		return err
	}
	defer drop()
	err = fill(ctx, st, b.dashN, 20000, func(s string) { b.logf("%s", s) })
	if err == nil {
		// Fold the fill's pending deltas first, as a running service's
		// compaction would have: reads are timed on the rollups, not on a
		// backlog no live service carries.
		_, err = st.Compact(ctx)
	}
	st.Close()
	if err != nil {
		return err
	}
	return b.adminService(dsn, fn)
}

// freshStore creates a database of its own for one case and opens a
// store on it; drop drops the database (close the store first).
func (b *benchRun) freshStore(ctx context.Context) (st store.Store, dsn string, drop func(), err error) {
	dsn, drop, err = bench.CreateDatabase(ctx, b.admin)
	if err != nil {
		return nil, "", nil, err
	}
	if st, err = database.Open(ctx, dsn); err != nil {
		drop()
		return nil, "", nil, err
	}
	return st, dsn, drop, nil
}

// adminService serves dsn with an admin token and runs fn against it.
func (b *benchRun) adminService(dsn string, fn func(c *child, token string) error, flags ...string) error {
	token := "bench-admin-token-0123456789"
	c, err := b.startChild([]string{"INDEXPILOT_ANALYTICS_ADMIN_TOKEN=" + token}, append([]string{"serve", "--listen", "127.0.0.1:0", "--database", dsn}, flags...)...)
	if err != nil {
		return err
	}
	defer c.stop()
	return fn(c, token)
}

func (b *benchRun) timeDashboard(ctx context.Context, c *child, token string) error {
	for _, path := range []string{"/api/v1/dashboard/stats", "/api/v1/dashboard/trends?days=30", "/api/v1/dashboard/trends?days=90",
		"/api/v1/dashboard/overview?days=30", "/api/v1/dashboard/overview?days=90", "/api/v1/dashboard/overview?days=90&version=1.1.1", "/?days=30"} {
		if err := b.timePath(ctx, c, fmt.Sprintf("GET %s, %d stored reports", path, b.dashN), token, func(int) string { return path }); err != nil {
			return err
		}
	}
	return nil
}

// timePath times b.queries GETs of c's URL plus the paths pathOf gives
// and adds the row named label: latencies, and the server's CPU time per
// request (PostgreSQL's not included).
func (b *benchRun) timePath(ctx context.Context, c *child, label, token string, pathOf func(i int) string) error {
	cpu0, err := bench.CPUTime(c.cmd.Process.Pid)
	if err != nil {
		return err
	}
	lat, err := timeGets(ctx, c.url, token, b.queries, pathOf)
	if err != nil {
		return err
	}
	cpu1, err := bench.CPUTime(c.cmd.Process.Pid)
	if err != nil {
		return err
	}
	b.add(label, fmt.Sprintf("p50 %s, p95 %s over %d requests; server CPU %s a request", bench.Percentile(lat, .5).Round(10*time.Microsecond),
		bench.Percentile(lat, .95).Round(10*time.Microsecond), len(lat), ((cpu1-cpu0)/time.Duration(len(lat))).Round(100*time.Microsecond)))
	return nil
}

// timeGets times n GETs of base plus pathOf(i), sorted.
func timeGets(ctx context.Context, base, token string, n int, pathOf func(i int) string) ([]time.Duration, error) {
	var lat []time.Duration
	for i := 0; i < n && ctx.Err() == nil; i++ {
		url := base + pathOf(i)
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		t0 := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return nil, fmt.Errorf("GET %s: %s", url, res.Status)
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, nil
}

// cmdBenchServer runs a baseline server for bench (not listed in help).
func (c cli) benchServer(args []string) int {
	if len(args) == 0 {
		return exitUsage
	}
	fs := flag.NewFlagSet("bench-server", flag.ContinueOnError)
	dsn := fs.String("database", "", "PostgreSQL URL (seed)")
	if err := fs.Parse(args[1:]); err != nil {
		return parseFailed(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var h http.Handler
	switch args[0] {
	case "noop":
		h = bench.NoopHandler()
	case "seed":
		pool, err := pgxpool.New(ctx, *dsn)
		if err != nil {
			fmt.Fprintln(c.err, err)
			return exitError
		}
		defer pool.Close()
		if h, err = bench.SeedHandler(ctx, pool); err != nil {
			fmt.Fprintln(c.err, err)
			return exitError
		}
	default:
		return exitUsage
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(c.err, err)
		return exitError
	}
	fmt.Fprintf(c.err, "url=http://%s\n", ln.Addr())
	srv := &http.Server{Handler: h}
	go func() { <-ctx.Done(); srv.Close() }()
	srv.Serve(ln)
	return exitOK
}
