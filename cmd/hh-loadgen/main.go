// Command hh-loadgen sends a bounded load of realistic GraphQL requests to a Helpende
// Handen server on this machine and prints the throughput and latency percentiles.
//
// It only talks to loopback addresses (127.0.0.0/8, ::1, localhost), never follows
// redirects or proxies, and stops by itself: it sends no new request after -requests
// requests or -duration (at most 60 seconds), whichever comes first, and waits at most
// -timeout for the requests still in flight.
//
//	hh-loadgen -url http://127.0.0.1:8080/graphql -scenario needs-search -concurrency 8 -duration 20s -requests 5000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Limits of one run.
const (
	maxDuration    = 60 * time.Second
	maxRequests    = 100_000
	maxConcurrency = 256
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hh-loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	url         string
	scenario    string
	concurrency int
	duration    time.Duration
	requests    int
	timeout     time.Duration
	seed        uint64
}

func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("hh-loadgen", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint; must be a loopback address")
	fs.StringVar(&o.scenario, "scenario", "needs-search", "what to send: "+strings.Join(scenarioNames(), ", "))
	fs.IntVar(&o.concurrency, "concurrency", 8, fmt.Sprintf("requests in flight (1–%d)", maxConcurrency))
	fs.DurationVar(&o.duration, "duration", 10*time.Second, fmt.Sprintf("stop after this long (at most %s)", maxDuration))
	fs.IntVar(&o.requests, "requests", 2000, fmt.Sprintf("stop after this many requests (at most %d)", maxRequests))
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the pseudo-random mix (same seed, same requests)")
	matchingFlags(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch {
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return o, fmt.Errorf("-concurrency must be between 1 and %d", maxConcurrency)
	case o.duration <= 0 || o.duration > maxDuration:
		return o, fmt.Errorf("-duration must be more than 0 and at most %s", maxDuration)
	case o.requests < 1 || o.requests > maxRequests:
		return o, fmt.Errorf("-requests must be between 1 and %d", maxRequests)
	case o.timeout <= 0 || o.timeout > maxDuration:
		return o, fmt.Errorf("-timeout must be more than 0 and at most %s", maxDuration)
	}
	if _, ok := scenarios[o.scenario]; !ok {
		return o, fmt.Errorf("unknown -scenario %q (known: %s)", o.scenario, strings.Join(scenarioNames(), ", "))
	}
	if err := checkLoopbackURL(o.url); err != nil {
		return o, err
	}
	return o, nil
}

// checkLoopbackURL refuses any URL whose host is not a loopback address.
func checkLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-url must be http:// or https://")
	}
	if u.User != nil {
		return fmt.Errorf("-url must not hold credentials")
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("-url has no host")
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url must point at this machine (127.0.0.1, ::1 or localhost), not %q", host)
	}
	return nil
}

// loopbackDialer only connects to loopback IPs, whatever a name resolves to.
func loopbackDialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		for _, ip := range ips {
			if ip.IP.IsLoopback() {
				return d.DialContext(ctx, network, net.JoinHostPort(ip.IP.String(), port))
			}
		}
		return nil, fmt.Errorf("refusing to connect to %s: not a loopback address", host)
	}
}

func newClient(o options, conns int) *http.Client {
	return &http.Client{
		Timeout: o.timeout,
		Transport: &http.Transport{
			Proxy:               nil, // never through a proxy
			DialContext:         loopbackDialer(),
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("redirects are not followed")
		},
	}
}

// gqlRequest is one GraphQL request of a scenario.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
	// Token is the session token of a signed-in viewer (sent as a bearer token), or "".
	Token string `json:"-"`
}

// scenario prepares (once, with the client) a generator of requests.
type scenario func(ctx context.Context, c *http.Client, endpoint string) (func(rng *rand.Rand) gqlRequest, error)

var scenarios = map[string]scenario{
	"needs-search": needsSearch,
	"needs-browse": needsBrowse,
	"need-by-id":   needByID,
	// Matching (matching.go): signed-in volunteers and coordinators or matchmakers.
	"recommended-needs":   recommendedNeeds,
	"candidates-for-need": candidatesForNeed,
}

