package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/cache/cachetest"
	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// For each cached operation: after a write on one instance, a read on the same instance
// and on another one (both sharing PostgreSQL and Redis) never returns the old answer.
func TestCachedReadsNeverReturnTheOldAnswerAfterAWrite(t *testing.T) {
	ps := instances(t, 2)
	a, b := ps[0], ps[1]
	admin, coord, orgID := org(t, a, "Buurthuis De Kroon")
	needID, shiftID := publishedNeed(t, coord, orgID, "Soep koken", 3)
	vol := a.Register(t, "vol@example.org", "Vera Vrijwilliger")
	anonA, anonB := a.Client(), b.Client()
	volB := &testutil.Client{URL: b.URL, Token: vol.Token, HTTP: vol.HTTP, Header: http.Header{}}
	coordB := &testutil.Client{URL: b.URL, Token: coord.Token, HTTP: coord.HTTP, Header: http.Header{}}

	n := 0
	title := func() string { n++; return fmt.Sprintf("Soep koken %d", n) }
	cases := []struct {
		name    string
		readers [2]*testutil.Client // the same viewer on instance a and on instance b
		query   string
		vars    map[string]any
		write   func(t *testing.T, on *testutil.Client) string // returns a string the new answer must contain
	}{
		{"needs listing", [2]*testutil.Client{anonA, anonB}, `{ needs(first: 50) { totalCount edges { node { id title placesLeft } } } }`, nil,
			func(t *testing.T, on *testutil.Client) string {
				s := title()
				mustOK(t, on, `mutation($id: ID!, $t: String) { updateNeed(input: { needId: $id, title: $t }) { userErrors { field code message } } }`, map[string]any{"id": needID, "t": s})
				return s
			}},
		{"need by id (anonymous)", [2]*testutil.Client{anonA, anonB}, `query($id: ID!) { need(id: $id) { title placesLeft } }`, map[string]any{"id": needID},
			func(t *testing.T, on *testutil.Client) string {
				s := title()
				mustOK(t, on, `mutation($id: ID!, $t: String) { updateNeed(input: { needId: $id, title: $t }) { userErrors { field code message } } }`, map[string]any{"id": needID, "t": s})
				return s
			}},
		{"need by id, the viewer's own applications", [2]*testutil.Client{vol, volB}, `query($id: ID!) { need(id: $id) { placesLeft viewerApplications { status } } }`, map[string]any{"id": needID},
			func(t *testing.T, on *testutil.Client) string {
				volOn := &testutil.Client{URL: on.URL, Token: vol.Token, HTTP: vol.HTTP, Header: http.Header{}}
				apply(t, volOn, needID, shiftID)
				return `"placesLeft":2,"viewerApplications":[{"status":"ACCEPTED"}]`
			}},
		{"organisation by id", [2]*testutil.Client{anonA, anonB}, `query($id: ID!) { organisation(id: $id) { name } }`, map[string]any{"id": orgID},
			func(t *testing.T, on *testutil.Client) string {
				name := "Buurthuis " + title()
				mustOK(t, on, `mutation($id: ID!, $n: String) { updateOrganisation(input: { organisationId: $id, name: $n }) { userErrors { field code message } } }`, map[string]any{"id": orgID, "n": name})
				return name
			}},
		{"organisations directory", [2]*testutil.Client{anonA, anonB}, `{ organisations(first: 50) { totalCount edges { node { name } } } }`, nil,
			func(t *testing.T, on *testutil.Client) string {
				name := "Buurthuis " + title()
				mustOK(t, on, `mutation($id: ID!, $n: String) { updateOrganisation(input: { organisationId: $id, name: $n }) { userErrors { field code message } } }`, map[string]any{"id": orgID, "n": name})
				return name
			}},
		{"needs embed the organisation's name", [2]*testutil.Client{anonA, anonB}, `{ needs(first: 50) { edges { node { organisation { name } } } } }`, nil,
			func(t *testing.T, on *testutil.Client) string {
				name := "Buurthuis " + title()
				mustOK(t, on, `mutation($id: ID!, $n: String) { updateOrganisation(input: { organisationId: $id, name: $n }) { userErrors { field code message } } }`, map[string]any{"id": orgID, "n": name})
				return name
			}},
		{"signed-in coordinator's directory (per viewer)", [2]*testutil.Client{coord, coordB}, `{ organisations(first: 50, filter: { mine: true }) { edges { node { name viewerRole } } } }`, nil,
			func(t *testing.T, on *testutil.Client) string {
				name := "Buurthuis " + title()
				mustOK(t, on, `mutation($id: ID!, $n: String) { updateOrganisation(input: { organisationId: $id, name: $n }) { userErrors { field code message } } }`, map[string]any{"id": orgID, "n": name})
				return name
			}},
		{"a newly approved organisation appears", [2]*testutil.Client{anonA, anonB}, `{ organisations(first: 50) { totalCount edges { node { name } } } }`, nil,
			func(t *testing.T, on *testutil.Client) string {
				name := "Sportclub " + title()
				var out struct {
					CreateOrganisation struct{ Organisation *struct{ ID string } }
				}
				on.MustData(t, `mutation($n: String!) { createOrganisation(input: { kind: SPORTS_CLUB, name: $n }) { organisation { id } } }`, map[string]any{"n": name}, &out)
				adminOn := &testutil.Client{URL: on.URL, Token: admin.Token, HTTP: admin.HTTP, Header: http.Header{}}
				approve(t, adminOn, out.CreateOrganisation.Organisation.ID)
				return name
			}},
	}
	for _, tc := range cases {
		for _, writer := range []string{"a", "b"} {
			t.Run(tc.name+"/write on "+writer, func(t *testing.T) {
				// Fill the cache on both instances and check it answers.
				for _, c := range tc.readers {
					read(t, c, tc.query, tc.vars)
				}
				if _, hdr := read(t, tc.readers[1], tc.query, tc.vars); hdr != "hit" {
					t.Fatalf("second read: X-Cache %q, want hit", hdr)
				}
				on := tc.readers[0]
				if writer == "b" {
					on = tc.readers[1]
				}
				if strings.Contains(tc.name, "viewer's own") {
					if writer == "b" {
						t.Skip("applied once already")
					}
				} else {
					on = coord
					if writer == "b" {
						on = coordB
					}
				}
				want := tc.write(t, on)
				for i, c := range tc.readers {
					got, _ := read(t, c, tc.query, tc.vars)
					if !strings.Contains(got, want) {
						t.Fatalf("instance %d still answers %s (want %s)", i, got, want)
					}
				}
			})
		}
	}
}

