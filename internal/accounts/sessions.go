package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Sessions are random opaque tokens (256 bits). Only their SHA-256 is stored, so a
// copy of the database does not let anyone sign in.

func newToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("random token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok), nil
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

func (s *Service) createSession(ctx context.Context, q sqlx.QueryerContext, personID string, meta ClientMeta) (*NewSession, error) {
	tok, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	ua := meta.UserAgent
	if len(ua) > 256 {
		ua = ua[:256]
	}
	sess := &NewSession{Token: tok, ExpiresAt: time.Now().Add(s.sessionTTL).UTC().Truncate(time.Second)}
	err = sqlx.GetContext(ctx, q, &sess.ID, `
		INSERT INTO sessions (person_id, token_hash, expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		personID, hash, sess.ExpiresAt, ua, meta.IP)
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// Viewer is the signed-in person making a request.
type Viewer struct {
	// PersonID is whom the request acts as. When a matchmaker acts on a person's behalf
	// (with the person's consent), PersonID is the person and OnBehalfOf the matchmaker.
	PersonID          string
	OnBehalfOf        string
	SessionID         string
	IsAdmin           bool
	IsMatchmaker      bool
	PreferredLanguage string
}

// Authenticate returns the viewer for a session token. An unknown, expired or revoked
// token gives errs.ErrUnauthenticated. Sessions in use are extended (sliding expiry).
func (s *Service) Authenticate(ctx context.Context, token string) (*Viewer, error) {
	if token == "" || len(token) > 100 {
		return nil, errs.ErrUnauthenticated
	}
	var row struct {
		SessionID string    `db:"session_id"`
		PersonID  string    `db:"person_id"`
		ExpiresAt time.Time `db:"expires_at"`
		IsAdmin   bool      `db:"is_admin"`
		IsMM      bool      `db:"is_matchmaker"`
		Lang      string    `db:"preferred_language"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT s.id AS session_id, s.person_id, s.expires_at, p.is_admin, p.is_matchmaker, p.preferred_language
		FROM sessions s JOIN people p ON p.id = s.person_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`, hashToken(token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if time.Until(row.ExpiresAt) < s.sessionTTL/2 {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET expires_at = $2, last_seen_at = now() WHERE id = $1`,
			row.SessionID, time.Now().Add(s.sessionTTL)); err != nil {
			s.log.WarnContext(ctx, "extend session", "err", err)
		}
	}
	return &Viewer{PersonID: row.PersonID, SessionID: row.SessionID, IsAdmin: row.IsAdmin, IsMatchmaker: row.IsMM,
		PreferredLanguage: row.Lang}, nil
}

// Logout revokes the viewer's session, or every session of the person when everywhere is set.
func (s *Service) Logout(ctx context.Context, viewer *Viewer, everywhere bool) error {
	if viewer == nil {
		return errs.ErrUnauthenticated
	}
	var err error
	if everywhere {
		_, err = s.db.ExecContext(ctx, `UPDATE sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL`, viewer.PersonID)
	} else {
		_, err = s.db.ExecContext(ctx, `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, viewer.SessionID)
	}
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

type viewerKey struct{}

// viewerSlot holds the viewer of a request. It is a pointer so that a login or
// registration can make the rest of the same request act as the new person.
type viewerSlot struct{ v *Viewer }

// WithViewer stores the viewer (nil for anonymous) in ctx.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, &viewerSlot{v: v})
}

// SetViewer replaces the viewer of the request ctx belongs to (after login or registration).
func SetViewer(ctx context.Context, v *Viewer) {
	if s, ok := ctx.Value(viewerKey{}).(*viewerSlot); ok {
		s.v = v
	}
}

// ViewerFrom returns the viewer in ctx, or nil for an anonymous request.
func ViewerFrom(ctx context.Context) *Viewer {
	if s, ok := ctx.Value(viewerKey{}).(*viewerSlot); ok {
		return s.v
	}
	return nil
}

type metaKey struct{}

// WithClientMeta stores where the request comes from in ctx.
func WithClientMeta(ctx context.Context, m ClientMeta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// ClientMetaFrom returns where the request comes from.
func ClientMetaFrom(ctx context.Context) ClientMeta {
	m, _ := ctx.Value(metaKey{}).(ClientMeta)
	return m
}
