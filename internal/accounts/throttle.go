package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Throttle slows down repeated failed logins, per account and per address, with
// counters in Redis (shared by every API instance). After a number of failures in a
// window, each further failure locks attempts for a doubling time, up to a cap.
// An address gets a higher threshold than an account: a library or community centre
// puts many people behind one address.
type Throttle struct {
	redis *cache.Client
	log   *slog.Logger
	down  atomic.Bool

	Window         time.Duration
	AccountAllowed int64
	AddressAllowed int64
	MaxLock        time.Duration
}

// NewThrottle returns a throttle; redis may be nil (then nothing is throttled).
func NewThrottle(redis *cache.Client, log *slog.Logger) *Throttle {
	return &Throttle{redis: redis, log: log, Window: 15 * time.Minute, AccountAllowed: 5, AddressAllowed: 30, MaxLock: 15 * time.Minute}
}

func keyHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

func (t *Throttle) keys(email, ip string) (acctCount, acctLock, ipCount, ipLock string) {
	a, i := keyHash(email), keyHash(ip)
	return t.redis.Key("login", "acct", a, "n"), t.redis.Key("login", "acct", a, "lock"),
		t.redis.Key("login", "ip", i, "n"), t.redis.Key("login", "ip", i, "lock")
}

func (t *Throttle) redisFailed(ctx context.Context, err error) {
	if t.down.CompareAndSwap(false, true) {
		t.log.WarnContext(ctx, "redis unavailable: login throttling is off until it is back", "err", err)
	}
}

func (t *Throttle) redisOK(ctx context.Context) {
	if t.down.CompareAndSwap(true, false) {
		t.log.InfoContext(ctx, "redis is back: login throttling is on again")
	}
}

// Check returns a *errs.RateLimitedError while the account or the address is locked.
func (t *Throttle) Check(ctx context.Context, email, ip string) error {
	if t.redis == nil {
		return nil
	}
	_, acctLock, _, ipLock := t.keys(email, ip)
	pipe := t.redis.Pipeline()
	a := pipe.PTTL(ctx, acctLock)
	i := pipe.PTTL(ctx, ipLock)
	if _, err := pipe.Exec(ctx); err != nil {
		t.redisFailed(ctx, err)
		return nil
	}
	t.redisOK(ctx)
	wait := max(a.Val(), i.Val())
	if wait > 0 {
		return &errs.RateLimitedError{RetryAfter: wait}
	}
	return nil
}

func (t *Throttle) lockFor(failures, allowed int64) time.Duration {
	if failures < allowed {
		return 0
	}
	d := time.Second << min(failures-allowed, 20)
	return min(d, t.MaxLock)
}

// Fail records a failed attempt.
func (t *Throttle) Fail(ctx context.Context, email, ip string) {
	if t.redis == nil {
		return
	}
	acctCount, acctLock, ipCount, ipLock := t.keys(email, ip)
	pipe := t.redis.TxPipeline()
	a := pipe.Incr(ctx, acctCount)
	pipe.Expire(ctx, acctCount, t.Window)
	i := pipe.Incr(ctx, ipCount)
	pipe.Expire(ctx, ipCount, t.Window)
	if _, err := pipe.Exec(ctx); err != nil {
		t.redisFailed(ctx, err)
		return
	}
	if d := t.lockFor(a.Val(), t.AccountAllowed); d > 0 {
		t.redis.Set(ctx, acctLock, "1", d)
	}
	if d := t.lockFor(i.Val(), t.AddressAllowed); d > 0 {
		t.redis.Set(ctx, ipLock, "1", d)
	}
}

// Succeed forgets the account's failures (not the address's).
func (t *Throttle) Succeed(ctx context.Context, email string) {
	if t.redis == nil {
		return
	}
	acctCount, acctLock, _, _ := t.keys(email, "")
	if err := t.redis.Del(ctx, acctCount, acctLock).Err(); err != nil {
		t.redisFailed(ctx, err)
	}
}
