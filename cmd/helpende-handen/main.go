// Command helpende-handen runs the Helpende Handen platform: the API server, database
// migrations, demo data and administration tasks. Run `helpende-handen --help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/app"
	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/demo"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/httpserver"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/reference"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `helpende-handen — volunteering, talents and community coins for Antwerp.

Usage:
  helpende-handen serve                    run the API server (and the web client)
  helpende-handen migrate up               apply pending database migrations and sync reference data
  helpende-handen migrate status           list migrations and whether they are applied
  helpende-handen seed                     load the demo data into an empty database
  helpende-handen seed --scale N [--shifts-per-need S] [--profiles P]
                                           generate N open needs with S shifts each (benchmarks),
                                           and P people with talent profiles (--profiles alone: only them)
  helpende-handen admin create --email E --name N
                                           create (or promote) a platform administrator;
                                           the password is read from HH_ADMIN_PASSWORD or asked for
  helpende-handen taxonomy import-esco --dir DIR [--lang nl,fr,en] [--links FILE] [--add] [--category KEY]
                                           link talents to ESCO skills from the ESCO CSV downloads
                                           DIR/skills_<lang>.csv; --links gives talent_key,conceptUri
                                           lines, --add imports the other concepts as talents
  helpende-handen version                  print the version

Configuration comes from environment variables:

`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "helpende-handen:", err)
		os.Exit(1)
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	fmt.Fprint(w, config.Help())
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		return nil
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "helpende-handen", version)
		return nil
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		sub := "up"
		if len(args) > 1 {
			sub = args[1]
		}
		return migrate(ctx, cfg, sub, stdout)
	case "seed":
		return seed(ctx, cfg, args[1:], stdout)
	case "admin":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: helpende-handen admin create --email E --name N")
		}
		return adminCreate(ctx, cfg, log, args[2:], stdout)
	case "taxonomy":
		if len(args) < 2 || args[1] != "import-esco" {
			return errors.New("usage: helpende-handen taxonomy import-esco --dir DIR [--lang nl,fr,en] [--links FILE] [--add] [--category KEY]")
		}
		return taxonomyImportESCO(ctx, cfg, args[2:], stdout)
	default:
		printUsage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(httpserver.LogHandler{Handler: h})
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := database.CheckCurrent(ctx, a.DB); err != nil {
		if errors.Is(err, database.ErrBehind) {
			return fmt.Errorf("%w\nrun `helpende-handen migrate up` (or `make migrate`) first", err)
		}
		return err
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	a.RunJobs(ctx)
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "graphql", "/graphql", "env", cfg.Env, "version", version)
	if cfg.Dev() {
		log.Info("GraphQL IDE", "url", "http://"+ln.Addr().String()+"/graphiql")
	}
	return a.Server.ListenAndServe(ctx, ln)
}

func migrate(ctx context.Context, cfg config.Config, sub string, stdout io.Writer) error {
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "up":
		res, err := database.Migrate(ctx, db)
		if err != nil {
			return err
		}
		for _, r := range res {
			fmt.Fprintf(stdout, "applied %05d %s (%s)\n", r.Version, r.Name, r.Duration.Round(1e6))
		}
		if len(res) == 0 {
			fmt.Fprintln(stdout, "database is up to date")
		}
		if err := reference.Sync(ctx, db); err != nil {
			return fmt.Errorf("sync reference data: %w", err)
		}
		fmt.Fprintln(stdout, "reference data is in sync")
		return nil
	case "status":
		st, err := database.Status(ctx, db)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tMIGRATION\tSTATE")
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%05d\t%s\t%s\n", s.Version, s.Name, state)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("unknown migrate command %q (use up or status)", sub)
	}
}

func seed(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.Int("scale", 0, "instead of the demo, generate this many open needs (for benchmarks), e.g. 100000")
	shiftsPerNeed := fs.Int("shifts-per-need", 5, "with --scale: shifts per need")
	profiles := fs.Int("profiles", 0, "generate this many people with talent profiles (for benchmarks; with --scale, after the needs), e.g. 200000")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := database.CheckCurrent(ctx, db); err != nil {
		return fmt.Errorf("%w\nrun `helpende-handen migrate up` first", err)
	}
	if *scale > 0 {
		if *scale > 2_000_000 || *shiftsPerNeed < 1 || *shiftsPerNeed > 20 {
			return errors.New("--scale at most 2,000,000 and --shifts-per-need 1..20")
		}
		if *profiles < 0 || *profiles > demo.MaxScaleProfiles {
			return fmt.Errorf("--profiles at most %d", demo.MaxScaleProfiles)
		}
		if err := demo.SeedScale(ctx, db, *scale, *shiftsPerNeed, time.Now(), func(msg string) { fmt.Fprintln(stdout, msg) }); err != nil {
			return err
		}
	}
	if *profiles != 0 {
		if *profiles < 0 || *profiles > demo.MaxScaleProfiles {
			return fmt.Errorf("--profiles at most %d", demo.MaxScaleProfiles)
		}
		_, err := demo.SeedScaleProfiles(ctx, db, *profiles, time.Now(), func(msg string) { fmt.Fprintln(stdout, msg) })
		return err
	}
	if *scale > 0 {
		return nil
	}
	res, err := demo.Seed(ctx, db)
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintln(stdout, "the database already has people in it: demo data not loaded")
	} else {
		fmt.Fprintf(stdout, "demo data loaded: %d people, %d organisations\n", res.People, res.Organisations)
		nres, err := demo.SeedNeeds(ctx, db, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demo needs loaded: %+v\n", nres)
		cres, err := demo.SeedCoins(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demo coins loaded: %+v\n", cres)
	}
	printLogins(stdout)
	return nil
}

func printLogins(w io.Writer) {
	fmt.Fprintln(w, "demo logins (password for all: "+demo.Password+"):")
	for _, l := range demo.Logins {
		fmt.Fprintf(w, "  %-42s %s\n", l.Key+"@"+demo.EmailDomain, l.Role)
	}
}

func taxonomyImportESCO(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	opts, err := reference.ParseImportESCOFlags(args)
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := database.CheckCurrent(ctx, db); err != nil {
		return fmt.Errorf("%w\nrun `helpende-handen migrate up` first", err)
	}
	rep, err := reference.ImportESCO(ctx, db, opts)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	return nil
}

func adminCreate(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	email := fs.String("email", "", "email address of the administrator")
	name := fs.String("name", "Administrator", "display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	password := os.Getenv("HH_ADMIN_PASSWORD")
	if password == "" && term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(stdout, "password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		password = string(b)
	}
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := accounts.NewService(db, nil, cfg.SessionTTL, log)
	p, err := svc.CreateAdministrator(ctx, *email, password, *name)
	if ue, ok := errs.AsUserErrors(err); ok {
		var msgs []string
		for _, e := range ue {
			msgs = append(msgs, strings.Join(e.Field[1:], ".")+": "+i18n.T(i18n.EN, e.Message, e.Args))
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is a platform administrator\n", p.Email)
	return nil
}