func scenarioNames() []string {
	var names []string
	for k := range scenarios {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Words people search for, in Dutch, French and English (some with accents or a typo).
var searchWords = []string{
	"koken", "voedselbedeling", "huiswerkbegeleiding", "taalcafé", "taalcafe", "repair café", "boodschappen", "digitale hulp",
	"smartphone", "fietsen", "ouderen", "kinderen", "moestuin", "buurtfeest", "wandelen", "zwerfvuil", "bibliotheek",
	"voorlezen", "sport", "honden", "schilderen", "cuisine", "devoirs", "aide numérique", "vélos", "cooking", "homework",
	"language café", "food bank", "park clean-up", "kookt", "voedselbedelng", "huiswerk kinderen", "samen koken",
}

const needsSearchQuery = `query NeedsSearch($filter: NeedFilter, $first: Int) {
  needs(filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title placesLeft nextShiftStartsAt } }
  }
}`

// needsSearch: a volunteer searches open needs with a word, one or two districts and a
// date range of one to three weeks starting within the next two weeks (first 20).
func needsSearch(ctx context.Context, c *http.Client, endpoint string) (func(rng *rand.Rand) gqlRequest, error) {
	var out struct {
		Districts []struct {
			ID string `json:"id"`
		} `json:"districts"`
	}
	if err := do(ctx, c, endpoint, gqlRequest{Query: `{ districts { id } }`}, &out); err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	if len(out.Districts) == 0 {
		return nil, errors.New("load districts: none")
	}
	ids := make([]string, len(out.Districts))
	for i, d := range out.Districts {
		ids[i] = d.ID
	}
	now := time.Now()
	return func(rng *rand.Rand) gqlRequest {
		districts := []string{ids[rng.IntN(len(ids))]}
		if rng.IntN(3) == 0 {
			if d := ids[rng.IntN(len(ids))]; d != districts[0] {
				districts = append(districts, d)
			}
		}
		from := now.Add(time.Duration(rng.IntN(14*24)) * time.Hour).Truncate(time.Hour)
		to := from.AddDate(0, 0, 7+rng.IntN(15))
		return gqlRequest{Query: needsSearchQuery, Variables: map[string]any{
			"first": 20,
			"filter": map[string]any{
				"text":        searchWords[rng.IntN(len(searchWords))],
				"districtIds": districts,
				"from":        from.Format(time.RFC3339),
				"to":          to.Format(time.RFC3339),
			},
		}}
	}, nil
}

const needsBrowseQuery = `query NeedsBrowse($filter: NeedFilter, $first: Int) {
  needs(filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title placesLeft nextShiftStartsAt district { name } themes { name } organisation { name } } }
  }
}`

// zipf picks 0..n-1, low numbers far more often (a few popular pages get most traffic).
func zipf(rng *rand.Rand, n int) int {
	z := rand.NewZipf(rng, 1.2, 1, uint64(n-1))
	return int(z.Uint64())
}

// needsBrowse: what most visitors do on the public listing: the first page with no filter,
// or one district, one theme or a popular word, for the coming week, two weeks or month
// (dates by day, as the web client sends them). About a hundred distinct requests, the
// popular ones far more often: the hot-query cache's case.
func needsBrowse(ctx context.Context, c *http.Client, endpoint string) (func(rng *rand.Rand) gqlRequest, error) {
	var out struct {
		Districts []struct{ ID string } `json:"districts"`
		Themes    []struct{ ID string } `json:"themes"`
	}
	if err := do(ctx, c, endpoint, gqlRequest{Query: `{ districts { id } themes { id } }`}, &out); err != nil {
		return nil, fmt.Errorf("load districts and themes: %w", err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var filters []map[string]any
	for _, days := range []int{7, 14, 31} {
		dates := map[string]any{"from": today.Format(time.RFC3339), "to": today.AddDate(0, 0, days).Format(time.RFC3339)}
		with := func(k string, v any) map[string]any {
			f := map[string]any{k: v}
			for dk, dv := range dates {
				f[dk] = dv
			}
			return f
		}
		filters = append(filters, with("hasPlacesLeft", true))
		for _, d := range out.Districts {
			filters = append(filters, with("districtIds", []string{d.ID}))
		}
		for _, th := range out.Themes {
			filters = append(filters, with("themeIds", []string{th.ID}))
		}
		for _, w := range searchWords[:8] {
			filters = append(filters, with("text", w))
		}
	}
	return func(rng *rand.Rand) gqlRequest {
		return gqlRequest{Query: needsBrowseQuery, Variables: map[string]any{"first": 20, "filter": filters[zipf(rng, len(filters))]}}
	}, nil
}

const needByIDQuery = `query Need($id: ID!) {
  need(id: $id) {
    id title description placesLeft nextShiftStartsAt remote minimumAge
    organisation { name } district { name } themes { name } languages { name }
    shifts(first: 10) { edges { node { id startsAt endsAt placesLeft } } }
  }
}`

// needByID: a need's page, for one of the 500 needs listed first (popular ones more often).
func needByID(ctx context.Context, c *http.Client, endpoint string) (func(rng *rand.Rand) gqlRequest, error) {
	var ids []string
	after := any(nil)
	for len(ids) < 500 {
		var out struct {
			Needs struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct{ Node struct{ ID string } }
			}
		}
		if err := do(ctx, c, endpoint, gqlRequest{Query: `query($after: String) { needs(first: 100, after: $after, orderBy: SOONEST) {
			pageInfo { hasNextPage endCursor } edges { node { id } } } }`, Variables: map[string]any{"after": after}}, &out); err != nil {
			return nil, fmt.Errorf("load needs: %w", err)
		}
		for _, e := range out.Needs.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !out.Needs.PageInfo.HasNextPage {
			break
		}
		after = out.Needs.PageInfo.EndCursor
	}
	if len(ids) == 0 {
		return nil, errors.New("load needs: none")
	}
	return func(rng *rand.Rand) gqlRequest {
		return gqlRequest{Query: needByIDQuery, Variables: map[string]any{"id": ids[zipf(rng, len(ids))]}}
	}, nil
}

// gqlError is a GraphQL error of a response.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// errorKind says why a request failed, for the summary ("" when it did not).
type errorKind string

// send posts one request and reports how it went.
func send(ctx context.Context, c *http.Client, endpoint string, r gqlRequest) (errorKind, string) {
	body, err := json.Marshal(r)
	if err != nil {
		return "encode", err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "request", err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "cancelled", ""
		}
		return "transport", err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "transport", err.Error()
	}
	var out struct {
		Errors []gqlError `json:"errors"`
	}
	decodeErr := json.Unmarshal(b, &out)
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		if code == "" {
			code = "GRAPHQL_ERROR"
		}
		return errorKind(code), out.Errors[0].Message
	}
	if resp.StatusCode/100 != 2 {
		return errorKind(fmt.Sprintf("HTTP_%d", resp.StatusCode)), strings.TrimSpace(string(b[:min(len(b), 200)]))
	}
	if decodeErr != nil {
		return "decode", decodeErr.Error()
	}
	return "", ""
}

// do sends one request and decodes its data (setup requests of scenarios).
func do(ctx context.Context, c *http.Client, endpoint string, r gqlRequest, data any) error {
	body, _ := json.Marshal(r)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&out); err != nil {
		return fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return fmt.Errorf("%s", out.Errors[0].Message)
	}
	return json.Unmarshal(out.Data, data)
}

