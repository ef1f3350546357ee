package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"golang.org/x/sync/singleflight"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/invalidate"
	"github.com/helpende-handen/helpende-handen/internal/relay"
)

// CachePolicy says how the answer of one root query field is cached.
type CachePolicy struct {
	// Shared: a signed-in viewer gets the same answer as an anonymous one, so signed-in
	// viewers share the public entry unless the query selects a viewer-dependent field
	// (ViewerDependentFields). When false, signed-in viewers get entries of their own.
	Shared bool
	// ViewerArgs reports whether these arguments make a shared field's answer depend on
	// the viewer after all (e.g. needs with filter.statuses, which members use for drafts).
	ViewerArgs func(args map[string]any) bool
	// TTL is how long an entry is fresh; it may be served for TTL/2 longer while one
	// request rebuilds it (its tag versions are unchanged, so no write touched it).
	TTL time.Duration
	// Tags are the tags the answer depends on, from the field's arguments.
	Tags func(args map[string]any) []string
}

// PerViewerTTL caps the lifetime of entries that belong to one viewer.
const PerViewerTTL = 30 * time.Second

func staticTags(tags ...string) func(map[string]any) []string {
	return func(map[string]any) []string { return tags }
}

func idTag(typ string, tag func(string) string) func(map[string]any) []string {
	return func(args map[string]any) []string {
		id, _ := args["id"].(string)
		key, err := relay.FromID(typ, id)
		if err != nil {
			key = "invalid"
		}
		return []string{tag(key)}
	}
}

// CachePolicies lists the cacheable root query fields; a query is cached only when every
// root field it selects is here (RegisterCachePolicy adds one). Whoever writes what an
// answer depends on bumps its tags after the commit: the rewards service, for example,
// bumps invalidate.Rewards and invalidate.Reward(id) after every change of the catalogue
// or of a reward's stock.
var CachePolicies = map[string]CachePolicy{
	// Public search of open needs: the same for everybody (needs embed organisations).
	"needs": {Shared: true, TTL: time.Minute, Tags: staticTags(invalidate.Needs, invalidate.Orgs),
		ViewerArgs: func(a map[string]any) bool {
			f, _ := a["filter"].(map[string]any)
			return f["statuses"] != nil
		}},
	// A draft need is visible to its organisation's members: signed-in viewers get their own entries.
	"need":             {TTL: time.Minute, Tags: func(a map[string]any) []string { return append(idTag("Need", invalidate.Need)(a), invalidate.Orgs) }},
	"organisation":     {TTL: 5 * time.Minute, Tags: idTag("Organisation", invalidate.Org)},
	"organisations":    {TTL: 5 * time.Minute, Tags: staticTags(invalidate.Orgs)},
	"districts":        {Shared: true, TTL: 5 * time.Minute},
	"themes":           {Shared: true, TTL: 5 * time.Minute},
	"talentCategories": {Shared: true, TTL: 5 * time.Minute},
	"talents":          {Shared: true, TTL: 5 * time.Minute},
	"languages":        {Shared: true, TTL: 5 * time.Minute},
	"impactStats":      {Shared: true, TTL: 5 * time.Minute, Tags: staticTags(invalidate.Stats)},
	// Per viewer (anonymous viewers get an error, which is never cached).
	"recommendedNeeds": {TTL: PerViewerTTL, Tags: staticTags(invalidate.Needs, invalidate.Orgs)},
	// The rewards catalogue: the same for everybody (rewards embed their merchant). Whether a
	// reward is within its dates follows the clock, so entries live one minute at most.
	"rewards": {Shared: true, TTL: time.Minute, Tags: staticTags(invalidate.Rewards, invalidate.Orgs)},
	// A switched-off reward is visible to its merchant's members: signed-in viewers get their own entries.
	"reward": {TTL: time.Minute, Tags: func(a map[string]any) []string {
		return append(idTag("Reward", invalidate.Reward)(a), invalidate.Orgs)
	}},
}

