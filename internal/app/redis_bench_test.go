package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// BenchmarkNeedsListing measures the public needs listing through HTTP and GraphQL on
// loopback with 1, 50 and 200 clients, with the hot-query cache on and off, on a small
// test database (cmd/hh-loadgen measures the large one; see BENCHMARKS.md).
//
//	go test ./internal/app/ -run '^$' -bench NeedsListing -benchtime 2s
func BenchmarkNeedsListing(b *testing.B) {
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cache=%v", cached), func(b *testing.B) {
			p := instances(b, 1, func(c *config.Config) { c.QueryCache = cached; c.RateAnonCost = 0 })[0]
			_, coord, orgID := org(b, p, "Bench")
			for i := 0; i < 30; i++ {
				publishedNeed(b, coord, orgID, fmt.Sprintf("Need %d", i), 3)
			}
			const q = `{ needs(first: 20) { totalCount edges { node { id title placesLeft nextShiftStartsAt organisation { name } themes { name } } } } }`
			for _, clients := range []int{1, 50, 200} {
				b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
					hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
					b.SetParallelism(max(1, clients/2)) // goroutines = parallelism × GOMAXPROCS (2 here)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						c := &testutil.Client{URL: p.URL, HTTP: hc, Header: http.Header{}}
						for pb.Next() {
							if r := c.Do(b, q, nil); len(r.Errors) > 0 {
								b.Errorf("%+v", r.Errors)
								return
							}
						}
					})
				})
			}
		})
	}
}