// result is what the workers measured.
type result struct {
	latencies []time.Duration // of successful requests
	errors    map[errorKind]int
	samples   map[errorKind]string
	elapsed   time.Duration
	sent      int
}

func run(args []string, stdout io.Writer) error {
	o, err := parseFlags(args, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := newClient(o, o.concurrency)
	setupCtx, cancelSetup := context.WithTimeout(ctx, max(o.timeout, setupTimeout))
	next, err := scenarios[o.scenario](setupCtx, client, o.url)
	cancelSetup()
	if err != nil {
		return fmt.Errorf("scenario %s: %w", o.scenario, err)
	}
	fmt.Fprintf(stdout, "hh-loadgen: %s on %s, %d in flight, at most %d requests or %s\n",
		o.scenario, o.url, o.concurrency, o.requests, o.duration)
	res := load(ctx, client, o, next)
	report(stdout, res)
	if res.sent > 0 && len(res.latencies) == 0 {
		return errors.New("every request failed")
	}
	return nil
}

// load runs the workers until the request budget is spent or the time is up. Requests in
// flight when the time is up are allowed to finish (within -timeout), so that they are
// neither cut off on the server nor left out of the figures; Ctrl-C cancels them.
func load(ctx context.Context, c *http.Client, o options, next func(*rand.Rand) gqlRequest) result {
	deadline := time.Now().Add(o.duration)
	var issued atomic.Int64
	var mu sync.Mutex
	res := result{errors: map[errorKind]int{}, samples: map[errorKind]string{}}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < o.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(o.seed, uint64(w)))
			var lat []time.Duration
			errs := map[errorKind]int{}
			samples := map[errorKind]string{}
			sent := 0
			for ctx.Err() == nil && time.Now().Before(deadline) && issued.Add(1) <= int64(o.requests) {
				r := next(rng)
				t0 := time.Now()
				kind, msg := send(ctx, c, o.url, r)
				d := time.Since(t0)
				if kind == "cancelled" {
					break // interrupted: not counted
				}
				sent++
				if kind == "" {
					lat = append(lat, d)
					continue
				}
				errs[kind]++
				if _, ok := samples[kind]; !ok {
					samples[kind] = msg
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.latencies = append(res.latencies, lat...)
			res.sent += sent
			for k, v := range errs {
				res.errors[k] += v
				if _, ok := res.samples[k]; !ok {
					res.samples[k] = samples[k]
				}
			}
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1)*p + 0.5)
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func report(w io.Writer, r result) {
	slices.Sort(r.latencies)
	failed := r.sent - len(r.latencies)
	fmt.Fprintf(w, "requests:   %d in %.1f s (%d ok, %d errors)\n", r.sent, r.elapsed.Seconds(), len(r.latencies), failed)
	if r.elapsed > 0 {
		fmt.Fprintf(w, "throughput: %.1f requests/s\n", float64(r.sent)/r.elapsed.Seconds())
	}
	if len(r.latencies) > 0 {
		fmt.Fprintf(w, "latency:    p50 %s, p95 %s, p99 %s, max %s (successful requests)\n",
			ms(percentile(r.latencies, 0.50)), ms(percentile(r.latencies, 0.95)),
			ms(percentile(r.latencies, 0.99)), ms(r.latencies[len(r.latencies)-1]))
	}
	kinds := make([]string, 0, len(r.errors))
	for k := range r.errors {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "errors:     %s × %d (e.g. %q)\n", k, r.errors[errorKind(k)], r.samples[errorKind(k)])
	}
}