// A place taken on the last shift shows at once in needs with hasPlacesLeft, on every instance.
func TestTheLastPlaceTakenShowsAtOnceInNeeds(t *testing.T) {
	ps := instances(t, 2)
	_, coord, orgID := org(t, ps[0], "Voedselbank")
	needID, shiftID := publishedNeed(t, coord, orgID, "Pakketten maken", 1)
	const q = `{ needs(first: 50, filter: { hasPlacesLeft: true }) { totalCount edges { node { id placesLeft } } } }`
	for _, p := range ps {
		for i := 0; i < 2; i++ {
			got, _ := read(t, p.Client(), q, nil)
			if !strings.Contains(got, needID) {
				t.Fatalf("before: %s", got)
			}
		}
	}
	vol := ps[1].Register(t, "vol@example.org", "Vera")
	apply(t, vol, needID, shiftID)
	for i, p := range ps {
		got, _ := read(t, p.Client(), q, nil)
		if strings.Contains(got, needID) {
			t.Fatalf("instance %d still lists the full need as having places left: %s", i, got)
		}
		all, _ := read(t, p.Client(), `query($id: ID!) { need(id: $id) { placesLeft status } }`, map[string]any{"id": needID})
		if !strings.Contains(all, `"placesLeft":0`) || !strings.Contains(all, `"FILLED"`) {
			t.Fatalf("instance %d: %s", i, all)
		}
	}
}

