package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Entry is a cached answer: its bytes and until when it is fresh. After that it may
// still be served for a grace period while one request rebuilds it (its tag versions are
// part of its key, so it only ever ages, it is never invalidated in place).
type Entry struct {
	Data       []byte
	FreshUntil time.Time
}

// Fresh reports whether the entry is still fresh at now.
func (e *Entry) Fresh(now time.Time) bool { return now.Before(e.FreshUntil) }

// GetEntry returns the entry at key, or nil when there is none.
func (c *Client) GetEntry(ctx context.Context, key string) (*Entry, error) {
	b, err := c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(b) < 8 {
		return nil, nil
	}
	return &Entry{FreshUntil: time.UnixMilli(int64(binary.BigEndian.Uint64(b[:8]))), Data: b[8:]}, nil
}

// SetEntry stores data at key, fresh for fresh and kept for grace longer.
func (c *Client) SetEntry(ctx context.Context, key string, data []byte, fresh, grace time.Duration) error {
	b := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint64(b, uint64(time.Now().Add(fresh).UnixMilli()))
	b = append(b, data...)
	return c.Set(ctx, key, b, fresh+grace).Err()
}

// TryLock takes a short lock (SET NX PX): true when this caller got it.
func (c *Client) TryLock(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return c.SetNX(ctx, key, "1", ttl).Result()
}

// Unlock releases a lock taken with TryLock.
func (c *Client) Unlock(ctx context.Context, key string) {
	_ = c.Del(context.WithoutCancel(ctx), key).Err()
}

// RateLimit adds cost to the caller's counter for the current fixed window of length
// window and reports whether the total stays within limit; when it does not, retryAfter
// is the time until the window ends. Errors mean "unknown": callers let the request
// through (fail open).
func (c *Client) RateLimit(ctx context.Context, key string, cost, limit int64, window time.Duration) (allowed bool, retryAfter time.Duration, err error) {
	now := time.Now()
	idx := now.UnixMilli() / window.Milliseconds()
	k := c.Key("rl", key, strconv.FormatInt(idx, 10))
	pipe := c.TxPipeline()
	n := pipe.IncrBy(ctx, k, cost)
	pipe.PExpire(ctx, k, window+time.Second)
	if _, err := pipe.Exec(ctx); err != nil {
		return true, 0, err
	}
	if n.Val() <= limit {
		return true, 0, nil
	}
	end := time.UnixMilli((idx + 1) * window.Milliseconds())
	return false, end.Sub(now), nil
}
