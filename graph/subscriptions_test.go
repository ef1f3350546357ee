package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// subscriber is one graphql-transport-ws connection subscribed to applicationChanged.
type subscriber struct {
	conn *websocket.Conn
	ctx  context.Context
}

func subscribe(t *testing.T, p *testutil.Platform, token, needID string) *subscriber {
	t.Helper()
	return subscribeQuery(t, p, token, `subscription($id: ID!) { applicationChanged(needId: $id) { status person { displayName } } }`,
		map[string]any{"id": needID})
}

// subscribeQuery opens a graphql-transport-ws connection as the token's person and starts a subscription.
func subscribeQuery(t *testing.T, p *testutil.Platform, token, query string, vars map[string]any) *subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	wsURL := "ws" + strings.TrimPrefix(p.URL, "http")
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	s := &subscriber{conn: conn, ctx: ctx}
	s.send(t, map[string]any{"type": "connection_init", "payload": map[string]any{"authToken": token}})
	if m := s.next(t); m["type"] != "connection_ack" {
		t.Fatalf("want connection_ack, got %v", m)
	}
	s.send(t, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	return s
}

func (s *subscriber) send(t *testing.T, m map[string]any) {
	t.Helper()
	b, _ := json.Marshal(m)
	if err := s.conn.Write(s.ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// next returns the next message that is not a ping.
func (s *subscriber) next(t *testing.T) map[string]any {
	t.Helper()
	for {
		_, b, err := s.conn.Read(s.ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if m["type"] == "ping" || m["type"] == "pong" {
			continue
		}
		return m
	}
}

// change reads the next applicationChanged event: status and the volunteer's name.
func (s *subscriber) change(t *testing.T) (string, string) {
	t.Helper()
	m := s.next(t)
	if m["type"] != "next" {
		t.Fatalf("want a next message, got %v", m)
	}
	var ev struct {
		Data struct {
			ApplicationChanged struct {
				Status string
				Person struct{ DisplayName string }
			}
		}
	}
	b, _ := json.Marshal(m["payload"])
	_ = json.Unmarshal(b, &ev)
	return ev.Data.ApplicationChanged.Status, ev.Data.ApplicationChanged.Person.DisplayName
}

func TestApplicationChangedReachesCoordinatorsAndOnlyTheVolunteerConcerned(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Soep koken", 5, false)
	anna := p.Register(t, "anna@example.org", "Anna")
	bilal := p.Register(t, "bilal@example.org", "Bilal")

	coordSub := subscribe(t, p, coord.Token, needID)
	annaSub := subscribe(t, p, anna.Token, needID)
	// Give the server a moment to register both subscriptions before anything changes.
	time.Sleep(200 * time.Millisecond)

	if r := volApply(t, bilal, needID, shiftID, ""); r.Application == nil {
		t.Fatalf("bilal apply: %+v", r.UserErrors)
	}
	if status, name := coordSub.change(t); status != "PENDING" || name != "Bilal" {
		t.Errorf("coordinator got %s/%s, want PENDING/Bilal", status, name)
	}
	if r := volApply(t, anna, needID, shiftID, ""); r.Application == nil {
		t.Fatalf("anna apply: %+v", r.UserErrors)
	}
	if status, name := coordSub.change(t); status != "PENDING" || name != "Anna" {
		t.Errorf("coordinator got %s/%s, want PENDING/Anna", status, name)
	}
	// Anna sees her own application, never Bilal's.
	if status, name := annaSub.change(t); status != "PENDING" || name != "Anna" {
		t.Errorf("anna got %s/%s, want her own PENDING application", status, name)
	}
}

func TestApplicationChangedNeedsASignedInViewer(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	needID, _ := volPublishedNeed(t, coord, orgID, "Soep koken", 5, false)
	s := subscribe(t, p, "", needID)
	m := s.next(t)
	// gqlgen reports a resolver error as a result with errors (type "next") or as "error".
	if (m["type"] != "error" && m["type"] != "next") || !strings.Contains(mustJSON(m["payload"]), "UNAUTHENTICATED") ||
		strings.Contains(mustJSON(m["payload"]), `"status"`) {
		t.Errorf("anonymous subscription: %v, want an UNAUTHENTICATED error", m)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
