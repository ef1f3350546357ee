package cache

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Tags keeps a version counter per tag in Redis. A cached answer's key includes the
// versions of the tags it depends on (and a global epoch), so bumping a tag makes every
// answer that depends on it unreachable at once, on every instance; the old entries
// expire by themselves.
//
// Tag keys share the hash tag {tags} so that one MGET reads them all, also on Redis Cluster.
//
// When a bump fails (Redis down or unreachable from this instance), the instance marks
// itself dirty and stops using the cache until it has moved the epoch (which orphans
// every entry); it also moves the epoch whenever Redis comes back after an outage, since a
// restarted Redis may have lost bumps that its persisted entries never saw.
type Tags struct {
	c     *Client
	dirty atomic.Bool

	bumps, bumpErrors prometheus.Counter
}

// NewTags returns the tag store of c (c may be nil: then nothing is cached and Bump does nothing).
func NewTags(c *Client) *Tags {
	t := &Tags{c: c,
		bumps:      prometheus.NewCounter(prometheus.CounterOpts{Name: "hh_cache_tag_bumps_total", Help: "Cache tags bumped by writes."}),
		bumpErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "hh_cache_tag_bump_errors_total", Help: "Tag bumps that failed (the cache is then bypassed until the epoch moves)."}),
	}
	if c != nil {
		c.OnRecovery(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = t.NewEpoch(ctx)
		})
	}
	return t
}

// Collectors are the tag store's metrics.
func (t *Tags) Collectors() []prometheus.Collector {
	return []prometheus.Collector{t.bumps, t.bumpErrors}
}

const epochTag = "epoch"

func (t *Tags) key(tag string) string { return t.c.Prefix + "{tags}:" + tag }

// Bump implements invalidate.Invalidator. It runs even when the caller's context is
// cancelled: the write is committed, the tags must move.
func (t *Tags) Bump(ctx context.Context, tags ...string) {
	if t == nil || t.c == nil || len(tags) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	pipe := t.c.Pipeline()
	for _, tag := range tags {
		pipe.Incr(ctx, t.key(tag))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.dirty.Store(true)
		t.bumpErrors.Inc()
		return
	}
	t.bumps.Add(float64(len(tags)))
}

// NewEpoch moves the global epoch to a value never used before (the time in nanoseconds),
// orphaning every cached answer.
func (t *Tags) NewEpoch(ctx context.Context) error {
	if err := t.c.Set(ctx, t.key(epochTag), strconv.FormatInt(time.Now().UnixNano(), 10), 0).Err(); err != nil {
		return err
	}
	t.dirty.Store(false)
	return nil
}

// DropAll makes every cached answer unreachable (moves the epoch); when Redis cannot be
// told, this instance stops using the cache until it can.
func (t *Tags) DropAll(ctx context.Context) {
	if t == nil || t.c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := t.NewEpoch(ctx); err != nil {
		t.dirty.Store(true)
		t.bumpErrors.Inc()
	}
}

// Versions returns the epoch followed by the versions of tags ("0" for a tag never
// bumped). An error means the versions are unknown and nothing may be read from or
// written to the cache.
func (t *Tags) Versions(ctx context.Context, tags []string) ([]string, error) {
	if t.dirty.Load() {
		if err := t.NewEpoch(ctx); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(tags)+1)
	keys = append(keys, t.key(epochTag))
	for _, tag := range tags {
		keys = append(keys, t.key(tag))
	}
	vals, err := t.c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = s
		} else {
			out[i] = "0"
		}
	}
	return out, nil
}
