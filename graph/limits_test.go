package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// limitsHTTP does a plain HTTP request and returns the status and body.
func limitsHTTP(t *testing.T, req *http.Request) (int, string, http.Header) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func limitsGet(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return limitsHTTP(t, req)
}

// limitsWantRefused checks that a query was refused as too complex, before running.
func limitsWantRefused(t *testing.T, r *testutil.Response) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("HTTP status %d", r.Status)
	}
	if r.ErrorCode() != "QUERY_TOO_COMPLEX" {
		t.Fatalf("error code = %q, want QUERY_TOO_COMPLEX (errors %+v)", r.ErrorCode(), r.Errors)
	}
	if d := strings.TrimSpace(string(r.Data)); d != "" && d != "null" {
		t.Errorf("refused query returned data %s", d)
	}
}

func limitsWantOK(t *testing.T, r *testutil.Response) {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
	}
}

func TestQueryNestedDeeperThanMaxDepthIsRefused(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t, func(c *config.Config) { c.MaxDepth = 5 })
	c := p.Client()
	tests := []struct {
		name    string
		query   string
		refused bool
	}{
		{"depth 1", `{ ping }`, false},
		{"depth 5", `{ organisations { edges { node { members { role } } } } }`, false},
		{"depth 6", `{ organisations { edges { node { members { organisation { id } } } } } }`, true},
		{"deep cycle", `{ organisations { edges { node { ` + strings.Repeat("members { organisation { ", 6) + "id" + strings.Repeat(" } }", 6) + " } } } }", true},
		{"depth hidden in a fragment", `{ organisations { edges { ...E } } } fragment E on OrganisationEdge { node { members { person { id } } } }`, true},
		{"depth hidden in nested fragments", `{ organisations { ...C } }
			fragment C on OrganisationConnection { edges { ...E } }
			fragment E on OrganisationEdge { node { ...N } }
			fragment N on Organisation { members { person { id } } }`, true},
		{"depth hidden in an inline fragment", `{ organisations { edges { ... on OrganisationEdge { node { members { person { id } } } } } } }`, true},
		{"fragments within the limit", `{ organisations { edges { ...E } } } fragment E on OrganisationEdge { node { members { role } } }`, false},
		{"deep introspection is not counted", `{ __type(name: "Organisation") { fields { type { ofType { ofType { name } } } } } }`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do(t, tt.query, nil)
			if tt.refused {
				limitsWantRefused(t, r)
			} else {
				limitsWantOK(t, r)
			}
		})
	}
	t.Run("the refusal is in the request language", func(t *testing.T) {
		en, nl := p.Client(), p.Client()
		en.Language, nl.Language = "en", "nl"
		q := tests[2].query
		if a, b := en.Do(t, q, nil), nl.Do(t, q, nil); len(a.Errors) == 0 || len(b.Errors) == 0 || a.Errors[0].Message == b.Errors[0].Message {
			t.Errorf("messages en=%+v nl=%+v, want two translations", a.Errors, b.Errors)
		}
	})
}

func TestTooManyAliasesAreRefused(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t, func(c *config.Config) { c.MaxAliases = 3 })
	c := p.Client()
	tests := []struct {
		name    string
		query   string
		refused bool
	}{
		{"three aliases", `{ a: ping b: ping c: ping }`, false},
		{"four aliases", `{ a: ping b: ping c: ping d: ping }`, true},
		{"aliases spread over levels", `{ a: organisations { x: totalCount y: totalCount } b: ping c: ping }`, true},
		{"aliases in a fragment used twice", `{ a: organisations { ...F } b: organisations { ...F } } fragment F on OrganisationConnection { x: totalCount }`, true},
		{"an alias equal to the field name is no alias", `{ ping: ping a: ping b: ping c: ping }`, false},
		{"many fields without aliases", `{ ping districts { id } themes { id } languages { code } }`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do(t, tt.query, nil)
			if tt.refused {
				limitsWantRefused(t, r)
			} else {
				limitsWantOK(t, r)
			}
		})
	}
}

func TestQueryOverMaxComplexityIsRefused(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t, func(c *config.Config) { c.MaxComplexity = 1000 })
	c := p.Client()
	tests := []struct {
		name    string
		query   string
		refused bool
	}{
		{"small page", `{ organisations(first: 10) { edges { node { members { person { roles } } } } } }`, false},
		{"large page of members", `{ organisations(first: 100) { edges { node { members { person { roles } } } } } }`, true},
		// first: 1000 is served as 100, and costs as much.
		{"page size over the cap", `{ organisations(first: 1000) { edges { node { members { person { roles } } } } } }`, true},
		{"default page of nested lists", `{ organisations { edges { node { members { person { memberships { organisation { name } } } } } } } }`, true},
		{"many small lists", `{ a: districts { id } b: themes { id } }`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do(t, tt.query, nil)
			if tt.refused {
				limitsWantRefused(t, r)
			} else {
				limitsWantOK(t, r)
			}
		})
	}
}

