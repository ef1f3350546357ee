// Command hh-ledgerbench is a load generator for the coin ledger: concurrent clients drive
// transfers through the ledger package (one call of ledger_post per transfer) against a local
// PostgreSQL, then the audit rebuilds every balance from the postings. It reports committed
// transfers per second and latency percentiles, and exits non-zero on any error or any
// invariant violation.
//
// It creates its own accounts (a fresh issuer and -wallets wallets) in the database it is
// given; use a scratch database, migrated with `helpende-handen migrate up`:
//
//	createdb -h 127.0.0.1 -U postgres hh_ledgerbench
//	DATABASE_URL=postgres://postgres@127.0.0.1:5432/hh_ledgerbench?sslmode=disable helpende-handen migrate up
//	go run ./cmd/hh-ledgerbench -database-url postgres://postgres@127.0.0.1:5432/hh_ledgerbench?sslmode=disable -clients 64
//
// Workloads: the default moves 1..10 coins between two random wallets (many accounts, little
// contention); -hot mints 1 coin from one issuer account to random wallets, so every transfer
// locks the same row. -clients goroutines share -pool connections (default 40, what the
// platform opens). Bounds: at most 256 clients, 60 s measured, 1,000,000 wallets; loopback only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

const (
	maxClients  = 256
	maxDuration = 60 * time.Second
	maxWallets  = 1_000_000
	// Each wallet starts with this many coins; transfers move 1..10.
	walletStart = 1000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hh-ledgerbench:", err)
		os.Exit(1)
	}
}

type config struct {
	url      string
	clients  int
	duration time.Duration
	warmup   time.Duration
	wallets  int
	hot      bool
	pool     int
	profile  string
	graphql  string
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("hh-ledgerbench", flag.ContinueOnError)
	def := os.Getenv("DATABASE_URL")
	if def == "" {
		def = "postgres://postgres@127.0.0.1:5432/hh_ledgerbench?sslmode=disable"
	}
	fs.StringVar(&c.url, "database-url", def, "PostgreSQL URL (127.0.0.1 or localhost only), migrated")
	fs.IntVar(&c.clients, "clients", 16, fmt.Sprintf("concurrent clients (1..%d, below the server's max_connections)", maxClients))
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time (at most 60s)")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "load before measuring, not counted (at most 10s)")
	fs.IntVar(&c.wallets, "wallets", 10000, fmt.Sprintf("wallets to create and move coins between (2..%d)", maxWallets))
	fs.BoolVar(&c.hot, "hot", false, "mint from one hot issuer account to the wallets instead of wallet-to-wallet transfers")
	fs.IntVar(&c.pool, "pool", 20, "database connections (1..256; the platform opens 20)")
	fs.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the measured part to this file")
	fs.StringVar(&c.graphql, "graphql", "", "instead of calling the ledger package, drive the GraphQL endpoint of a server on the same "+
		"database (e.g. http://127.0.0.1:8080/graphql; run it with RATE_LIMIT_MUTATIONS=0): transferCoins, or with -hot fundIssuer")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case c.clients < 1 || c.clients > maxClients:
		return c, fmt.Errorf("-clients must be 1..%d", maxClients)
	case c.duration <= 0 || c.duration > maxDuration:
		return c, fmt.Errorf("-duration must be more than 0 and at most %s", maxDuration)
	case c.warmup < 0 || c.warmup > 10*time.Second:
		return c, errors.New("-warmup must be 0..10s")
	case c.wallets < 2 || c.wallets > maxWallets:
		return c, fmt.Errorf("-wallets must be 2..%d", maxWallets)
	case c.pool < 1 || c.pool > maxClients:
		return c, fmt.Errorf("-pool must be 1..%d", maxClients)
	case c.graphql != "" && c.wallets > maxGraphQLWallets:
		return c, fmt.Errorf("with -graphql, -wallets must be 2..%d (each is a registered resident)", maxGraphQLWallets)
	}
	if c.graphql != "" {
		if err := checkLoopback("-graphql", c.graphql); err != nil {
			return c, err
		}
	}
	if err := checkLoopback("-database-url", c.url); err != nil {
		return c, err
	}
	return c, nil
}

// client is one worker's tally.
type client struct {
	ok, refused, failed int
	latencies           []time.Duration
	firstErr            error
}

