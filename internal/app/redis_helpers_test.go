package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/app"
	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/config"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// fastBreaker makes outages and recoveries quick to observe in tests.
var fastBreaker = cache.Settings{OpenFor: 50 * time.Millisecond, CallTimeout: 100 * time.Millisecond, DialTimeout: 100 * time.Millisecond}

// start builds one API instance on an existing database and Redis client.
func start(t testing.TB, dbURL string, redis *cache.Client, mutate ...func(*config.Config)) *testutil.Platform {
	t.Helper()
	cfg := testutil.Config(t, mutate...)
	cfg.DatabaseURL, cfg.RedisPrefix = dbURL, redis.Prefix
	db, err := database.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	// PostgreSQL's 100 connections are shared by every test package running at once.
	db.SetMaxOpenConns(8)
	a := app.New(cfg, db, redis, testutil.Logger(t))
	srv := httptest.NewServer(a.Server.Handler())
	t.Cleanup(srv.Close)
	return &testutil.Platform{App: a, Server: srv, URL: srv.URL + "/graphql"}
}

// instances starts n API instances that share one fresh database and one Redis prefix,
// each with a Redis client of its own (as on separate machines).
func instances(t testing.TB, n int, mutate ...func(*config.Config)) []*testutil.Platform {
	t.Helper()
	dbURL := testutil.NewDatabase(t)
	first := testutil.NewRedis(t)
	out := []*testutil.Platform{start(t, dbURL, first, mutate...)}
	for i := 1; i < n; i++ {
		c, err := cache.Open(testutil.RedisURL(), first.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		out = append(out, start(t, dbURL, c, mutate...))
	}
	return out
}

// withRedisAt starts one instance whose Redis is at addr (which may be dead or hung).
func withRedisAt(t testing.TB, addr string, mutate ...func(*config.Config)) *testutil.Platform {
	t.Helper()
	c, err := cache.OpenWith("redis://"+addr+"/0", testutil.NewRedis(t).Prefix, fastBreaker)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return start(t, testutil.NewDatabase(t), c, mutate...)
}

type userError struct {
	Field         []string
	Code, Message string
}

// org registers an administrator and a coordinator on p and makes an approved organisation.
func org(t testing.TB, p *testutil.Platform, name string) (admin, coord *testutil.Client, orgID string) {
	t.Helper()
	admin = p.Register(t, "admin@example.org", "Admin")
	p.MakeAdmin(t, "admin@example.org")
	coord = p.Register(t, "coord@example.org", "Coco Coördinator")
	var out struct {
		CreateOrganisation struct {
			Organisation *struct{ ID string }
			UserErrors   []userError
		}
	}
	coord.MustData(t, `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) { organisation { id } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"kind": "NEIGHBOURHOOD_CENTRE", "name": name, "themeIds": []string{}}}, &out)
	if out.CreateOrganisation.Organisation == nil {
		t.Fatalf("create organisation: %+v", out.CreateOrganisation.UserErrors)
	}
	orgID = out.CreateOrganisation.Organisation.ID
	approve(t, admin, orgID)
	return admin, coord, orgID
}

func approve(t testing.TB, admin *testutil.Client, orgID string) {
	t.Helper()
	var out struct {
		ApproveOrganisation struct {
			Organisation *struct{ Status string }
			UserErrors   []userError
		}
	}
	admin.MustData(t, `mutation($id: ID!) { approveOrganisation(input: { organisationId: $id, approve: true }) { organisation { status } userErrors { field code message } } }`,
		map[string]any{"id": orgID}, &out)
	if out.ApproveOrganisation.Organisation == nil {
		t.Fatalf("approve: %+v", out.ApproveOrganisation.UserErrors)
	}
}

// publishedNeed makes an open one-off need with one shift of places places (accepting at once).
func publishedNeed(t testing.TB, coord *testutil.Client, orgID, title string, places int, themes ...string) (needID, shiftID string) {
	t.Helper()
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	if themes == nil {
		themes = []string{}
	}
	var out struct {
		CreateNeed struct {
			Need *struct {
				ID     string
				Shifts struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			UserErrors []userError
		}
	}
	coord.MustData(t, `mutation($in: CreateNeedInput!) { createNeed(input: $in) { need { id shifts { edges { node { id } } } } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"organisationId": orgID, "title": title, "schedule": "ONE_OFF", "autoAccept": true, "themeIds": themes,
			"shifts": []map[string]any{{"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339), "places": places}}}}, &out)
	if out.CreateNeed.Need == nil {
		t.Fatalf("create need: %+v", out.CreateNeed.UserErrors)
	}
	var pub struct {
		PublishNeed struct {
			Need       *struct{ Status string }
			UserErrors []userError
		}
	}
	coord.MustData(t, `mutation($id: ID!) { publishNeed(input: { needId: $id }) { need { status } userErrors { field code message } } }`,
		map[string]any{"id": out.CreateNeed.Need.ID}, &pub)
	if pub.PublishNeed.Need == nil || pub.PublishNeed.Need.Status != "OPEN" {
		t.Fatalf("publish: %+v", pub.PublishNeed)
	}
	return out.CreateNeed.Need.ID, out.CreateNeed.Need.Shifts.Edges[0].Node.ID
}

func apply(t testing.TB, c *testutil.Client, needID, shiftID string) string {
	t.Helper()
	var out struct {
		ApplyToNeed struct {
			Application *struct{ ID, Status string }
			UserErrors  []userError
		}
	}
	c.MustData(t, `mutation($in: ApplyToNeedInput!) { applyToNeed(input: $in) { application { id status } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"needId": needID, "shiftId": shiftID}}, &out)
	if out.ApplyToNeed.Application == nil {
		t.Fatalf("apply: %+v", out.ApplyToNeed.UserErrors)
	}
	return out.ApplyToNeed.Application.ID
}

func mustOK(t testing.TB, c *testutil.Client, query string, vars map[string]any) {
	t.Helper()
	var out map[string]struct{ UserErrors []userError }
	c.MustData(t, query, vars, &out)
	for k, v := range out {
		if len(v.UserErrors) > 0 {
			t.Fatalf("%s: %+v", k, v.UserErrors)
		}
	}
}

// read runs a query and returns its data as JSON text and the X-Cache header.
func read(t testing.TB, c *testutil.Client, query string, vars map[string]any) (string, string) {
	t.Helper()
	r := c.Do(t, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", query, r.Errors)
	}
	return string(r.Data), r.Header.Get("X-Cache")
}

func decode(t testing.TB, data string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return m
}

func get(t testing.TB, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}
