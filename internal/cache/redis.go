// Package cache connects to Redis, the platform's shared fast memory: rate limits today,
// hot-query caching and live updates across instances as they are added. Redis is
// optional for correctness: callers treat its errors as "no answer" and fall back.
package cache

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client is a Redis client whose keys all start with Prefix.
type Client struct {
	redis.UniversalClient
	Prefix string
}

// Options builds go-redis options from a URL: one redis:// or rediss:// URL selects a
// single server; a comma-separated list of host:port (or URLs) selects Redis Cluster.
func Options(url string) (*redis.UniversalOptions, error) {
	url = strings.TrimSpace(url)
	if url == "" {
		return nil, fmt.Errorf("empty Redis URL")
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

// Open makes a client. It does not fail when Redis is down: the platform works without it.
func Open(url, prefix string) (*Client, error) {
	opts, err := Options(url)
	if err != nil {
		return nil, err
	}
	// Short timeouts: a slow Redis must never slow the API down much.
	opts.DialTimeout = 300 * time.Millisecond
	opts.ReadTimeout = 200 * time.Millisecond
	opts.WriteTimeout = 200 * time.Millisecond
	opts.MaxRetries = 0
	// One dial attempt per command: when Redis is down we want a fast "no", not retries.
	// (UniversalOptions has no field for this, so the concrete clients are built here.)
	var c redis.UniversalClient
	if opts.IsClusterMode || len(opts.Addrs) > 1 {
		co := opts.Cluster()
		co.DialerRetries = 1
		c = redis.NewClusterClient(co)
	} else {
		so := opts.Simple()
		so.DialerRetries = 1
		c = redis.NewClient(so)
	}
	return &Client{UniversalClient: c, Prefix: prefix}, nil
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