// Many viewers with different roles and languages query at once through two instances;
// every answer is compared, field by field, with the one an uncached instance gives that viewer.
func TestViewersNeverSeeEachOthersDataOrLanguage(t *testing.T) {
	ps := instances(t, 2)
	_, coord, orgID := org(t, ps[0], "Buurthuis Isolatie")
	var themes struct{ Themes []struct{ ID string } }
	ps[0].Client().MustData(t, `{ themes { id } }`, nil, &themes)
	needID, shiftID := publishedNeed(t, coord, orgID, "Huiswerkbegeleiding", 5, themes.Themes[0].ID)
	publishedNeed(t, coord, orgID, "Tuinieren", 5, themes.Themes[1].ID)
	v1 := ps[0].Register(t, "v1@example.org", "Een")
	v2 := ps[0].Register(t, "v2@example.org", "Twee")
	apply(t, v1, needID, shiftID)
	matchmaker := ps[0].Register(t, "mm@example.org", "Matchmaker")
	if _, err := ps[0].DB.Exec(`UPDATE people SET is_matchmaker = true WHERE email = 'mm@example.org'`); err != nil {
		t.Logf("no matchmaker column: %v", err)
	}
	// An instance without the cache gives the reference answers.
	ref := start(t, ps[0].Config.DatabaseURL, ps[0].Redis, func(c *config.Config) { c.QueryCache = false })

	const q = `{ themes { key name } districts { name }
		needs(first: 20, orderBy: NEWEST) { totalCount edges { node { id title themes { name }
			viewerApplications { status } applications { totalCount edges { node { status person { displayName } } } }
			organisation { name viewerRole } } } } }`
	type viewer struct {
		name  string
		token string
		lang  string
	}
	var viewers []viewer
	for _, lang := range []string{"nl", "fr", "en", "ar"} {
		viewers = append(viewers, viewer{"anonymous " + lang, "", lang},
			viewer{"volunteer with an application " + lang, v1.Token, lang},
			viewer{"volunteer without " + lang, v2.Token, lang},
			viewer{"coordinator " + lang, coord.Token, lang},
			viewer{"matchmaker " + lang, matchmaker.Token, lang})
	}
	client := func(url string, v viewer) *testutil.Client {
		return &testutil.Client{URL: url, Token: v.token, Language: v.lang, HTTP: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{}}
	}
	want := map[string]any{}
	for _, v := range viewers {
		got, _ := read(t, client(ref.URL, v), q, nil)
		want[v.name] = decode(t, got)
	}
	// The reference answers do differ between viewers (else the test proves nothing).
	if reflect.DeepEqual(want["anonymous nl"], want["anonymous fr"]) || reflect.DeepEqual(want["volunteer with an application nl"], want["volunteer without nl"]) ||
		reflect.DeepEqual(want["coordinator nl"], want["anonymous nl"]) {
		t.Fatal("reference answers do not differ by language or viewer")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	sem := make(chan struct{}, 12) // bounded: PostgreSQL's connections are shared with other tests
	for round := 0; round < 4; round++ {
		for _, v := range viewers {
			for _, p := range ps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					sem <- struct{}{}
					defer func() { <-sem }()
					r := client(p.URL, v).Do(t, q, nil)
					if len(r.Errors) > 0 {
						errs <- fmt.Sprintf("%s: %v", v.name, r.Errors)
						return
					}
					var got map[string]any
					_ = json.Unmarshal(r.Data, &got)
					if d := diff("data", want[v.name], got); d != "" {
						errs <- v.name + ": " + d
					}
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// diff compares two decoded JSON values field by field and names the first difference.
func diff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %v", path, got)
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if d := diff(path+"."+k, w[k], g[k]); d != "" {
				return d
			}
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: extra fields %v", path, g)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: want %d items, got %v", path, len(w), got)
		}
		for i := range w {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
	default:
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
	}
	return ""
}

// With Redis unreachable (nothing listens, or it accepts and never answers) every query and
// mutation still succeeds, and /readyz says ready with Redis degraded.
func TestEverythingWorksWithoutRedis(t *testing.T) {
	for name, addr := range map[string]string{"nothing listens": cachetest.DeadAddr(t), "never answers": cachetest.Blackhole(t)} {
		t.Run(name, func(t *testing.T) {
			p := withRedisAt(t, addr, func(c *config.Config) { c.RateMutations, c.RateAnonCost = 1, 1 })
			_, coord, orgID := org(t, p, "Zonder Redis")
			needID, shiftID := publishedNeed(t, coord, orgID, "Zonder cache", 2)
			vol := p.Register(t, "vol@example.org", "Vera")
			apply(t, vol, needID, shiftID) // several mutations: rate limits fail open
			for i := 0; i < 3; i++ {
				for _, q := range []string{`{ needs(first: 5) { totalCount edges { node { title placesLeft } } } }`, `{ districts { name } themes { name } }`,
					`{ organisations(first: 5) { totalCount } }`} {
					got, hdr := read(t, p.Client(), q, nil)
					if hdr == "hit" || got == "" {
						t.Fatalf("%s: %q from cache %q", q, got, hdr)
					}
				}
			}
			got, _ := read(t, p.Client(), `query($id: ID!) { need(id: $id) { placesLeft } }`, map[string]any{"id": needID})
			if !strings.Contains(got, `"placesLeft":1`) {
				t.Fatalf("need: %s", got)
			}
			// Failed logins are not throttled without Redis (fail open), and a good one works.
			for i := 0; i < 7; i++ {
				r := p.Client().Do(t, `mutation { login(input: { email: "vol@example.org", password: "wrong-password-1" }) { session { token } userErrors { code } } }`, nil)
				if r.ErrorCode() == "RATE_LIMITED" {
					t.Fatal("login throttled although Redis is down")
				}
			}
			var login struct {
				Login struct{ Session *struct{ Token string } }
			}
			p.Client().MustData(t, `mutation { login(input: { email: "vol@example.org", password: "Correct-horse-battery-9" }) { session { token } } }`, nil, &login)
			if login.Login.Session == nil {
				t.Fatal("login failed without Redis")
			}
			status, body := get(t, p.Server.URL+"/readyz")
			if status != 200 || body["redis"] != "degraded" || body["status"] != "ready" {
				t.Fatalf("readyz %d %v", status, body)
			}
		})
	}
}

// Redis goes away in the middle of a run and comes back: queries keep working, a write made
// meanwhile is never hidden by an entry cached before the outage, and the cache is used again.
func TestRedisOutageAndRecovery(t *testing.T) {
	proxy := cachetest.NewProxy(t, strings.TrimPrefix(strings.TrimSuffix(testutil.RedisURL(), "/0"), "redis://"))
	p := withRedisAt(t, proxy.Addr)
	_, coord, orgID := org(t, p, "Hersteld")
	needID, _ := publishedNeed(t, coord, orgID, "Voor de storing", 2)
	const q = `query($id: ID!) { need(id: $id) { title } }`
	vars := map[string]any{"id": needID}
	read(t, p.Client(), q, vars)
	if _, hdr := read(t, p.Client(), q, vars); hdr != "hit" {
		t.Fatalf("before the outage: X-Cache %q", hdr)
	}
	proxy.Set(cachetest.Refuse)
	for i := 0; i < 5; i++ {
		got, hdr := read(t, p.Client(), q, vars)
		if hdr == "hit" || !strings.Contains(got, "Voor de storing") {
			t.Fatalf("during the outage: %s (%q)", got, hdr)
		}
	}
	mustOK(t, coord, `mutation($id: ID!) { updateNeed(input: { needId: $id, title: "Tijdens de storing" }) { userErrors { field code message } } }`, vars)
	got, _ := read(t, p.Client(), q, vars)
	if !strings.Contains(got, "Tijdens de storing") {
		t.Fatalf("during the outage, after a write: %s", got)
	}
	proxy.Set(cachetest.Forward)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, hdr := read(t, p.Client(), q, vars)
		if !strings.Contains(got, "Tijdens de storing") {
			t.Fatalf("after the outage the old answer came back: %s (%q)", got, hdr)
		}
		if hdr == "hit" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache is not used again after Redis came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s := p.Redis.BreakerState(); s != "closed" {
		t.Fatalf("breaker %s", s)
	}
}

// A subscriber on one instance sees an application made on another.
func TestApplicationChangedAcrossInstances(t *testing.T) {
	ps := instances(t, 2)
	_, coord, orgID := org(t, ps[0], "Live")
	needID, shiftID := publishedNeed(t, coord, orgID, "Live update", 2)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ps[0].URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	send := func(m map[string]any) {
		b, _ := json.Marshal(m)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	next := func() map[string]any {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			if m["type"] != "ping" && m["type"] != "pong" {
				return m
			}
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"authToken": coord.Token}})
	if m := next(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription($id: ID!) { applicationChanged(needId: $id) { status person { displayName } } }`, "variables": map[string]any{"id": needID}}})
	// Let the subscription register before applying (it is not acknowledged in the protocol).
	for i := 0; i < 200 && !subscribed(ps[0]); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	vol := ps[1].Register(t, "vol@example.org", "Vera Verre")
	apply(t, vol, needID, shiftID)
	m := next()
	b, _ := json.Marshal(m)
	if m["type"] != "next" || !strings.Contains(string(b), "Vera Verre") || !strings.Contains(string(b), "ACCEPTED") {
		t.Fatalf("subscriber on the other instance got %s", b)
	}
}

// subscribed is a best-effort wait: there is no hook to see a subscription register, so
// give the server a moment.
func subscribed(*testutil.Platform) bool {
	time.Sleep(50 * time.Millisecond)
	return true
}

func apq(query, hash string) map[string]any {
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	return body
}

func post(t *testing.T, url string, body map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return m
}

func code(m map[string]any) string {
	errs, _ := m["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

// Automatic persisted queries are shared by the instances; in allow-list mode only
// registered operations run.
func TestPersistedQueriesAndAllowList(t *testing.T) {
	const q = `{ districts { key } }`
	h := cache.Hash(q)
	t.Run("automatic, across instances", func(t *testing.T) {
		ps := instances(t, 2)
		if m := post(t, ps[0].URL, apq("", h)); code(m) != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("unknown hash: %v", m)
		}
		if m := post(t, ps[0].URL, apq(q, h)); m["data"] == nil {
			t.Fatalf("register: %v", m)
		}
		if m := post(t, ps[1].URL, apq("", h)); m["data"] == nil {
			t.Fatalf("hash only on the other instance: %v", m)
		}
	})
	t.Run("registered", func(t *testing.T) {
		ps := instances(t, 1, func(c *config.Config) { c.Allowlist = "registered" })
		if m := post(t, ps[0].URL, map[string]any{"query": q}); code(m) != "FORBIDDEN" {
			t.Fatalf("unregistered query ran: %v", m)
		}
		if m := post(t, ps[0].URL, apq(q, h)); code(m) != "FORBIDDEN" {
			t.Fatalf("a client registered a query itself: %v", m)
		}
		if _, err := cache.NewPersistedQueries(ps[0].Redis).Register(context.Background(), q); err != nil {
			t.Fatal(err)
		}
		for _, body := range []map[string]any{{"query": q}, apq("", h)} {
			if m := post(t, ps[0].URL, body); m["data"] == nil {
				t.Fatalf("registered operation refused: %v", m)
			}
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "allow.json")
		_ = os.WriteFile(path, []byte(`{"`+h+`": "`+q+`"}`), 0o600)
		ps := instances(t, 1, func(c *config.Config) { c.Allowlist = path })
		if m := post(t, ps[0].URL, apq("", h)); m["data"] == nil {
			t.Fatalf("listed hash: %v", m)
		}
		if m := post(t, ps[0].URL, map[string]any{"query": `{ themes { key } }`}); code(m) != "FORBIDDEN" {
			t.Fatalf("unlisted query: %v", m)
		}
	})
}

func TestRateLimits(t *testing.T) {
	t.Run("mutations per person", func(t *testing.T) {
		p := instances(t, 1, func(c *config.Config) { c.RateMutations = 3 })[0]
		vol := p.Register(t, "vol@example.org", "Vera") // 1 (by address)
		var last *testutil.Response
		for i := 0; i < 4; i++ {
			last = vol.Do(t, `mutation { noop { userErrors { code } } }`, nil)
		}
		if last.ErrorCode() != "RATE_LIMITED" || last.Header.Get("Retry-After") == "" || last.Errors[0].Extensions["retryAfter"] == nil {
			t.Fatalf("4th mutation: %+v %v", last.Errors, last.Header)
		}
		other := p.Register(t, "other@example.org", "Otto")
		if r := other.Do(t, `mutation { noop { userErrors { code } } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("another person was limited: %+v", r.Errors)
		}
	})
	t.Run("query cost per anonymous address", func(t *testing.T) {
		p := instances(t, 1, func(c *config.Config) { c.RateAnonCost = 500 })[0]
		const q = `{ organisations(first: 100) { edges { node { name } } } }` // costs 301
		var r *testutil.Response
		for i := 0; i < 5 && (r == nil || len(r.Errors) == 0); i++ {
			r = p.Client().Do(t, q, nil)
		}
		if r.ErrorCode() != "RATE_LIMITED" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("expensive anonymous queries not limited: %+v", r.Errors)
		}
		// Signed-in people are not limited by cost.
		vol := p.Register(t, "vol@example.org", "Vera")
		if r := vol.Do(t, q, nil); len(r.Errors) > 0 {
			t.Fatalf("signed in: %+v", r.Errors)
		}
	})
}

