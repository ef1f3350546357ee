package cache

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// ErrUnavailable is returned instead of calling Redis while the breaker is open.
var ErrUnavailable = errors.New("redis unavailable (circuit open)")

func (st Settings) withDefaults() Settings {
	if st.DialTimeout <= 0 {
		st.DialTimeout = 300 * time.Millisecond
	}
	if st.CallTimeout <= 0 {
		st.CallTimeout = 200 * time.Millisecond
	}
	if st.FailuresToTrip == 0 {
		st.FailuresToTrip = 3
	}
	if st.OpenFor <= 0 {
		st.OpenFor = 5 * time.Second
	}
	return st
}

// resilience is a go-redis hook: every command and pipeline passes a circuit breaker and is
// measured. Answers that come from Redis (including redis.Nil and server errors such as
// WRONGTYPE) count as success for the breaker; timeouts and connection errors as failure.
type resilience struct {
	breaker *gobreaker.CircuitBreaker[struct{}]
	log     atomic.Pointer[slog.Logger]

	mu         sync.Mutex
	onRecovery []func()

	latency      *prometheus.HistogramVec
	errors       *prometheus.CounterVec
	breakerState prometheus.Gauge
	usedMemory   prometheus.Gauge
}

func newResilience(st Settings) *resilience {
	r := &resilience{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hh_redis_command_duration_seconds", Help: "Redis command (or pipeline) duration.",
			Buckets: []float64{.0002, .0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hh_redis_errors_total", Help: "Redis calls that failed, by reason (unavailable = refused by the open breaker).",
		}, []string{"reason"}),
		breakerState: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hh_redis_breaker_state", Help: "Redis circuit breaker: 0 closed (using Redis), 1 half-open (probing), 2 open (bypassing Redis).",
		}),
		usedMemory: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hh_redis_used_memory_bytes", Help: "Memory Redis uses (INFO memory), sampled at each readiness check; the size of the cache.",
		}),
	}
	if st.Log != nil {
		r.log.Store(st.Log)
	}
	r.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1,
		Timeout:     st.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= st.FailuresToTrip },
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, redis.Nil) || errors.Is(err, redis.TxFailedErr) || isServerError(err)
		},
		// The caller giving up is no verdict on Redis.
		IsExcluded:    func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: r.stateChanged,
	})
	return r
}

func isServerError(err error) bool {
	var re redis.Error
	if errors.As(err, &re) {
		// A timeout or a closed connection is not an answer from Redis.
		var ne net.Error
		return !errors.As(err, &ne)
	}
	return false
}

func (r *resilience) logger() *slog.Logger {
	if l := r.log.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// stateChanged logs an outage once when the breaker opens from closed, and the recovery
// once when it closes again; half-open probes that fail stay quiet.
func (r *resilience) stateChanged(_ string, from, to gobreaker.State) {
	switch to {
	case gobreaker.StateClosed:
		r.breakerState.Set(0)
		r.logger().Info("redis is back: caching, rate limits and cross-instance updates are on again")
		r.mu.Lock()
		fns := append([]func(){}, r.onRecovery...)
		r.mu.Unlock()
		for _, f := range fns {
			go f()
		}
	case gobreaker.StateHalfOpen:
		r.breakerState.Set(1)
	case gobreaker.StateOpen:
		r.breakerState.Set(2)
		if from == gobreaker.StateClosed {
			r.logger().Warn("redis unavailable: serving from PostgreSQL without cache, rate limits fail open, live updates stay within this instance")
		}
	}
}

func (r *resilience) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *resilience) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return r.run(ctx, "command", func(ctx context.Context) error { return next(ctx, cmd) }, func(err error) { cmd.SetErr(err) })
	}
}

func (r *resilience) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return r.run(ctx, "pipeline", func(ctx context.Context) error { return next(ctx, cmds) }, func(err error) {
			for _, c := range cmds {
				c.SetErr(err)
			}
		})
	}
}

type inBreakerKey struct{}

func (r *resilience) run(ctx context.Context, kind string, call func(context.Context) error, refuse func(error)) error {
	if ctx.Value(inBreakerKey{}) != nil {
		// A command go-redis runs while serving ours (HELLO on a new connection): the
		// outer call is already counted.
		return call(ctx)
	}
	start := time.Now()
	var callErr error
	_, err := r.breaker.Execute(func() (struct{}, error) {
		callErr = call(context.WithValue(ctx, inBreakerKey{}, true))
		return struct{}{}, callErr
	})
	switch {
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		r.errors.WithLabelValues("unavailable").Inc()
		refuse(ErrUnavailable)
		return ErrUnavailable
	case callErr != nil && !errors.Is(callErr, redis.Nil) && !errors.Is(callErr, redis.TxFailedErr):
		reason := "error"
		var ne net.Error
		if errors.As(callErr, &ne) && ne.Timeout() || errors.Is(callErr, context.DeadlineExceeded) {
			reason = "timeout"
		} else if isServerError(callErr) {
			reason = "server"
		}
		r.errors.WithLabelValues(reason).Inc()
	}
	r.latency.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	return callErr
}

// SetLogger sets where outage and recovery are logged.
func (c *Client) SetLogger(l *slog.Logger) {
	if c != nil && l != nil {
		c.res.log.Store(l)
	}
}

// OnRecovery registers f to run (in a goroutine) each time Redis is usable again after an
// outage.
func (c *Client) OnRecovery(f func()) {
	c.res.mu.Lock()
	c.res.onRecovery = append(c.res.onRecovery, f)
	c.res.mu.Unlock()
}

// Available reports whether calls go to Redis (breaker closed or probing).
func (c *Client) Available() bool { return c != nil && c.res.breaker.State() != gobreaker.StateOpen }

// BreakerState is "closed", "half-open" or "open".
func (c *Client) BreakerState() string { return c.res.breaker.State().String() }

// Collectors are the client's Prometheus metrics.
func (c *Client) Collectors() []prometheus.Collector {
	return []prometheus.Collector{c.res.latency, c.res.errors, c.res.breakerState, c.res.usedMemory}
}

// Status is Redis's state for /readyz: "ok", or "degraded" when it does not answer (the
// platform then runs without it). It also samples Redis's memory use.
func (c *Client) Status(ctx context.Context) string {
	if c == nil {
		return "not configured"
	}
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	info, err := c.UniversalClient.Info(ctx, "memory").Result()
	if err != nil {
		return "degraded"
	}
	var used float64
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			used, _ = strconv.ParseFloat(v, 64)
		}
	}
	c.res.usedMemory.Set(used)
	return "ok"
}