// record counts one request of the measured part: committed, refused with a user error, or
// failed. It says whether the worker should stop (the run was interrupted).
func (cl *client) record(ctx context.Context, refused bool, err error, took time.Duration) (stop bool) {
	switch {
	case err == nil && !refused:
		cl.ok++
		cl.latencies = append(cl.latencies, took)
	case err == nil:
		cl.refused++
	case ctx.Err() != nil:
		return true
	default:
		cl.failed++
		if cl.firstErr == nil {
			cl.firstErr = err
		}
	}
	return false
}

// summary adds up the workers' tallies, prints throughput and latency, and returns how many
// requests failed.
func summary(out io.Writer, clients []*client, elapsed time.Duration) int {
	var ok, refused, failed int
	var lat []time.Duration
	var firstErr error
	for _, cl := range clients {
		ok, refused, failed = ok+cl.ok, refused+cl.refused, failed+cl.failed
		lat = append(lat, cl.latencies...)
		if firstErr == nil {
			firstErr = cl.firstErr
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Fprintf(out, "committed transfers: %d in %s = %.0f per second\n", ok, elapsed.Round(time.Millisecond), float64(ok)/elapsed.Seconds())
	fmt.Fprintf(out, "latency of committed transfers: p50 %s, p99 %s, max %s\n",
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Fprintf(out, "refused (insufficient balance, user errors): %d; errors: %d\n", refused, failed)
	if firstErr != nil {
		fmt.Fprintf(out, "first error: %v\n", firstErr)
	}
	return failed
}

func run(ctx context.Context, args []string, out io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := database.Open(ctx, c.url)
	if err != nil {
		return err
	}
	defer db.Close()
	pool := min(c.pool, c.clients)
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	if err := database.CheckCurrent(ctx, db); err != nil {
		return fmt.Errorf("%w (run `helpende-handen migrate up` on it first)", err)
	}
	var maxConns int
	if err := db.GetContext(ctx, &maxConns, `SELECT current_setting('max_connections')::int`); err != nil {
		return err
	}
	if pool+5 > maxConns {
		return fmt.Errorf("-pool %d is too many for max_connections = %d", pool, maxConns)
	}
	svc := ledger.NewService(db, log)

	// Settings that decide the numbers.
	var version string
	_ = db.GetContext(ctx, &version, `SHOW server_version`)
	fmt.Fprintf(out, "PostgreSQL %s; %d CPUs seen by Go; settings:\n", version, runtime.NumCPU())
	for _, s := range []string{"synchronous_commit", "fsync", "full_page_writes", "wal_sync_method", "commit_delay",
		"shared_buffers", "max_connections", "wal_level", "max_wal_size"} {
		var v string
		if err := db.GetContext(ctx, &v, `SELECT current_setting($1)`, s); err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-18s %s\n", s, v)
	}

	if c.graphql != "" {
		return runGraphQL(ctx, c, db, svc, out)
	}

	// Accounts of this run: a fresh issuer and c.wallets wallets with walletStart coins each.
	runID := uuid.NewString()[:8]
	setupStart := time.Now()
	issuer, err := svc.Account(ctx, ledger.KindIssuer, uuid.NewString())
	if err != nil {
		return err
	}
	budget := int64(c.wallets) * walletStart
	hotBudget := int64(0)
	if c.hot {
		hotBudget = 500_000_000 // more than 60 s of 1-coin mints can use
	}
	for left, i := budget+hotBudget, 0; left > 0; i++ {
		n := min(left, ledger.MaxAmount)
		if _, err := svc.FundIssuer(ctx, ledger.FundRequest{IssuerAccountID: issuer.ID, Amount: n,
			IdempotencyKey: fmt.Sprintf("bench:%s:fund:%d", runID, i), Memo: "hh-ledgerbench"}); err != nil {
			return fmt.Errorf("fund issuer: %w", err)
		}
		left -= n
	}
	owners := make([]string, c.wallets)
	for i := range owners {
		owners[i] = uuid.NewString()
	}
	wallets := make([]string, 0, c.wallets)
	const chunk = ledger.MaxPostings - 1
	for i := 0; i < len(owners); i += chunk {
		part := owners[i:min(i+chunk, len(owners))]
		accs, err := svc.Accounts(ctx, ledger.KindWallet, part)
		if err != nil {
			return err
		}
		postings := []ledger.Posting{{AccountID: issuer.ID, Amount: -int64(len(accs)) * walletStart}}
		for _, a := range accs {
			wallets = append(wallets, a.ID)
			postings = append(postings, ledger.Posting{AccountID: a.ID, Amount: walletStart})
		}
		if _, err := svc.Post(ctx, ledger.PostRequest{IdempotencyKey: fmt.Sprintf("bench:%s:seed:%d", runID, i), Kind: ledger.TxMint,
			Postings: postings, Memo: "hh-ledgerbench"}); err != nil {
			return fmt.Errorf("seed wallets: %w", err)
		}
	}
	workload := fmt.Sprintf("wallet→wallet transfers of 1..10 coins between %d wallets", c.wallets)
	if c.hot {
		workload = fmt.Sprintf("1-coin mints from ONE hot issuer account to %d wallets", c.wallets)
	}
	fmt.Fprintf(out, "set-up: %d wallets with %d coins each in %s\n", c.wallets, walletStart, time.Since(setupStart).Round(time.Millisecond))
	fmt.Fprintf(out, "workload: %s; %d clients over %d connections; warm-up %s; measured %s\n", workload, c.clients, pool,
		c.warmup, c.duration)

	if c.profile != "" {
		f, err := os.Create(c.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	measureFrom := start.Add(c.warmup)
	end := measureFrom.Add(c.duration)
	clients := make([]*client, c.clients)
	var wg sync.WaitGroup
	for i := range clients {
		cl := &client{latencies: make([]time.Duration, 0, 1<<14)}
		clients[i] = cl
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			for n := 0; ; n++ {
				t0 := time.Now()
				if t0.After(end) || ctx.Err() != nil {
					return
				}
				req := ledger.TransferRequest{IdempotencyKey: fmt.Sprintf("bench:%s:%d:%d", runID, i, n), Kind: ledger.TxTransfer}
				if c.hot {
					req.Kind, req.From, req.To, req.Amount = ledger.TxMint, issuer.ID, wallets[r.IntN(len(wallets))], 1
				} else {
					a := r.IntN(len(wallets))
					b := r.IntN(len(wallets) - 1)
					if b >= a {
						b++
					}
					req.From, req.To, req.Amount = wallets[a], wallets[b], int64(1+r.IntN(10))
				}
				_, err := svc.Transfer(ctx, req)
				t1 := time.Now()
				if t0.Before(measureFrom) {
					continue
				}
				_, user := errs.AsUserErrors(err)
				if user {
					err = nil
				}
				if cl.record(ctx, user, err, t1.Sub(t0)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := min(time.Since(measureFrom), c.duration+time.Since(end))
	if ctx.Err() != nil {
		return ctx.Err()
	}

	failed := summary(out, clients, elapsed)

	// The audit: every balance rebuilt from the postings, in one snapshot.
	auditStart := time.Now()
	report, err := svc.Audit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "audit: %d accounts, %d transactions, %d postings, sum of postings %d, %d problems (%s)\n",
		report.Accounts, report.Transactions, report.Postings, report.SumOfPostings, len(report.Problems()),
		time.Since(auditStart).Round(time.Millisecond))
	// Coins of this run are conserved: issuer + wallets = what was funded.
	var total int64
	if err := db.GetContext(ctx, &total, `SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE id = $1
		OR (kind = 'WALLET' AND owner_id = ANY ($2::uuid[]))`, issuer.ID, pq.StringArray(owners)); err != nil {
		return err
	}
	if total != budget+hotBudget {
		return fmt.Errorf("coins of this run: %d, funded %d", total, budget+hotBudget)
	}
	if !report.OK() {
		for _, p := range report.Problems() {
			fmt.Fprintln(out, "  ", p)
		}
		return errors.New("the audit found invariant violations")
	}
	if failed > 0 {
		return fmt.Errorf("%d transfers failed with errors", failed)
	}
	return nil
}

// checkLoopback refuses addresses (flag's value) that are not on this machine.
func checkLoopback(flag, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
		return fmt.Errorf("%s must point at 127.0.0.1 or localhost, not %q", flag, host)
	}
	return nil
}
