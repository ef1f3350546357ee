package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

const (
	ipA = "198.51.100.7"
	ipB = "203.0.113.9"
)

// newThrottle returns a throttle on this test's own Redis prefix, with its Redis client.
func newThrottle(t *testing.T, accountAllowed, addressAllowed int64) (*accounts.Throttle, *cache.Client) {
	t.Helper()
	r := testutil.NewRedis(t)
	th := accounts.NewThrottle(r, testutil.Logger(t))
	th.AccountAllowed, th.AddressAllowed = accountAllowed, addressAllowed
	return th, r
}

// retryAfter returns the wait Check asks for, 0 when not limited; other errors fail the test.
func retryAfter(t *testing.T, th *accounts.Throttle, email, ip string) time.Duration {
	t.Helper()
	err := th.Check(context.Background(), email, ip)
	if err == nil {
		return 0
	}
	var rl *errs.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("Check(%s, %s) = %v, want nil or *errs.RateLimitedError", email, ip, err)
	}
	if rl.RetryAfter <= 0 {
		t.Fatalf("Check(%s, %s) is limited with RetryAfter %v, want > 0", email, ip, rl.RetryAfter)
	}
	return rl.RetryAfter
}

func TestThrottleLocksAnAccountAfterTheAllowedFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th, _ := newThrottle(t, 3, 100)
	const email = "anna@example.be"
	for i := 1; i < 3; i++ {
		th.Fail(ctx, email, ipA)
		if d := retryAfter(t, th, email, ipA); d != 0 {
			t.Fatalf("after %d failures (3 allowed) the account is locked for %v", i, d)
		}
	}
	th.Fail(ctx, email, ipA)
	tests := []struct {
		name, email, ip string
		limited         bool
	}{
		{"same account, same address", email, ipA, true},
		{"same account from another address", email, ipB, true},
		{"other account from another address", "bert@example.be", ipB, false},
		{"other account from the same address (below its threshold)", "bert@example.be", ipA, false},
	}
	for _, tt := range tests {
		d := retryAfter(t, th, tt.email, tt.ip)
		if tt.limited && (d <= 0 || d > time.Second) {
			t.Errorf("%s: RetryAfter = %v, want in (0, 1s] after the allowed failures", tt.name, d)
		}
		if !tt.limited && d != 0 {
			t.Errorf("%s: limited for %v, want not limited", tt.name, d)
		}
	}
}

func TestThrottleLockDoublesWithEachFurtherFailureUpToTheCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th, _ := newThrottle(t, 2, 1000)
	th.MaxLock = 3 * time.Second
	tests := []struct {
		failures int
		min, max time.Duration
	}{
		{1, 0, 0},
		{2, time.Millisecond, time.Second},
		{3, time.Second + time.Millisecond, 2 * time.Second},
		{4, 2*time.Second + time.Millisecond, 3 * time.Second}, // 4s, capped at 3s
		{5, 2*time.Second + time.Millisecond, 3 * time.Second}, // still capped
	}
	done := 0
	for _, tt := range tests {
		for ; done < tt.failures; done++ {
			th.Fail(ctx, "doubling@example.be", ipA)
		}
		d := retryAfter(t, th, "doubling@example.be", ipA)
		if d < tt.min || d > tt.max {
			t.Errorf("after %d failures: RetryAfter = %v, want in [%v, %v]", tt.failures, d, tt.min, tt.max)
		}
	}
}

func TestThrottleSucceedClearsTheAccountButNotTheAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th, _ := newThrottle(t, 2, 4)
	const email = "carla@example.be"
	th.Fail(ctx, email, ipA)
	th.Fail(ctx, email, ipA)
	if retryAfter(t, th, email, ipB) == 0 {
		t.Fatalf("account not locked after 2 failures (2 allowed)")
	}
	th.Succeed(ctx, email)
	if d := retryAfter(t, th, email, ipB); d != 0 {
		t.Errorf("after Succeed the account is still locked for %v", d)
	}
	// The account's counter starts again: one new failure does not lock it.
	th.Fail(ctx, email, ipB)
	if d := retryAfter(t, th, email, ipB); d != 0 {
		t.Errorf("one failure after Succeed locks the account for %v; the old failures were not forgotten", d)
	}
	// Address A still remembers its two failures: two more (other accounts) reach its threshold of 4.
	th.Fail(ctx, "x1@example.be", ipA)
	th.Fail(ctx, "x2@example.be", ipA)
	if retryAfter(t, th, "fresh@example.be", ipA) == 0 {
		t.Errorf("address not locked after 4 failures in total: Succeed must not clear the address counter")
	}
}

func TestThrottleAddressThresholdAppliesAcrossEmails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th, _ := newThrottle(t, 100, 4)
	for i := 0; i < 3; i++ {
		th.Fail(ctx, fmt.Sprintf("user%d@example.be", i), ipA)
	}
	if d := retryAfter(t, th, "fresh@example.be", ipA); d != 0 {
		t.Fatalf("address locked after 3 failures (4 allowed) for %v", d)
	}
	th.Fail(ctx, "user3@example.be", ipA)
	tests := []struct {
		name, email, ip string
		limited         bool
	}{
		{"new account from the address", "fresh@example.be", ipA, true},
		{"failed account from the address", "user0@example.be", ipA, true},
		{"new account from another address", "fresh@example.be", ipB, false},
		{"failed account from another address", "user3@example.be", ipB, false},
	}
	for _, tt := range tests {
		d := retryAfter(t, th, tt.email, tt.ip)
		if tt.limited && (d <= 0 || d > time.Second) {
			t.Errorf("%s: RetryAfter = %v, want in (0, 1s]", tt.name, d)
		}
		if !tt.limited && d != 0 {
			t.Errorf("%s: limited for %v, want not limited", tt.name, d)
		}
	}
}

func TestThrottleKeepsNoEmailOrAddressInRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th, r := newThrottle(t, 1, 1)
	th.Fail(ctx, "private.person@example.be", ipA)
	keys, err := r.Keys(ctx, r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 {
		t.Errorf("keys = %v, want 2 counters and 2 locks", keys)
	}
	for _, k := range keys {
		if strings.Contains(k, "private.person") || strings.Contains(k, ipA) {
			t.Errorf("Redis key %q holds the email or address in clear", k)
		}
	}
}

func TestThrottleIsOffWithoutRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := accounts.NewThrottle(nil, testutil.Logger(t))
	for i := 0; i < 50; i++ {
		th.Fail(ctx, "anna@example.be", ipA)
	}
	th.Succeed(ctx, "anna@example.be")
	if err := th.Check(ctx, "anna@example.be", ipA); err != nil {
		t.Errorf("Check without Redis = %v, want nil", err)
	}
}

func TestThrottleLetsLoginsThroughWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Nothing listens on port 1: every connection attempt is refused at once.
	down, err := cache.Open("redis://127.0.0.1:1/0", "hhtest:down:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = down.Close() })
	th := accounts.NewThrottle(down, testutil.Logger(t))
	th.AccountAllowed = 1
	// How long a call takes with Redis down is a matter for benchmarks, not unit tests;
	// here: the calls give no error, so logins go on without throttling.
	calls := []struct {
		name string
		call func() error
	}{
		{"Fail", func() error { th.Fail(ctx, "anna@example.be", ipA); return nil }},
		{"Check", func() error { return th.Check(ctx, "anna@example.be", ipA) }},
		{"Succeed", func() error { th.Succeed(ctx, "anna@example.be"); return nil }},
	}
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Errorf("%s with Redis down = %v, want nil (logins go through without throttling)", c.name, err)
		}
	}
}
