package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// PersistedQueries stores automatic persisted queries (APQ) in Redis, shared by every
// instance, with a small memory of its own in front so that known queries keep working
// while Redis is down. It implements gqlgen's graphql.Cache[string].
//
// With ReadOnly set (allow-list mode "registered"), clients cannot add queries: only
// queries registered beforehand (Register, or a deploy step writing the keys) run.
type PersistedQueries struct {
	c        *Client
	TTL      time.Duration
	ReadOnly bool

	mu     sync.Mutex
	mem    map[string]string
	size   int
	pinned map[string]string
}

// Pin makes queries (hash → query, e.g. from an allow-list manifest) known for good,
// without Redis.
func (p *PersistedQueries) Pin(queries map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pinned = queries
}

// NewPersistedQueries returns an APQ store on c (which may be nil: memory only).
func NewPersistedQueries(c *Client) *PersistedQueries {
	return &PersistedQueries{c: c, TTL: 7 * 24 * time.Hour, mem: map[string]string{}, size: 2000}
}

// Hash is the APQ hash of a query (hex SHA-256).
func Hash(query string) string {
	h := sha256.Sum256([]byte(query))
	return hex.EncodeToString(h[:])
}

func (p *PersistedQueries) key(hash string) string { return p.c.Key("apq", hash) }

func (p *PersistedQueries) remember(hash, query string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.mem) >= p.size {
		for k := range p.mem { // drop an arbitrary one: a bounded memo, not an LRU
			delete(p.mem, k)
			break
		}
	}
	p.mem[hash] = query
}

// Get implements graphql.Cache.
func (p *PersistedQueries) Get(ctx context.Context, hash string) (string, bool) {
	p.mu.Lock()
	q, ok := p.mem[hash]
	if !ok {
		q, ok = p.pinned[hash]
	}
	p.mu.Unlock()
	if ok {
		return q, true
	}
	if p.c == nil {
		return "", false
	}
	q, err := p.c.Get(ctx, p.key(hash)).Result()
	if err != nil || Hash(q) != hash {
		return "", false
	}
	p.remember(hash, q)
	return q, true
}

// Add implements graphql.Cache (the APQ extension has checked that hash is the query's).
func (p *PersistedQueries) Add(ctx context.Context, hash, query string) {
	if p.ReadOnly {
		return
	}
	p.remember(hash, query)
	if p.c != nil {
		_ = p.c.Set(ctx, p.key(hash), query, p.TTL).Err()
	}
}

// Register stores a query for good (for allow-list mode "registered"), returning its hash.
func (p *PersistedQueries) Register(ctx context.Context, query string) (string, error) {
	h := Hash(query)
	p.remember(h, query)
	if p.c == nil {
		return h, nil
	}
	return h, p.c.Set(ctx, p.key(h), query, 0).Err()
}

// Known reports whether hash is registered (in memory or in Redis).
func (p *PersistedQueries) Known(ctx context.Context, hash string) bool {
	_, ok := p.Get(ctx, hash)
	return ok
}

// LoadAllowList reads a JSON allow-list of operations: either an array of hashes
// ["<sha256>", ...], or an object {"<sha256>": "<query>", ...} (a persisted-query manifest,
// whose queries can then be sent by hash alone). It returns the hashes and the queries it knows.
func LoadAllowList(path string) (hashes map[string]bool, queries map[string]string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("allow-list: %w", err)
	}
	hashes, queries = map[string]bool{}, map[string]string{}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		for _, h := range list {
			hashes[h] = true
		}
		return hashes, queries, nil
	}
	var manifest map[string]string
	if err := json.Unmarshal(b, &manifest); err != nil {
		return nil, nil, fmt.Errorf("allow-list %s: want a JSON array of hashes or an object of hash to query", path)
	}
	for h, q := range manifest {
		if Hash(q) != h {
			return nil, nil, fmt.Errorf("allow-list %s: hash %s does not match its query", path, h)
		}
		hashes[h], queries[h] = true, q
	}
	return hashes, queries, nil
}