// The metrics name Redis, the breaker and the cache's hit ratio.
func TestMetricsShowRedisAndCache(t *testing.T) {
	p := instances(t, 1)[0]
	for i := 0; i < 2; i++ {
		read(t, p.Client(), `{ districts { name } }`, nil)
	}
	resp, err := http.Get(p.Server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := new(strings.Builder)
	_, _ = fmt.Fprint(b, "")
	buf := make([]byte, 1<<20)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, want := range []string{`hh_query_cache_requests_total{operation="districts",result="hit"} 1`,
		`hh_query_cache_requests_total{operation="districts",result="miss"} 1`, "hh_redis_breaker_state 0",
		"hh_redis_command_duration_seconds_bucket", "hh_query_cache_stored_bytes_total"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Many requests for the same missing entry, on two instances at once: each instance
// rebuilds it at most once, and everybody gets the same answer.
func TestOneRebuildPerInstanceForAHotEntry(t *testing.T) {
	ps := instances(t, 2)
	_, coord, orgID := org(t, ps[0], "Stormloop")
	for i := 0; i < 5; i++ {
		publishedNeed(t, coord, orgID, fmt.Sprintf("Drukte %d", i), 2)
	}
	const q = `{ needs(first: 20, orderBy: NEWEST) { totalCount edges { node { id title placesLeft organisation { name } } } } }`
	var wg sync.WaitGroup
	answers := make(chan string, 60)
	start := make(chan struct{})
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := ps[i%2].Client().Do(t, q, nil)
			if len(r.Errors) > 0 {
				t.Errorf("%+v", r.Errors)
			}
			answers <- string(r.Data)
		}()
	}
	close(start)
	wg.Wait()
	close(answers)
	first := ""
	for a := range answers {
		if first == "" {
			first = a
		} else if a != first {
			t.Fatalf("different answers:\n%s\n%s", first, a)
		}
	}
	for i, p := range ps {
		if n := metric(t, p, `hh_query_cache_requests_total{operation="needs",result="miss"}`); n > 1 {
			t.Errorf("instance %d rebuilt the entry %v times", i, n)
		}
	}
}

// metric returns the value of one sample of the instance's /metrics (0 when absent).
func metric(t *testing.T, p *testutil.Platform, sample string) float64 {
	t.Helper()
	resp, err := http.Get(p.Server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			var f float64
			_, _ = fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// With DATABASE_READ_URL, lagging reads go to the replica when the cache does not answer,
// but an entry the cache stores is always built from the primary.
func TestReadReplicaServesUncachedReadsOnly(t *testing.T) {
	ps := instances(t, 1)
	cached := ps[0]
	uncached := start(t, cached.Config.DatabaseURL, cached.Redis, func(c *config.Config) { c.QueryCache = false })
	_, coord, orgID := org(t, cached, "Replica")
	publishedNeed(t, coord, orgID, "Op de primaire", 2)
	// A "replica" that lags behind everything: an empty database.
	replica := testutil.NewDB(t)
	for _, p := range []*testutil.Platform{cached, uncached} {
		p.Volunteering.ReadDB, p.Organisations.ReadDB = replica, replica
	}
	const q = `{ needs(first: 5) { totalCount } organisations(first: 5) { totalCount } }`
	if got, _ := read(t, uncached.Client(), q, nil); got != `{"needs":{"totalCount":0},"organisations":{"totalCount":0}}` {
		t.Fatalf("uncached reads did not go to the replica: %s", got)
	}
	if got, _ := read(t, cached.Client(), q, nil); got != `{"needs":{"totalCount":1},"organisations":{"totalCount":1}}` {
		t.Fatalf("the cache stored a replica's answer: %s", got)
	}
}

// A volunteer who renames themselves or erases their account is not shown under the old
// name from a coordinator's cached list of applications.
func TestPersonChangesReachOtherViewersCachedAnswers(t *testing.T) {
	ps := instances(t, 2)
	_, coord, orgID := org(t, ps[0], "Privacy")
	needID, shiftID := publishedNeed(t, coord, orgID, "Namen", 3)
	vol := ps[0].Register(t, "vol@example.org", "Oude Naam")
	apply(t, vol, needID, shiftID)
	const q = `query($id: ID!) { need(id: $id) { applications { edges { node { person { displayName } } } } } }`
	vars := map[string]any{"id": needID}
	coordB := &testutil.Client{URL: ps[1].URL, Token: coord.Token, HTTP: coord.HTTP, Header: http.Header{}}
	for i := 0; i < 2; i++ {
		if got, _ := read(t, coordB, q, vars); !strings.Contains(got, "Oude Naam") {
			t.Fatalf("before: %s", got)
		}
	}
	mustOK(t, vol, `mutation { updateMe(input: { displayName: "Nieuwe Naam" }) { userErrors { field code message } } }`, nil)
	if got, _ := read(t, coordB, q, vars); strings.Contains(got, "Oude Naam") {
		t.Fatalf("after the rename the other instance still shows the old name: %s", got)
	}
}

// impactStats and recommendedNeeds are cached too: confirmed attendance shows in the
// figures, and an edited need in the recommendations, on both instances at once.
func TestCachedStatsAndRecommendationsFollowWrites(t *testing.T) {
	ps := instances(t, 2)
	_, coord, orgID := org(t, ps[0], "Impact")
	var ref struct {
		Districts []struct{ ID string }
		Themes    []struct{ ID string }
	}
	ps[0].Client().MustData(t, `{ districts { id } themes { id } }`, nil, &ref)
	var created struct {
		CreateNeed struct {
			Need       *struct{ ID string }
			UserErrors []userError
		}
	}
	coord.MustData(t, `mutation($in: CreateNeedInput!) { createNeed(input: $in) { need { id } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"organisationId": orgID, "title": "Flexibel helpen", "schedule": "FLEXIBLE", "autoAccept": true,
			"districtId": ref.Districts[0].ID, "themeIds": []string{ref.Themes[0].ID}}}, &created)
	if created.CreateNeed.Need == nil {
		t.Fatalf("create: %+v", created.CreateNeed.UserErrors)
	}
	needID := created.CreateNeed.Need.ID
	mustOK(t, coord, `mutation($id: ID!) { publishNeed(input: { needId: $id }) { userErrors { field code message } } }`, map[string]any{"id": needID})
	var apps []string
	var vols []*testutil.Client
	for i := 0; i < 5; i++ {
		v := ps[i%2].Register(t, fmt.Sprintf("v%d@example.org", i), fmt.Sprintf("Vrijwilliger %d", i))
		vols = append(vols, v)
		var out struct {
			ApplyToNeed struct{ Application *struct{ ID string } }
		}
		v.MustData(t, `mutation($id: ID!) { applyToNeed(input: { needId: $id }) { application { id } } }`, map[string]any{"id": needID}, &out)
		apps = append(apps, out.ApplyToNeed.Application.ID)
	}

	const stats = `{ impactStats { rows { month suppressed volunteers } } }`
	const recs = `{ recommendedNeeds(first: 50) { need { id title } } }`
	volB := &testutil.Client{URL: ps[1].URL, Token: vols[0].Token, HTTP: vols[0].HTTP, Header: http.Header{}}
	for i := 0; i < 2; i++ {
		for _, p := range ps {
			if got, _ := read(t, p.Client(), stats, nil); strings.Contains(got, `"volunteers":5`) {
				t.Fatalf("figures before any attendance: %s", got)
			}
		}
		read(t, vols[0], recs, nil)
		read(t, volB, recs, nil)
	}
	mustOK(t, coord, `mutation($ids: [ID!]) { confirmAttendance(input: { applicationIds: $ids, minutes: 120 }) { userErrors { field code message } } }`,
		map[string]any{"ids": apps})
	for i, p := range ps {
		if got, _ := read(t, p.Client(), stats, nil); !strings.Contains(got, `"volunteers":5`) {
			t.Fatalf("instance %d: figures after confirmed attendance: %s", i, got)
		}
	}

	// A need the volunteer may be recommended, renamed on one instance, read on both.
	_, shift := publishedNeed(t, coord, orgID, "Aanbevolen", 5)
	_ = shift
	before, _ := read(t, vols[0], recs, nil)
	read(t, volB, recs, nil)
	if !strings.Contains(before, "Aanbevolen") {
		t.Skipf("the volunteer gets no recommendation to follow: %s", before)
	}
	var found struct {
		Needs struct {
			Edges []struct{ Node struct{ ID, Title string } }
		}
	}
	ps[0].Client().MustData(t, `{ needs(first: 50, filter: { text: "Aanbevolen" }) { edges { node { id title } } } }`, nil, &found)
	mustOK(t, coord, `mutation($id: ID!) { updateNeed(input: { needId: $id, title: "Aanbevolen en hernoemd" }) { userErrors { field code message } } }`,
		map[string]any{"id": found.Needs.Edges[0].Node.ID})
	for i, c := range []*testutil.Client{vols[0], volB} {
		if got, _ := read(t, c, recs, nil); !strings.Contains(got, "Aanbevolen en hernoemd") {
			t.Fatalf("instance %d: recommendations after the edit: %s", i, got)
		}
	}
}

// Root fields hidden in fragments count: a query that also asks for `me` is never cached.
func TestUncacheableFieldsInFragmentsAreSeen(t *testing.T) {
	p := instances(t, 1)[0]
	vol := p.Register(t, "vol@example.org", "Vera Geheim")
	for _, q := range []string{
		`{ ... on Query { me { displayName } } districts { name } }`,
		`query { ...F districts { name } } fragment F on Query { me { displayName } }`,
		`{ districts { name } x: me { displayName } }`,
	} {
		for i := 0; i < 2; i++ {
			got, hdr := read(t, vol, q, nil)
			if hdr != "" || !strings.Contains(got, "Vera Geheim") {
				t.Fatalf("%s: %s (X-Cache %q)", q, got, hdr)
			}
			if got, _ := read(t, p.Client(), q, nil); strings.Contains(got, "Vera Geheim") {
				t.Fatalf("%s: anonymous got %s", q, got)
			}
		}
	}
}