func TestTooManyOperationsInOneDocumentAreRefused(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	var doc strings.Builder
	for i := 0; i < 11; i++ {
		fmt.Fprintf(&doc, "query Q%d { ping }\n", i)
	}
	body, _ := json.Marshal(map[string]any{"query": doc.String(), "operationName": "Q0"})
	req, _ := http.NewRequest(http.MethodPost, p.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	status, b, _ := limitsHTTP(t, req)
	if status >= 500 || !strings.Contains(b, "QUERY_TOO_COMPLEX") {
		t.Errorf("11 operations: status %d, body %s", status, b)
	}
}

func TestQueryOverParserTokenLimitIsRefused(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t, func(c *config.Config) { c.ParserTokens = 100 })
	c := p.Client()
	limitsWantOK(t, c.Do(t, `{ ping }`, nil))
	r := c.Do(t, "{ "+strings.Repeat("ping ", 200)+"}", nil)
	if r.Status >= 500 {
		t.Fatalf("HTTP status %d", r.Status)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("no error for 200 tokens over a limit of 100")
	}
	if d := strings.TrimSpace(string(r.Data)); d != "" && d != "null" {
		t.Errorf("data %s for a query over the token limit", d)
	}
}

func TestProductionModeRefusesIntrospectionAndSuggestions(t *testing.T) {
	t.Parallel()
	prod := testutil.NewPlatform(t, func(c *config.Config) { c.Env = "production" })
	dev := testutil.NewPlatform(t, func(c *config.Config) { c.Env = "development" })

	introspection := []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Organisation") { name fields { name } } }`,
		`query { organisations { edges { node { __type: name } } } __schema { queryType { name } } }`,
	}
	t.Run("production refuses introspection", func(t *testing.T) {
		for _, q := range introspection {
			r := prod.Client().Do(t, q, nil)
			if r.Status >= 500 || len(r.Errors) == 0 || strings.Contains(string(r.Data), "Organisation") || strings.Contains(string(r.Data), "Query") {
				t.Errorf("%s: status %d, errors %+v, data %s", q, r.Status, r.Errors, r.Data)
			}
		}
	})
	// Refusing introspection is policy, not a failure of the server: clients (and the
	// scanners that probe every API) must not be told "something went wrong on our side",
	// and operators must not get an internal-error log line and metric for each probe.
	t.Run("refused introspection is no internal error", func(t *testing.T) {
		r := prod.Client().Do(t, introspection[0], nil)
		if len(r.Errors) == 0 || r.ErrorCode() == "INTERNAL" {
			t.Errorf("introspection in production: code %q (errors %+v), want a client error", r.ErrorCode(), r.Errors)
		}
		_, metrics, _ := limitsGet(t, prod.Server.URL+"/metrics")
		if !strings.Contains(metrics, "\nhh_internal_errors_total 0\n") {
			t.Errorf("refused introspection counted as an internal error")
		}
	})
	t.Run("development allows introspection", func(t *testing.T) {
		var out struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		dev.Client().MustData(t, introspection[0], nil, &out)
		if len(out.Schema.Types) < 10 {
			t.Errorf("introspection in development gave %d types", len(out.Schema.Types))
		}
	})
	t.Run("__typename works in both", func(t *testing.T) {
		for _, p := range []*testutil.Platform{prod, dev} {
			var out struct {
				Typename string `json:"__typename"`
			}
			p.Client().MustData(t, `{ __typename }`, nil, &out)
			if out.Typename != "Query" {
				t.Errorf("__typename = %q", out.Typename)
			}
		}
	})
	misspelt := `{ organisatons { totalCount } }`
	t.Run("production gives no suggestions", func(t *testing.T) {
		r := prod.Client().Do(t, misspelt, nil)
		if len(r.Errors) == 0 {
			t.Fatal("no error for a misspelt field")
		}
		for _, e := range r.Errors {
			if strings.Contains(e.Message, "Did you mean") || strings.Contains(e.Message, "organisations") {
				t.Errorf("production error suggests a field: %q", e.Message)
			}
		}
	})
	t.Run("development gives suggestions", func(t *testing.T) {
		r := dev.Client().Do(t, misspelt, nil)
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "Did you mean") {
			t.Errorf("development errors %+v, want a suggestion", r.Errors)
		}
	})
	t.Run("GraphQL IDE only in development", func(t *testing.T) {
		if status, _, _ := limitsGet(t, prod.Server.URL+"/graphiql"); status == http.StatusOK {
			t.Errorf("GET /graphiql in production: %d", status)
		}
		if status, _, _ := limitsGet(t, dev.Server.URL+"/graphiql"); status != http.StatusOK {
			t.Errorf("GET /graphiql in development: %d", status)
		}
	})
}