// ViewerDependentFields are fields whose value depends on who asks. A signed-in viewer
// whose query selects one gets an entry of their own; an anonymous viewer's answer for
// them is the same for every anonymous viewer, so it is public.
var ViewerDependentFields = map[string]bool{
	"Need.applications": true, "Need.viewerApplications": true,
	"Organisation.viewerRole": true, "Organisation.members": true,
}

var policiesMu sync.RWMutex

// RegisterCachePolicy adds (or replaces) the cache policy of a root query field.
func RegisterCachePolicy(field string, p CachePolicy) {
	policiesMu.Lock()
	defer policiesMu.Unlock()
	CachePolicies[field] = p
}

// QueryCache is a gqlgen response interceptor that answers cacheable queries from Redis.
//
// Key: <prefix>qc:<sha256 of operation name, normalised query hash, normalised variables,
// language, viewer scope, and the epoch and versions of every tag the answer depends on>.
// Writes bump tags (internal/invalidate) before they return, so an answer built before a
// write sits under old versions that nobody asks for any more. When Redis does not
// answer (or the tag versions cannot be read) the cache is bypassed entirely.
type QueryCache struct {
	redis *cache.Client
	tags  *cache.Tags
	log   *slog.Logger

	// Wait is how long a request waits for another instance that rebuilds the same entry.
	Wait time.Duration

	group singleflight.Group
	// local keeps recently read entries in this process. Safe: a key holds the tag
	// versions, so an entry found under it is exactly what Redis holds under it; only the
	// tag versions (one MGET) must come from Redis on every request.
	local    *lru.LRU[*cache.Entry]
	mu       sync.Mutex
	queryIDs map[string]string // raw query → hash of its normalised form (bounded)

	requests    *prometheus.CounterVec
	storedBytes prometheus.Counter
	entryBytes  prometheus.Histogram
}

// NewQueryCache returns the cache on redis.
func NewQueryCache(redis *cache.Client, log *slog.Logger) *QueryCache {
	return &QueryCache{redis: redis, tags: redis.Tags(), log: log, Wait: 200 * time.Millisecond, queryIDs: map[string]string{},
		local: lru.New[*cache.Entry](2000),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hh_query_cache_requests_total",
			Help: "Cacheable queries by operation (root fields) and result: hit; stale (served while another request rebuilds it); miss (this request built the answer); wait (got the answer another request built); bypass (Redis unavailable).",
		}, []string{"operation", "result"}),
		storedBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hh_query_cache_stored_bytes_total", Help: "Bytes written to the query cache.",
		}),
		entryBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hh_query_cache_entry_bytes", Help: "Size of query cache entries written.",
			Buckets: prometheus.ExponentialBuckets(256, 4, 8),
		}),
	}
}

// Collectors are the cache's metrics.
func (q *QueryCache) Collectors() []prometheus.Collector {
	return []prometheus.Collector{q.requests, q.storedBytes, q.entryBytes}
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = (*QueryCache)(nil)

// EpochMutations are rare mutations whose effects reach answers cached for other viewers
// through paths without a tag of their own (a person's name in a coordinator's list of
// applications, an erased account): after one, the whole cache is dropped (the epoch moves).
var EpochMutations = map[string]bool{"deleteMyAccount": true, "updateMe": true}

// InterceptRootField implements graphql.RootFieldInterceptor: it drops the cache after an
// EpochMutations field, before the mutation's answer is sent.
func (q *QueryCache) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	res := next(ctx)
	if fc := graphql.GetRootFieldContext(ctx); fc != nil && EpochMutations[fc.Field.Name] {
		if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			q.tags.DropAll(ctx)
		}
	}
	return res
}

// ExtensionName implements graphql.HandlerExtension.
func (*QueryCache) ExtensionName() string { return "QueryCache" }

// Validate implements graphql.HandlerExtension.
func (*QueryCache) Validate(graphql.ExecutableSchema) error { return nil }

// plan is what a cacheable query's entry depends on.
type plan struct {
	operation string
	scope     string
	tags      []string
	ttl       time.Duration
}

