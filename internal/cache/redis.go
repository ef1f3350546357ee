// Package cache connects to Redis, the platform's shared fast memory: rate limits, the
// hot-query cache with versioned tags, persisted queries and live updates across
// instances. Redis is optional for correctness: every call has a short timeout and goes
// through a circuit breaker (see resilient.go), and callers treat errors as "no answer"
// and fall back to PostgreSQL or to this process.
package cache

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client is a Redis client whose keys all start with Prefix. Every command goes through
// a circuit breaker with short timeouts and is measured (see Collectors).
type Client struct {
	redis.UniversalClient
	Prefix string

	res *resilience

	tagsOnce sync.Once
	tags     *Tags

	closeMu sync.Mutex
	closers []func() error
}

// Tags returns the client's tag store (one per client, shared by the writers that bump
// tags and the query cache that reads them). A nil client has a nil store, which does nothing.
func (c *Client) Tags() *Tags {
	if c == nil {
		return nil
	}
	c.tagsOnce.Do(func() { c.tags = NewTags(c) })
	return c.tags
}

// Close closes what was built on the client (the bus's subscription) and then the client.
func (c *Client) Close() error {
	c.closeMu.Lock()
	closers := c.closers
	c.closers = nil
	c.closeMu.Unlock()
	for _, f := range closers {
		_ = f()
	}
	return c.UniversalClient.Close()
}

func (c *Client) onClose(f func() error) {
	c.closeMu.Lock()
	c.closers = append(c.closers, f)
	c.closeMu.Unlock()
}

// Options builds go-redis options from a URL: one redis:// or rediss:// URL selects a
// single server; a comma-separated list of host:port (or URLs) selects Redis Cluster;
// redis-sentinel://[:password@]host:port[,host:port...]/<master name>[/<db>] selects the
// master that the Sentinels name (and follows it when they fail over).
func Options(url string) (*redis.UniversalOptions, error) {
	url = strings.TrimSpace(url)
	if url == "" {
		return nil, fmt.Errorf("empty Redis URL")
	}
	if rest, ok := strings.CutPrefix(url, "redis-sentinel://"); ok {
		return sentinelOptions(rest)
	}
	if strings.Contains(url, ",") {
		var addrs []string
		opts := &redis.UniversalOptions{IsClusterMode: true}
		for _, part := range strings.Split(url, ",") {
			part = strings.TrimSpace(part)
			if strings.Contains(part, "://") {
				o, err := redis.ParseURL(part)
				if err != nil {
					return nil, fmt.Errorf("parse Redis URL: %w", err)
				}
				part = o.Addr
				opts.Username, opts.Password, opts.TLSConfig = o.Username, o.Password, o.TLSConfig
			}
			addrs = append(addrs, part)
		}
		opts.Addrs = addrs
		return opts, nil
	}
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse Redis URL: %w", err)
	}
	return &redis.UniversalOptions{
		Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig,
	}, nil
}

// sentinelOptions parses what follows redis-sentinel://.
func sentinelOptions(rest string) (*redis.UniversalOptions, error) {
	opts := &redis.UniversalOptions{}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, pass, _ := strings.Cut(rest[:at], ":")
		opts.Username, opts.Password, opts.SentinelPassword = user, pass, pass
		rest = rest[at+1:]
	}
	hosts, path, _ := strings.Cut(rest, "/")
	master, db, _ := strings.Cut(path, "/")
	if master == "" {
		return nil, fmt.Errorf("parse Redis Sentinel URL: no master name (redis-sentinel://host:26379/<master>)")
	}
	if db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("parse Redis Sentinel URL: database %q", db)
		}
		opts.DB = n
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			opts.Addrs = append(opts.Addrs, h)
		}
	}
	if len(opts.Addrs) == 0 {
		return nil, fmt.Errorf("parse Redis Sentinel URL: no Sentinel address")
	}
	opts.MasterName = master
	return opts, nil
}

// Settings tunes the client's resilience; zero values take the defaults.
type Settings struct {
	// Log receives one line when Redis becomes unavailable and one when it is back.
	Log *slog.Logger
	// DialTimeout (300ms), CallTimeout (200ms, read and write) bound every call.
	DialTimeout, CallTimeout time.Duration
	// FailuresToTrip consecutive failures (3) open the breaker; it stays open for
	// OpenFor (5s), then lets one probe through.
	FailuresToTrip uint32
	OpenFor        time.Duration
}

// Open makes a client with the default settings. It does not fail when Redis is down:
// the platform works without it.
func Open(url, prefix string) (*Client, error) { return OpenWith(url, prefix, Settings{}) }

// quietRedisLog sends go-redis's own log lines (one per failed dial, many during an
// outage) to debug level: the outage is logged once by the breaker instead.
type quietRedisLog struct{}

func (quietRedisLog) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}

var quietOnce sync.Once

// OpenWith makes a client with the given settings.
func OpenWith(url, prefix string, st Settings) (*Client, error) {
	quietOnce.Do(func() { redis.SetLogger(quietRedisLog{}) })
	opts, err := Options(url)
	if err != nil {
		return nil, err
	}
	st = st.withDefaults()
	// Short timeouts: a slow Redis must never slow the API down much.
	opts.DialTimeout = st.DialTimeout
	opts.ReadTimeout = st.CallTimeout
	opts.WriteTimeout = st.CallTimeout
	opts.PoolTimeout = st.CallTimeout + 100*time.Millisecond
	opts.MaxRetries = 0
	// One dial attempt per command: when Redis is down we want a fast "no", not retries.
	// (UniversalOptions has no field for this, so the concrete clients are built here.)
	var c redis.UniversalClient
	switch {
	case opts.MasterName != "":
		fo := opts.Failover()
		fo.DialerRetries = 1
		c = redis.NewFailoverClient(fo)
	case opts.IsClusterMode || len(opts.Addrs) > 1:
		co := opts.Cluster()
		co.DialerRetries = 1
		c = redis.NewClusterClient(co)
	default:
		so := opts.Simple()
		so.DialerRetries = 1
		c = redis.NewClient(so)
	}
	cl := &Client{UniversalClient: c, Prefix: prefix}
	cl.res = newResilience(st)
	c.AddHook(cl.res)
	return cl, nil
}

// Key prefixes a key.
func (c *Client) Key(parts ...string) string {
	return c.Prefix + strings.Join(parts, ":")
}

// Ping reports whether Redis answers.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	return c.UniversalClient.Ping(ctx).Err()
}