func TestErrorsDoNotRevealInternals(t *testing.T) {
	t.Parallel()
	for _, env := range []string{"production", "development"} {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			p := testutil.NewPlatform(t, func(c *config.Config) { c.Env = env })
			b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
			requests := []struct {
				query string
				vars  map[string]any
			}{
				{`query($a: String) { organisations(after: $a) { totalCount } }`, map[string]any{"a": b64(`{"n":"x","i":"not-a-uuid"}`)}},
				{`query($a: String) { organisations(after: $a) { totalCount } }`, map[string]any{"a": b64(`{"n":"x","i":"' OR 1=1 --"}`)}},
				{`query($id: ID!) { organisation(id: $id) { name } }`, map[string]any{"id": relay.ID("Organisation", "'; SELECT pg_sleep(1); --")}},
				{`query($id: ID!) { organisation(id: $id) { name } }`, map[string]any{"id": strings.Repeat("A", 10000)}},
				{`query($f: Int) { organisations(first: $f) { totalCount } }`, map[string]any{"f": "many"}},
				{`query($f: Int) { organisations(first: $f) { totalCount } }`, map[string]any{"f": 1e20}},
				{`{ organisations(filter: {languages: ["nl"], themeIds: ["x"], districtIds: ["` + relay.ID("District", "'") + `"]}) { totalCount } }`, nil},
				{`mutation { createOrganisation(input: {kind: NON_PROFIT, name: "x"}) { userErrors { code } } }`, nil},
				{`{ talents(after: "` + b64(`{"p":"x","k":1}`) + `") { totalCount } }`, nil},
				{`{ ping `, nil},
			}
			leaks := []string{"pq:", "SQLSTATE", "sql:", "SELECT ", " FROM ", "WHERE ", "invalid input syntax", "uuid",
				"goroutine", ".go:", "runtime error", "panic", "github.com/", "internal/", "postgres"}
			for _, rq := range requests {
				r := p.Client().Do(t, rq.query, rq.vars)
				if r.Status >= 500 {
					t.Errorf("%s: HTTP status %d", rq.query, r.Status)
				}
				raw, _ := json.Marshal(r.Errors)
				for _, leak := range leaks {
					if strings.Contains(string(raw), leak) {
						t.Errorf("%s %v: errors reveal %q: %s", rq.query, rq.vars, leak, raw)
					}
				}
			}
		})
	}
}

func TestHealthReadinessAndMetricsEndpoints(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	base := p.Server.URL

	t.Run("healthz", func(t *testing.T) {
		status, body, _ := limitsGet(t, base+"/healthz")
		if status != http.StatusOK || !strings.Contains(body, `"ok"`) {
			t.Errorf("GET /healthz: %d %s", status, body)
		}
	})
	t.Run("readyz", func(t *testing.T) {
		status, body, h := limitsGet(t, base+"/readyz")
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("GET /readyz: %d %q: %v", status, body, err)
		}
		if status != http.StatusOK || got["postgres"] != "ok" || got["migrations"] != "ok" || got["redis"] != "ok" || got["status"] != "ready" {
			t.Errorf("GET /readyz: %d %v", status, got)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("Content-Type = %q", h.Get("Content-Type"))
		}
	})
	t.Run("metrics", func(t *testing.T) {
		limitsWantOK(t, p.Client().Do(t, `query MetricsPing { ping }`, nil))
		p.Client().Do(t, `query MetricsBroken { nope }`, nil)
		status, body, _ := limitsGet(t, base+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics: %d", status)
		}
		for _, want := range []string{
			`hh_http_request_duration_seconds_count{method="POST",route="/graphql",status="200"}`,
			`hh_graphql_operations_total{name="MetricsPing",outcome="ok",type="query"} 1`,
			`hh_graphql_operation_duration_seconds`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
	t.Run("security headers", func(t *testing.T) {
		_, _, h := limitsGet(t, base+"/healthz")
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-Id") == "" {
			t.Errorf("headers %v", h)
		}
	})
}

func TestRequestBodyOverMaxBodyBytesIsRefusedWith413(t *testing.T) {
	t.Parallel()
	const limit = 2048
	p := testutil.NewPlatform(t, func(c *config.Config) { c.MaxBodyBytes = limit })
	body := func(padding int) []byte {
		b, _ := json.Marshal(map[string]any{"query": `query($x: String) { organisations(filter: {search: $x}) { totalCount } }`,
			"variables": map[string]any{"x": strings.Repeat("x", padding)}})
		return b
	}
	t.Run("under the limit", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, p.URL, bytes.NewReader(body(limit-200)))
		req.Header.Set("Content-Type", "application/json")
		if status, b, _ := limitsHTTP(t, req); status != http.StatusOK || !strings.Contains(b, `"totalCount":0`) {
			t.Errorf("%d %s", status, b)
		}
	})
	t.Run("over the limit with Content-Length", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, p.URL, bytes.NewReader(body(2*limit)))
		req.Header.Set("Content-Type", "application/json")
		if status, b, _ := limitsHTTP(t, req); status != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413: %s", status, b)
		}
	})
	t.Run("over the limit, chunked", func(t *testing.T) {
		// Without Content-Length the limit is found while reading.
		req, _ := http.NewRequest(http.MethodPost, p.URL, io.MultiReader(bytes.NewReader(body(2*limit))))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		if status, b, _ := limitsHTTP(t, req); status != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413: %s", status, b)
		}
	})
}

