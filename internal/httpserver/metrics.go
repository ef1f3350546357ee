package httpserver

import (
	"context"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, on a registry of its own so that several
// servers can live in one process (tests).
type metrics struct {
	registry       *prometheus.Registry
	httpDuration   *prometheus.HistogramVec
	operations     *prometheus.CounterVec
	opDuration     *prometheus.HistogramVec
	internalErrors prometheus.Counter
	redisUp        prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hh_http_request_duration_seconds", Help: "HTTP request duration by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hh_graphql_operations_total", Help: "GraphQL operations by type, name and outcome.",
		}, []string{"type", "name", "outcome"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hh_graphql_operation_duration_seconds", Help: "GraphQL operation duration by type and name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"type", "name"}),
		internalErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hh_internal_errors_total", Help: "Errors shown to users as INTERNAL.",
		}),
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hh_redis_up", Help: "1 when the last Redis check succeeded.",
		}),
	}
	m.registry.MustRegister(m.httpDuration, m.operations, m.opDuration, m.internalErrors, m.redisUp,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observeHTTP(route, method string, status int, d time.Duration) {
	if status == 0 {
		status = 200
	}
	m.httpDuration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// operationName keeps label cardinality bounded: only named operations of reasonable length.
func operationName(rc *graphql.OperationContext) string {
	n := rc.OperationName
	if n == "" && rc.Operation != nil {
		n = rc.Operation.Name
	}
	if n == "" {
		return "(anonymous)"
	}
	if len(n) > 64 {
		return "(long)"
	}
	return n
}

// aroundResponses counts operations and their outcome.
func (m *metrics) aroundResponses(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	rc := graphql.GetOperationContext(ctx)
	typ := "unknown"
	if rc.Operation != nil {
		typ = string(rc.Operation.Operation)
	}
	name := operationName(rc)
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	m.operations.WithLabelValues(typ, name, outcome).Inc()
	m.opDuration.WithLabelValues(typ, name).Observe(time.Since(start).Seconds())
	return resp
}
