package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/cache/cachetest"
)

func redisURL() string {
	if v := os.Getenv("TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

func redisAddr(t *testing.T) string {
	u, err := url.Parse(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func prefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "hhtest:" + hex.EncodeToString(b) + ":"
}

// open returns a client on url with fast breaker settings, closed and cleaned after the test.
func open(t *testing.T, url, pfx string) *cache.Client {
	t.Helper()
	c, err := cache.OpenWith(url, pfx, cache.Settings{OpenFor: 50 * time.Millisecond, CallTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, pfx+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c
}

func live(t *testing.T) *cache.Client {
	c := open(t, redisURL(), prefix())
	if err := c.Ping(context.Background()); err != nil {
		t.Skipf("Redis is needed: %v", err)
	}
	return c
}

func TestOptionsParsesSingleServerAndCluster(t *testing.T) {
	for _, tc := range []struct {
		url     string
		cluster bool
		addrs   []string
		db      int
		pass    string
	}{
		{"redis://127.0.0.1:6379/0", false, []string{"127.0.0.1:6379"}, 0, ""},
		{"redis://:secret@cache.internal:6380/2", false, []string{"cache.internal:6380"}, 2, "secret"},
		{"10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000", true, []string{"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"}, 0, ""},
		{"redis://:pw@10.0.0.1:7000, redis://:pw@10.0.0.2:7001", true, []string{"10.0.0.1:7000", "10.0.0.2:7001"}, 0, "pw"},
	} {
		o, err := cache.Options(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		if o.IsClusterMode != tc.cluster || strings.Join(o.Addrs, ",") != strings.Join(tc.addrs, ",") || o.DB != tc.db || o.Password != tc.pass {
			t.Errorf("%s: got cluster=%v addrs=%v db=%d pass=%q", tc.url, o.IsClusterMode, o.Addrs, o.DB, o.Password)
		}
	}
	if _, err := cache.Options(""); err == nil {
		t.Error("empty URL accepted")
	}
	// Sentinel: the master's name and the Sentinels' addresses.
	o, err := cache.Options("redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/hh-master/3")
	if err != nil || o.MasterName != "hh-master" || strings.Join(o.Addrs, ",") != "10.0.0.1:26379,10.0.0.2:26379" ||
		o.DB != 3 || o.Password != "pw" || o.IsClusterMode {
		t.Errorf("sentinel: %+v, %v", o, err)
	}
	for _, bad := range []string{"redis-sentinel://10.0.0.1:26379", "redis-sentinel:///hh-master", "redis-sentinel://h:1/m/x"} {
		if _, err := cache.Options(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if c, err := cache.Open("redis-sentinel://127.0.0.1:1/hh-master", "t:"); err != nil {
		t.Errorf("open sentinel client: %v", err)
	} else {
		_ = c.Close()
	}
	// A cluster URL builds a cluster client without contacting anything.
	c, err := cache.Open("127.0.0.1:7000,127.0.0.1:7001", "x:")
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
}

// Every call against a dead or hung Redis fails (never hangs) and the breaker opens; the
// caller gets ErrUnavailable from then on without touching the network.
func TestUnreachableRedisFailsFastAndOpensTheBreaker(t *testing.T) {
	for name, addr := range map[string]string{"nothing listens": cachetest.DeadAddr(t), "never answers": cachetest.Blackhole(t)} {
		t.Run(name, func(t *testing.T) {
			c := open(t, "redis://"+addr+"/0", prefix())
			c.Tags() // registered before use, as in the server
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				if err := c.Set(ctx, c.Key("k"), "v", time.Minute).Err(); err == nil {
					t.Fatal("set succeeded against an unreachable Redis")
				}
			}
			if c.Available() {
				t.Fatalf("breaker %s after 3 failures, want open", c.BreakerState())
			}
			if err := c.Get(ctx, c.Key("k")).Err(); !errors.Is(err, cache.ErrUnavailable) {
				t.Fatalf("with the breaker open: %v, want ErrUnavailable", err)
			}
			if s := c.Status(ctx); s != "degraded" {
				t.Fatalf("status %q, want degraded", s)
			}
		})
	}
}

type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// The breaker opens when Redis goes away and closes again by itself when it is back; the
// outage and the recovery are logged once each.
func TestBreakerOpensAndClosesAgain(t *testing.T) {
	p := cachetest.NewProxy(t, redisAddr(t))
	c := open(t, "redis://"+p.Addr+"/0", prefix())
	var log lines
	c.SetLogger(slog.New(slog.NewTextHandler(&log, nil)))
	ctx := context.Background()
	if err := c.Set(ctx, c.Key("k"), "v", time.Minute).Err(); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	p.Set(cachetest.Refuse)
	for i := 0; i < 10 && c.Available(); i++ {
		_ = c.Get(ctx, c.Key("k")).Err()
	}
	if c.Available() {
		t.Fatal("breaker did not open")
	}
	p.Set(cachetest.Forward)
	var got string
	for i := 0; i < 200; i++ { // the breaker lets a probe through after OpenFor
		if v, err := c.Get(ctx, c.Key("k")).Result(); err == nil {
			got = v
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got != "v" || c.BreakerState() != "closed" {
		t.Fatalf("after Redis came back: %q, breaker %s", got, c.BreakerState())
	}
	if down, up := log.count("redis unavailable"), log.count("redis is back"); down != 1 || up != 1 {
		t.Fatalf("logged the outage %d times and the recovery %d times, want once each:\n%s", down, up, log.b.String())
	}
}

func TestTagsBumpAndEpoch(t *testing.T) {
	c := live(t)
	ctx := context.Background()
	tags := c.Tags()
	v1, err := tags.Versions(ctx, []string{"needs", "need:1"})
	if err != nil {
		t.Fatal(err)
	}
	tags.Bump(ctx, "need:1")
	v2, _ := tags.Versions(ctx, []string{"needs", "need:1"})
	if v1[1] != v2[1] || v1[2] == v2[2] || v1[0] != v2[0] {
		t.Fatalf("bump need:1: %v → %v", v1, v2)
	}
	if err := tags.NewEpoch(ctx); err != nil {
		t.Fatal(err)
	}
	v3, _ := tags.Versions(ctx, []string{"needs", "need:1"})
	if v3[0] == v2[0] {
		t.Fatalf("epoch did not move: %v → %v", v2, v3)
	}
}

// A bump that cannot reach Redis makes the instance move the epoch before it reads the
// cache again, so entries that missed the bump are never served.
func TestFailedBumpMovesTheEpoch(t *testing.T) {
	p := cachetest.NewProxy(t, redisAddr(t))
	c := open(t, "redis://"+p.Addr+"/0", prefix())
	ctx := context.Background()
	before, err := c.Tags().Versions(ctx, []string{"needs"})
	if err != nil {
		t.Fatal(err)
	}
	p.Set(cachetest.Refuse)
	c.Tags().Bump(ctx, "needs")
	p.Set(cachetest.Forward)
	var after []string
	for i := 0; i < 200; i++ {
		if after, err = c.Tags().Versions(ctx, []string{"needs"}); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || after[0] == before[0] {
		t.Fatalf("epoch %v → %v (%v): a lost bump must orphan the cache", before, after, err)
	}
}

func TestRateLimitCountsPerWindowAndSaysWhenToRetry(t *testing.T) {
	c := live(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if ok, _, err := c.RateLimit(ctx, "mut:a", 1, 3, time.Minute); !ok || err != nil {
			t.Fatalf("call %d refused (%v)", i+1, err)
		}
	}
	ok, retry, err := c.RateLimit(ctx, "mut:a", 1, 3, time.Minute)
	if ok || err != nil || retry <= 0 || retry > time.Minute {
		t.Fatalf("4th call: ok=%v retry=%v err=%v", ok, retry, err)
	}
	if ok, _, _ := c.RateLimit(ctx, "mut:b", 1, 3, time.Minute); !ok {
		t.Fatal("another caller was limited")
	}
}

func TestEntriesAndLocks(t *testing.T) {
	c := live(t)
	ctx := context.Background()
	k := c.Key("qc", "x")
	if e, err := c.GetEntry(ctx, k); e != nil || err != nil {
		t.Fatalf("empty: %v %v", e, err)
	}
	if err := c.SetEntry(ctx, k, []byte(`{"a":1}`), time.Minute, time.Second); err != nil {
		t.Fatal(err)
	}
	e, err := c.GetEntry(ctx, k)
	if err != nil || e == nil || string(e.Data) != `{"a":1}` || !e.Fresh(time.Now()) {
		t.Fatalf("got %+v %v", e, err)
	}
	if ok, _ := c.TryLock(ctx, k+":lock", time.Minute); !ok {
		t.Fatal("first lock refused")
	}
	if ok, _ := c.TryLock(ctx, k+":lock", time.Minute); ok {
		t.Fatal("second lock granted")
	}
	c.Unlock(ctx, k+":lock")
	if ok, _ := c.TryLock(ctx, k+":lock", time.Minute); !ok {
		t.Fatal("lock after unlock refused")
	}
}

func TestPersistedQueriesAndAllowList(t *testing.T) {
	c := live(t)
	ctx := context.Background()
	a, b := cache.NewPersistedQueries(c), cache.NewPersistedQueries(c) // two instances
	q := "{ districts { key } }"
	a.Add(ctx, cache.Hash(q), q)
	if got, ok := b.Get(ctx, cache.Hash(q)); !ok || got != q {
		t.Fatalf("other instance: %q %v", got, ok)
	}
	ro := cache.NewPersistedQueries(c)
	ro.ReadOnly = true
	ro.Add(ctx, cache.Hash("{ themes { key } }"), "{ themes { key } }")
	if ro.Known(ctx, cache.Hash("{ themes { key } }")) {
		t.Fatal("read-only store registered a client's query")
	}
	if _, err := ro.Register(ctx, "{ themes { key } }"); err != nil || !b.Known(ctx, cache.Hash("{ themes { key } }")) {
		t.Fatalf("register: %v", err)
	}

	dir := t.TempDir()
	list := filepath.Join(dir, "hashes.json")
	_ = os.WriteFile(list, []byte(`["`+cache.Hash(q)+`"]`), 0o600)
	hashes, queries, err := cache.LoadAllowList(list)
	if err != nil || !hashes[cache.Hash(q)] || len(queries) != 0 {
		t.Fatalf("array: %v %v %v", hashes, queries, err)
	}
	manifest := filepath.Join(dir, "manifest.json")
	_ = os.WriteFile(manifest, []byte(`{"`+cache.Hash(q)+`": "`+q+`"}`), 0o600)
	if _, queries, err = cache.LoadAllowList(manifest); err != nil || queries[cache.Hash(q)] != q {
		t.Fatalf("manifest: %v %v", queries, err)
	}
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"abc": "`+q+`"}`), 0o600)
	if _, _, err := cache.LoadAllowList(bad); err == nil {
		t.Fatal("a manifest whose hash does not match was accepted")
	}
}

func TestBusAcrossInstancesAndWithoutRedis(t *testing.T) {
	a := live(t)
	b := open(t, redisURL(), a.Prefix) // another instance, same Redis and prefix
	busA, busB := cache.NewBus(a), cache.NewBus(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	onB := busB.Subscribe(ctx, "wallet:p1")
	onA := busA.Subscribe(ctx, "wallet:p1")
	other := busB.Subscribe(ctx, "wallet:p2")
	busA.Publish(ctx, "wallet:p1", []byte("42"))
	for name, ch := range map[string]<-chan []byte{"same instance": onA, "other instance": onB} {
		select {
		case m := <-ch:
			if string(m) != "42" {
				t.Fatalf("%s got %q", name, m)
			}
		case <-ctx.Done():
			t.Fatalf("%s got nothing", name)
		}
	}
	select {
	case m := <-onA:
		t.Fatalf("the publisher's instance got a duplicate %q", m)
	case m := <-other:
		t.Fatalf("another topic got %q", m)
	case <-time.After(100 * time.Millisecond):
	}

	// Without Redis, subscribers on the same instance still get it.
	dead := cache.NewBus(open(t, "redis://"+cachetest.DeadAddr(t)+"/0", prefix()))
	ch := dead.Subscribe(ctx, "t")
	dead.Publish(ctx, "t", []byte("x"))
	if m := <-ch; string(m) != "x" {
		t.Fatalf("in-process fallback got %q", m)
	}
}