func TestGraphQLOverGET(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	t.Run("a query works", func(t *testing.T) {
		status, body, _ := limitsGet(t, p.URL+"?query="+url.QueryEscape(`{ping}`))
		if status != http.StatusOK || !strings.Contains(body, `"ping":true`) {
			t.Errorf("GET query: %d %s", status, body)
		}
	})
	t.Run("a mutation is refused and not run", func(t *testing.T) {
		m := `mutation { register(input: {email: "get@example.org", password: "Correct-horse-battery-9", displayName: "Get"}) { session { token } } }`
		status, body, _ := limitsGet(t, p.URL+"?query="+url.QueryEscape(m))
		if status == http.StatusOK && !strings.Contains(body, `"errors"`) || status >= 500 || strings.Contains(body, `"token"`) {
			t.Errorf("GET mutation: %d %s", status, body)
		}
		var n int
		if err := p.DB.Get(&n, `SELECT count(*) FROM people WHERE email = 'get@example.org'`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("a mutation over GET created an account")
		}
	})
	t.Run("cookie-authenticated GET needs a preflight header", func(t *testing.T) {
		c := p.Register(t, "cookie@example.org", "Cookie")
		req, _ := http.NewRequest(http.MethodGet, p.URL+"?query="+url.QueryEscape(`{ me { displayName } }`), nil)
		req.AddCookie(&http.Cookie{Name: "hh_session", Value: c.Token})
		if status, body, _ := limitsHTTP(t, req); status != http.StatusBadRequest || !strings.Contains(body, "CSRF_PREVENTION") {
			t.Errorf("GET with only a cookie: %d %s", status, body)
		}
		req.Header.Set("GraphQL-Require-Preflight", "1")
		if status, body, _ := limitsHTTP(t, req); status != http.StatusOK || !strings.Contains(body, `"Cookie"`) {
			t.Errorf("GET with a cookie and preflight header: %d %s", status, body)
		}
	})
}

func TestWebSocketHandshakeChecksOrigin(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t, func(c *config.Config) {
		c.PublicURL = "https://helpende-handen.example"
		c.AllowedOrigins = []string{"https://partner.example"}
	})
	wsURL := "ws" + strings.TrimPrefix(p.URL, "http")
	tests := []struct {
		name   string
		origin string
		want   int
	}{
		{"no Origin (not a browser)", "", http.StatusSwitchingProtocols},
		{"the server's own origin", p.Server.URL, http.StatusSwitchingProtocols},
		{"the public URL", "https://helpende-handen.example", http.StatusSwitchingProtocols},
		{"an allowed origin", "https://partner.example", http.StatusSwitchingProtocols},
		{"a foreign origin", "http://evil.example", http.StatusForbidden},
		{"a look-alike of the public URL", "https://helpende-handen.example.evil.example", http.StatusForbidden},
		{"the public host on another port", "https://helpende-handen.example:8443", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
			if resp == nil {
				t.Fatalf("no handshake response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("handshake status %d, want %d (err %v)", resp.StatusCode, tt.want, err)
			}
			if tt.want != http.StatusSwitchingProtocols {
				if err == nil {
					conn.CloseNow()
					t.Fatal("refused handshake gave a connection")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.CloseNow()
			if conn.Subprotocol() != "graphql-transport-ws" {
				t.Errorf("subprotocol %q", conn.Subprotocol())
			}
			// The connection really speaks GraphQL.
			if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
				t.Fatal(err)
			}
			_, msg, err := conn.Read(ctx)
			if err != nil || !strings.Contains(string(msg), "connection_ack") {
				t.Fatalf("after connection_init: %s %v", msg, err)
			}
			if err := conn.Write(ctx, websocket.MessageText, []byte(`{"id":"1","type":"subscribe","payload":{"query":"{ ping }"}}`)); err != nil {
				t.Fatal(err)
			}
			_, msg, err = conn.Read(ctx)
			if err != nil || !strings.Contains(string(msg), `"ping":true`) {
				t.Errorf("query over WebSocket: %s %v", msg, err)
			}
			conn.Close(websocket.StatusNormalClosure, "")
		})
	}
}
