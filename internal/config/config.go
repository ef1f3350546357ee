// Package config reads the platform's settings from environment variables.
// Every variable has a default that works on a developer machine; Help lists them all.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Config holds every setting.
type Config struct {
	DatabaseURL     string
	RedisURL        string
	RedisPrefix     string
	ListenAddr      string
	PublicURL       string
	Env             string // "development" or "production"
	LogLevel        string
	LogFormat       string // "text" or "json"
	WebDir          string
	AllowedOrigins  []string
	CookieSecure    bool
	SessionTTL      time.Duration
	MaxBodyBytes    int64
	MaxComplexity   int
	MaxDepth        int
	MaxAliases      int
	ParserTokens    int
	ShutdownTimeout time.Duration

	// DatabaseReadURL is an optional PostgreSQL replica for lagging reads ("" = primary).
	DatabaseReadURL string
	// QueryCache turns the Redis hot-query cache on.
	QueryCache bool
	// Allowlist is "" (any operation), "registered" (only persisted queries already in
	// Redis) or the path of a JSON allow-list of operation hashes.
	Allowlist string
	// RateMutations is the number of mutations a person (or an anonymous address) may run
	// per minute; RateAnonCost the query cost an anonymous address may spend per minute (0: no limit).
	RateMutations int
	RateAnonCost  int
}

// Var describes one environment variable.
type Var struct {
	Name, Default, Help string
}

// Vars lists every environment variable the platform reads.
var Vars = []Var{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpende_handen?sslmode=disable", "PostgreSQL connection URL (the primary)."},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL (redis://, rediss://; a comma-separated list of addresses selects Redis Cluster)."},
	{"REDIS_PREFIX", "hh:", "Prefix for every Redis key (lets several platforms or tests share one Redis)."},
	{"LISTEN_ADDR", "127.0.0.1:8080", "Address the HTTP server listens on."},
	{"PUBLIC_URL", "http://127.0.0.1:8080", "The address people use to reach the platform (links, iCal feeds, allowed WebSocket origin)."},
	{"HH_ENV", "development", "development (GraphQL IDE, introspection, field suggestions) or production (none of these)."},
	{"LOG_LEVEL", "info", "debug, info, warn or error."},
	{"LOG_FORMAT", "text", "text or json."},
	{"WEB_DIR", "web-client/dist", "Folder with the built web client, served at /."},
	{"ALLOWED_ORIGINS", "", "Extra origins allowed for browser requests and WebSockets, comma-separated."},
	{"COOKIE_SECURE", "auto", "Mark the session cookie Secure: true, false, or auto (true when PUBLIC_URL is https)."},
	{"SESSION_TTL", "720h", "How long a session lasts without use."},
	{"MAX_BODY_BYTES", "2097152", "Largest request body accepted, in bytes."},
	{"GRAPHQL_MAX_COMPLEXITY", "5000", "Largest query cost accepted (lists count times their page size)."},
	{"GRAPHQL_MAX_DEPTH", "12", "Deepest selection nesting accepted."},
	{"GRAPHQL_MAX_ALIASES", "30", "Most aliases accepted in one request."},
	{"GRAPHQL_MAX_TOKENS", "10000", "Most tokens the parser reads in one query."},
	{"SHUTDOWN_TIMEOUT", "15s", "How long a graceful shutdown waits for running requests."},
	{"DATABASE_READ_URL", "", "Optional PostgreSQL replica for read-only queries (search, listings, stats) when the cache does not answer."},
	{"QUERY_CACHE", "on", "Cache hot public queries in Redis (on or off)."},
	{"GRAPHQL_ALLOWLIST", "", "Only run allowed operations: a JSON file of operation hashes (or hash to query), or \"registered\" (persisted queries already in Redis)."},
	{"RATE_LIMIT_MUTATIONS", "120", "Mutations per person (anonymous: per address) per minute (0: no limit)."},
	{"RATE_LIMIT_ANON_COST", "100000", "Query cost an anonymous address may spend per minute (0: no limit)."},
}

func get(name string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}

// Load reads the environment.
func Load() (Config, error) {
	c := Config{
		DatabaseURL: get("DATABASE_URL"),
		RedisURL:    get("REDIS_URL"),
		RedisPrefix: get("REDIS_PREFIX"),
		ListenAddr:  get("LISTEN_ADDR"),
		PublicURL:   strings.TrimRight(get("PUBLIC_URL"), "/"),
		Env:         get("HH_ENV"),
		LogLevel:    get("LOG_LEVEL"),
		LogFormat:   get("LOG_FORMAT"),
		WebDir:      get("WEB_DIR"),

		DatabaseReadURL: get("DATABASE_READ_URL"),
		Allowlist:       strings.TrimSpace(get("GRAPHQL_ALLOWLIST")),
	}
	switch s := get("QUERY_CACHE"); s {
	case "on", "true", "1":
		c.QueryCache = true
	case "off", "false", "0":
	default:
		return c, fmt.Errorf("QUERY_CACHE must be on or off, not %q", s)
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{{"RATE_LIMIT_MUTATIONS", &c.RateMutations}, {"RATE_LIMIT_ANON_COST", &c.RateAnonCost}} {
		n, err := strconv.Atoi(get(v.name))
		if err != nil || n < 0 {
			return c, fmt.Errorf("%s must be a whole number, 0 or more", v.name)
		}
		*v.dst = n
	}
	for _, o := range strings.Split(get("ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, strings.TrimRight(o, "/"))
		}
	}
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("HH_ENV must be development or production, not %q", c.Env)
	}
	switch s := get("COOKIE_SECURE"); s {
	case "auto":
		c.CookieSecure = strings.HasPrefix(c.PublicURL, "https://")
	default:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return c, fmt.Errorf("COOKIE_SECURE: %w", err)
		}
		c.CookieSecure = b
	}
	var err error
	if c.SessionTTL, err = time.ParseDuration(get("SESSION_TTL")); err != nil {
		return c, fmt.Errorf("SESSION_TTL: %w", err)
	}
	if c.ShutdownTimeout, err = time.ParseDuration(get("SHUTDOWN_TIMEOUT")); err != nil {
		return c, fmt.Errorf("SHUTDOWN_TIMEOUT: %w", err)
	}
	ints := []struct {
		name string
		dst  *int
	}{
		{"GRAPHQL_MAX_COMPLEXITY", &c.MaxComplexity},
		{"GRAPHQL_MAX_DEPTH", &c.MaxDepth},
		{"GRAPHQL_MAX_ALIASES", &c.MaxAliases},
		{"GRAPHQL_MAX_TOKENS", &c.ParserTokens},
	}
	for _, i := range ints {
		n, err := strconv.Atoi(get(i.name))
		if err != nil || n <= 0 {
			return c, fmt.Errorf("%s must be a positive whole number", i.name)
		}
		*i.dst = n
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(get("MAX_BODY_BYTES"), 10, 64); err != nil || c.MaxBodyBytes <= 0 {
		return c, fmt.Errorf("MAX_BODY_BYTES must be a positive whole number")
	}
	return c, nil
}

// Dev reports whether developer conveniences (IDE, introspection, suggestions) are on.
func (c Config) Dev() bool { return c.Env == "development" }

// Help writes the list of environment variables with defaults.
func Help() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tMEANING")
	for _, v := range Vars {
		d := v.Default
		if d == "" {
			d = "(empty)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, d, v.Help)
	}
	_ = tw.Flush()
	return b.String()
}