// planFor returns nil when the operation is not cacheable.
func (q *QueryCache) planFor(rc *graphql.OperationContext, v *accounts.Viewer) *plan {
	op := rc.Operation
	if op == nil || op.Operation != ast.Query {
		return nil
	}
	policiesMu.RLock()
	defer policiesMu.RUnlock()
	p := &plan{scope: "public", tags: []string{invalidate.Reference}}
	shared := true
	var names []string
	for _, f := range graphql.CollectFields(rc, op.SelectionSet, nil) {
		pol, ok := CachePolicies[f.Name]
		if !ok {
			return nil
		}
		names = append(names, f.Name)
		args := f.ArgumentMap(rc.Variables)
		shared = shared && pol.Shared && (pol.ViewerArgs == nil || !pol.ViewerArgs(args))
		if p.ttl == 0 || pol.TTL < p.ttl {
			p.ttl = pol.TTL
		}
		if pol.Tags != nil {
			p.tags = append(p.tags, pol.Tags(args)...)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if v != nil && (!shared || selectsViewerDependent(op.SelectionSet, map[string]bool{})) {
		// The answer may differ per viewer: an entry of the viewer's own, which also
		// depends on the viewer's roles (in the scope) and memberships and profile (tag).
		p.scope = "viewer:" + v.PersonID + ":" + v.OnBehalfOf + ":" + flags(v)
		p.tags = append(p.tags, invalidate.Person(v.PersonID))
		p.ttl = min(p.ttl, PerViewerTTL)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	p.operation = strings.Join(names, "+")
	if len(p.operation) > 64 {
		p.operation = "(several)"
	}
	slices.Sort(p.tags)
	p.tags = slices.Compact(p.tags)
	return p
}

func flags(v *accounts.Viewer) string {
	b := []byte("--")
	if v.IsAdmin {
		b[0] = 'a'
	}
	if v.IsMatchmaker {
		b[1] = 'm'
	}
	return string(b)
}

func selectsViewerDependent(set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.ObjectDefinition != nil && ViewerDependentFields[s.ObjectDefinition.Name+"."+s.Name] {
				return true
			}
			if selectsViewerDependent(s.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if selectsViewerDependent(s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Name] {
				seen[s.Name] = true
				if selectsViewerDependent(s.Definition.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}

// queryID is the hash of the document in normal form (whitespace, comments and commas
// do not matter), remembered per raw query.
func (q *QueryCache) queryID(rc *graphql.OperationContext) string {
	q.mu.Lock()
	id, ok := q.queryIDs[rc.RawQuery]
	q.mu.Unlock()
	if ok {
		return id
	}
	var b bytes.Buffer
	formatter.NewFormatter(&b).FormatQueryDocument(rc.Doc)
	sum := sha256.Sum256(b.Bytes())
	id = hex.EncodeToString(sum[:16])
	q.mu.Lock()
	if len(q.queryIDs) >= 5000 {
		clear(q.queryIDs)
	}
	q.queryIDs[rc.RawQuery] = id
	q.mu.Unlock()
	return id
}

func (q *QueryCache) key(rc *graphql.OperationContext, p *plan, lang string, versions []string) string {
	vars, _ := json.Marshal(rc.Variables) // maps marshal with sorted keys
	h := sha256.New()
	for _, part := range []string{rc.OperationName, q.queryID(rc), string(vars), lang, p.scope, strings.Join(p.tags, ","), strings.Join(versions, ",")} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return q.redis.Key("qc", hex.EncodeToString(h.Sum(nil)[:20]))
}

func setCacheHeader(ctx context.Context, v string) {
	if w, ok := ctx.Value(responseWriterKey{}).(http.ResponseWriter); ok {
		w.Header().Set("X-Cache", v)
	}
}

// InterceptResponse implements graphql.ResponseInterceptor.
func (q *QueryCache) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	rc := graphql.GetOperationContext(ctx)
	p := q.planFor(rc, accounts.ViewerFrom(ctx))
	if p == nil {
		return next(ctx)
	}
	bypass := func() *graphql.Response {
		q.requests.WithLabelValues(p.operation, "bypass").Inc()
		setCacheHeader(ctx, "bypass")
		return next(ctx)
	}
	if !q.redis.Available() {
		return bypass()
	}
	versions, err := q.tags.Versions(ctx, p.tags)
	if err != nil {
		return bypass()
	}
	key := q.key(rc, p, i18n.FromContext(ctx), versions)
	e, ok := q.local.Get(ctx, key)
	if !ok || !e.Fresh(time.Now()) {
		if e, err = q.redis.GetEntry(ctx, key); err != nil {
			return bypass()
		}
		if e != nil {
			q.local.Add(ctx, key, e)
		}
	}
	if e != nil {
		if e.Fresh(time.Now()) {
			q.requests.WithLabelValues(p.operation, "hit").Inc()
			setCacheHeader(ctx, "hit")
			return &graphql.Response{Data: e.Data}
		}
		// Stale but under the current tag versions: one request rebuilds, the others get
		// this answer until the entry's grace period ends.
		if ok, err := q.redis.TryLock(ctx, key+":lock", p.ttl); err != nil || !ok {
			q.requests.WithLabelValues(p.operation, "stale").Inc()
			setCacheHeader(ctx, "stale")
			return &graphql.Response{Data: e.Data}
		}
		q.requests.WithLabelValues(p.operation, "miss").Inc()
		setCacheHeader(ctx, "miss")
		return q.build(ctx, next, key, p, true)
	}
	// One rebuild per key in this process; the others wait for its answer.
	type result struct {
		resp  *graphql.Response
		built bool
	}
	led := false
	res, _, _ := q.group.Do(key, func() (any, error) {
		led = true
		// A rebuild that finished between our read above and now has stored the entry:
		// read it again rather than build it twice.
		if e, err := q.redis.GetEntry(ctx, key); err == nil && e != nil && e.Fresh(time.Now()) {
			return result{resp: &graphql.Response{Data: e.Data}}, nil
		}
		locked, err := q.redis.TryLock(ctx, key+":lock", p.ttl)
		if err == nil && !locked {
			// Another instance rebuilds it: wait briefly for its answer.
			deadline := time.Now().Add(q.Wait)
			for time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
				if e, err := q.redis.GetEntry(ctx, key); err != nil {
					break
				} else if e != nil {
					return result{resp: &graphql.Response{Data: e.Data}}, nil
				}
			}
		}
		return result{resp: q.build(ctx, next, key, p, locked), built: true}, nil
	})
	r := res.(result)
	if !led && len(r.resp.Errors) > 0 {
		// The leader's answer failed (perhaps only for it, e.g. its client left): run our own.
		q.requests.WithLabelValues(p.operation, "miss").Inc()
		setCacheHeader(ctx, "miss")
		return next(ctx)
	}
	if led && r.built {
		q.requests.WithLabelValues(p.operation, "miss").Inc()
		setCacheHeader(ctx, "miss")
	} else {
		// Waited for the rebuild of another request, here or on another instance.
		q.requests.WithLabelValues(p.operation, "wait").Inc()
		setCacheHeader(ctx, "wait")
	}
	return r.resp
}

// build runs the query on the primary and stores a successful answer. A public entry is
// always built as an anonymous visitor would see it, whoever asks: so it can never hold
// what only a signed-in viewer may see (say, a member's view of an organisation that is
// not approved), and a signed-in viewer gets the same answer on a miss as on a hit.
func (q *QueryCache) build(ctx context.Context, next graphql.ResponseHandler, key string, p *plan, locked bool) *graphql.Response {
	if locked {
		defer q.redis.Unlock(ctx, key+":lock")
	}
	bctx := database.WithPrimary(ctx)
	if p.scope == "public" {
		bctx = accounts.WithViewer(bctx, nil)
	}
	resp := next(bctx)
	if resp == nil || len(resp.Errors) > 0 || resp.Data == nil || len(resp.Extensions) > 0 {
		return resp
	}
	if err := q.redis.SetEntry(context.WithoutCancel(ctx), key, resp.Data, p.ttl, p.ttl/2); err == nil {
		q.storedBytes.Add(float64(len(resp.Data)))
		q.entryBytes.Observe(float64(len(resp.Data)))
	}
	return resp
}
