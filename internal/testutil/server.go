package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/app"
	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/database"
)

// Platform is a running platform for one test: its own database, Redis prefix and HTTP server.
type Platform struct {
	*app.App
	Server *httptest.Server
	URL    string // the GraphQL endpoint
}

// Config returns a configuration for tests (development mode unless changed by mutate).
func Config(t testing.TB, mutate ...func(*config.Config)) config.Config {
	t.Helper()
	cfg, err := config.Load()
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.Env = "development"
	for _, m := range mutate {
		m(&cfg)
	}
	return cfg
}

// NewPlatform starts the platform on a fresh database.
func NewPlatform(t testing.TB, mutate ...func(*config.Config)) *Platform {
	t.Helper()
	cfg := Config(t, mutate...)
	cfg.DatabaseURL = NewDatabase(t)
	db, err := database.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	redis := NewRedis(t)
	cfg.RedisPrefix = redis.Prefix
	a := app.New(cfg, db, redis, Logger(t))
	srv := httptest.NewServer(a.Server.Handler())
	t.Cleanup(srv.Close)
	return &Platform{App: a, Server: srv, URL: srv.URL + "/graphql"}
}

// Client talks GraphQL to a platform as one person (or anonymously).
type Client struct {
	URL      string
	Token    string
	Language string
	Header   http.Header
	HTTP     *http.Client
}

// Client returns an anonymous client.
func (p *Platform) Client() *Client {
	return &Client{URL: p.URL, HTTP: &http.Client{Timeout: 30 * time.Second}, Header: http.Header{}}
}

// Response is a GraphQL response.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Header http.Header
}

// ErrorCode returns the extensions.code of the first error, or "".
func (r *Response) ErrorCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Do runs a query and returns the response; it fails the test on transport problems only.
func (c *Client) Do(t testing.TB, query string, vars map[string]any) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Language != "" {
		req.Header.Set("Accept-Language", c.Language)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode response (status %d): %v\n%s", resp.StatusCode, err, b)
	}
	return out
}

// MustData runs a query, fails the test on any GraphQL error, and decodes data into v.
func (c *Client) MustData(t testing.TB, query string, vars map[string]any, v any) {
	t.Helper()
	r := c.Do(t, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("decode data: %v\n%s", err, r.Data)
		}
	}
}

// Register makes an account and returns a client signed in as that person.
func (p *Platform) Register(t testing.TB, email, name string) *Client {
	t.Helper()
	c := p.Client()
	var out struct {
		Register struct {
			Session    *struct{ Token string }
			UserErrors []struct{ Code, Message string }
		}
	}
	c.MustData(t, `mutation($in: RegisterInput!) { register(input: $in) { session { token } userErrors { code message } } }`,
		map[string]any{"in": map[string]any{"email": email, "password": "Correct-horse-battery-9", "displayName": name}}, &out)
	if out.Register.Session == nil {
		t.Fatalf("register %s: %+v", email, out.Register.UserErrors)
	}
	c.Token = out.Register.Session.Token
	return c
}

// MakeAdmin gives the person behind email the administrator role.
func (p *Platform) MakeAdmin(t testing.TB, email string) {
	t.Helper()
	if _, err := p.DB.Exec(`UPDATE people SET is_admin = true WHERE lower(email) = lower($1)`, email); err != nil {
		t.Fatalf("make admin: %v", err)
	}
}
