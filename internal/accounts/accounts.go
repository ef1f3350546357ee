// Package accounts keeps people, their passwords and sessions, and the platform-wide
// roles (matchmaker, administrator). Membership of organisations lives in package
// organisations; every person is a volunteer.
package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
)

// Person is someone with an account.
type Person struct {
	ID                string     `db:"id"`
	Email             string     `db:"email"`
	PasswordHash      string     `db:"password_hash"`
	DisplayName       string     `db:"display_name"`
	PreferredLanguage string     `db:"preferred_language"`
	DistrictKey       *string    `db:"district_key"`
	BirthDate         *time.Time `db:"birth_date"`
	Phone             *string    `db:"phone"`
	IsAdmin           bool       `db:"is_admin"`
	IsMatchmaker      bool       `db:"is_matchmaker"`
	CreatedAt         time.Time  `db:"created_at"`
	UpdatedAt         time.Time  `db:"updated_at"`
	PasswordChangedAt time.Time  `db:"password_changed_at"`
}

const personColumns = `id, email, password_hash, display_name, preferred_language, district_key, birth_date, phone,
	is_admin, is_matchmaker, created_at, updated_at, password_changed_at`

// Service manages accounts and sessions.
type Service struct {
	db         *sqlx.DB
	sessionTTL time.Duration
	throttle   *Throttle
	log        *slog.Logger
	// DistrictExists checks a district key; set by the wiring (reference data).
	DistrictExists func(ctx context.Context, key string) bool
}

// NewService returns an accounts service. redis may be nil (no login throttling).
func NewService(db *sqlx.DB, redis *cache.Client, sessionTTL time.Duration, log *slog.Logger) *Service {
	return &Service{db: db, sessionTTL: sessionTTL, throttle: NewThrottle(redis, log), log: log}
}

// ClientMeta describes where a request comes from.
type ClientMeta struct {
	IP        string
	UserAgent string
}

// NewSession is a freshly made session; Token is only known now.
type NewSession struct {
	ID        string
	Token     string
	ExpiresAt time.Time
}

// RegisterInput is what a person gives to make an account.
type RegisterInput struct {
	Email             string
	Password          string
	DisplayName       string
	PreferredLanguage string
}

// Limits on text fields.
const (
	MaxEmailLen       = 254
	MaxDisplayNameLen = 80
	MaxPhoneLen       = 32
)

// NormaliseEmail trims and lower-cases an email address.
func NormaliseEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func validateEmail(v *errs.UserErrors, field, email string) {
	switch {
	case email == "":
		v.Add(field, errs.Required, "required", nil)
	case utf8.RuneCountInString(email) > MaxEmailLen:
		v.Add(field, errs.TooLong, "too_long", map[string]any{"Max": MaxEmailLen})
	default:
		a, err := mail.ParseAddress(email)
		_, domain, _ := strings.Cut(email, "@")
		if err != nil || a.Address != email || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") ||
			strings.ContainsAny(email, " \t\r\n") {
			v.Add(field, errs.InvalidEmail, "invalid_email", nil)
		}
	}
}

// CleanText trims s and reports whether it holds control characters (other than newlines when multiline).
func CleanText(s string, multiline bool) (string, bool) {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return s, false
		}
	}
	return s, true
}

func validateDisplayName(v *errs.UserErrors, field, name string) string {
	name, ok := CleanText(name, false)
	switch {
	case name == "":
		v.Add(field, errs.Required, "required", nil)
	case !ok:
		v.Add(field, errs.Invalid, "invalid", nil)
	case utf8.RuneCountInString(name) > MaxDisplayNameLen:
		v.Add(field, errs.TooLong, "too_long", map[string]any{"Max": MaxDisplayNameLen})
	}
	return name
}

// Register makes an account and a first session, in one transaction.
func (s *Service) Register(ctx context.Context, in RegisterInput, meta ClientMeta) (*Person, *NewSession, error) {
	var v errs.UserErrors
	email := NormaliseEmail(in.Email)
	validateEmail(&v, "email", email)
	name := validateDisplayName(&v, "displayName", in.DisplayName)
	lang := in.PreferredLanguage
	if lang == "" {
		lang = i18n.FromContext(ctx)
	}
	if !i18n.IsSupported(lang) {
		v.Add("preferredLanguage", errs.Invalid, "invalid", nil)
	}
	ValidatePassword(&v, "password", in.Password, email, name)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, nil, err
	}
	var p Person
	var sess *NewSession
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &p, `
			INSERT INTO people (email, password_hash, display_name, preferred_language)
			VALUES ($1, $2, $3, $4) RETURNING `+personColumns, email, hash, name, lang)
		if err != nil {
			var pqErr *pq.Error
			if errors.As(err, &pqErr) && pqErr.Code == "23505" {
				return errs.One("email", errs.EmailTaken, "email_taken", nil)
			}
			return fmt.Errorf("insert person: %w", err)
		}
		sess, err = s.createSession(ctx, tx, p.ID, meta)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	s.log.InfoContext(ctx, "account registered", "person", p.ID)
	return &p, sess, nil
}

// Login checks the email and password and starts a new session. The answer never tells
// whether the email exists; repeated failures are slowed down per account and per address.
func (s *Service) Login(ctx context.Context, email, password string, meta ClientMeta) (*Person, *NewSession, error) {
	email = NormaliseEmail(email)
	var v errs.UserErrors
	if email == "" {
		v.Add("email", errs.Required, "required", nil)
	}
	if password == "" {
		v.Add("password", errs.Required, "required", nil)
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	if err := s.throttle.Check(ctx, email, meta.IP); err != nil {
		return nil, nil, err
	}
	p, err := s.byEmail(ctx, email)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return nil, nil, err
	}
	ok := false
	if p != nil && len(password) <= maxPasswordBytes {
		ok, err = VerifyPassword(password, p.PasswordHash)
		if err != nil {
			return nil, nil, err
		}
	} else {
		// Spend the same time as a real check, so timing does not reveal unknown emails.
		burnPasswordCheck(password)
	}
	if !ok {
		s.throttle.Fail(ctx, email, meta.IP)
		return nil, nil, errs.One("", errs.InvalidCredentials, "invalid_credentials", nil)
	}
	s.throttle.Succeed(ctx, email)
	sess, err := s.createSession(ctx, s.db, p.ID, meta)
	if err != nil {
		return nil, nil, err
	}
	return p, sess, nil
}

func (s *Service) byEmail(ctx context.Context, email string) (*Person, error) {
	var p Person
	err := s.db.GetContext(ctx, &p, `SELECT `+personColumns+` FROM people WHERE lower(email) = $1`, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find person by email: %w", err)
	}
	return &p, nil
}

// PersonIDByEmail finds a person's ID by email address.
func (s *Service) PersonIDByEmail(ctx context.Context, email string) (string, error) {
	p, err := s.byEmail(ctx, NormaliseEmail(email))
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// Person returns the person with id.
func (s *Service) Person(ctx context.Context, id string) (*Person, error) {
	ps, err := s.People(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if ps[0] == nil {
		return nil, errs.ErrNotFound
	}
	return ps[0], nil
}

// People returns the people with the given IDs, in the same order (nil where none).
func (s *Service) People(ctx context.Context, ids []string) ([]*Person, error) {
	var rows []Person
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+personColumns+` FROM people WHERE id = ANY($1::uuid[])`,
		pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("load people: %w", err)
	}
	byID := make(map[string]*Person, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	out := make([]*Person, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// UpdateMeInput holds the fields a person may change; nil leaves a field as it is.
type UpdateMeInput struct {
	DisplayName       *string
	PreferredLanguage *string
	DistrictKey       *string // "" clears
	BirthDate         *time.Time
	Phone             *string // "" clears
}

// UpdateMe changes the viewer's own fields.
func (s *Service) UpdateMe(ctx context.Context, personID string, in UpdateMeInput) (*Person, error) {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return nil, err
	}
	var v errs.UserErrors
	if in.DisplayName != nil {
		p.DisplayName = validateDisplayName(&v, "displayName", *in.DisplayName)
	}
	if in.PreferredLanguage != nil {
		if !i18n.IsSupported(*in.PreferredLanguage) {
			v.Add("preferredLanguage", errs.Invalid, "invalid", nil)
		}
		p.PreferredLanguage = *in.PreferredLanguage
	}
	if in.DistrictKey != nil {
		if *in.DistrictKey == "" {
			p.DistrictKey = nil
		} else if s.DistrictExists != nil && !s.DistrictExists(ctx, *in.DistrictKey) {
			v.Add("districtId", errs.UnknownReference, "unknown_district", nil)
		} else {
			p.DistrictKey = in.DistrictKey
		}
	}
	if in.BirthDate != nil {
		now := time.Now()
		if in.BirthDate.After(now) || in.BirthDate.Before(now.AddDate(-120, 0, 0)) {
			v.Add("birthDate", errs.OutOfRange, "invalid_date", nil)
		}
		p.BirthDate = in.BirthDate
	}
	if in.Phone != nil {
		ph, ok := CleanText(*in.Phone, false)
		switch {
		case ph == "":
			p.Phone = nil
		case !ok || !validPhone(ph):
			v.Add("phone", errs.Invalid, "invalid_phone", nil)
		default:
			p.Phone = &ph
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.db.GetContext(ctx, p, `
		UPDATE people SET display_name = $2, preferred_language = $3, district_key = $4, birth_date = $5, phone = $6,
			updated_at = now()
		WHERE id = $1 RETURNING `+personColumns,
		p.ID, p.DisplayName, p.PreferredLanguage, p.DistrictKey, p.BirthDate, p.Phone)
	if err != nil {
		return nil, fmt.Errorf("update person: %w", err)
	}
	return p, nil
}

func validPhone(s string) bool {
	if len(s) > MaxPhoneLen {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '/', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// ChangePassword checks the current password, sets the new one, ends every session of
// the person and returns a fresh one.
func (s *Service) ChangePassword(ctx context.Context, personID, current, next string, meta ClientMeta) (*NewSession, error) {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(current, p.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.One("currentPassword", errs.InvalidCredentials, "wrong_current_password", nil)
	}
	var v errs.UserErrors
	ValidatePassword(&v, "newPassword", next, p.Email, p.DisplayName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return nil, err
	}
	var sess *NewSession
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET password_hash = $2, password_changed_at = now(), updated_at = now()
			WHERE id = $1`, personID, hash); err != nil {
			return fmt.Errorf("update password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL`,
			personID); err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		sess, err = s.createSession(ctx, tx, personID, meta)
		return err
	})
	return sess, err
}

// Roles that an administrator can grant.
const (
	RoleMatchmaker    = "MATCHMAKER"
	RoleAdministrator = "ADMINISTRATOR"
)

// GrantRole gives or takes a platform role. Only administrators may; nobody takes away
// their own administrator role (so there is always one left who can).
func (s *Service) GrantRole(ctx context.Context, viewer *Viewer, personID, role string, granted bool) (*Person, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if !viewer.IsAdmin {
		return nil, errs.ErrForbidden
	}
	var column string
	switch role {
	case RoleMatchmaker:
		column = "is_matchmaker"
	case RoleAdministrator:
		column = "is_admin"
		if !granted && personID == viewer.PersonID {
			return nil, errs.One("personId", errs.InvalidState, "own_admin_role", nil)
		}
	default:
		return nil, errs.One("role", errs.Invalid, "role_not_grantable", nil)
	}
	var p Person
	err := s.db.GetContext(ctx, &p, `UPDATE people SET `+column+` = $2, updated_at = now() WHERE id = $1
		RETURNING `+personColumns, personID, granted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.One("personId", errs.NotFoundCode, "err_not_found", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("grant role: %w", err)
	}
	s.log.InfoContext(ctx, "role changed", "person", personID, "role", role, "granted", granted, "by", viewer.PersonID)
	return &p, nil
}

// CreateAdministrator makes (or promotes) a platform administrator; for the `admin create` command.
func (s *Service) CreateAdministrator(ctx context.Context, email, password, displayName string) (*Person, error) {
	email = NormaliseEmail(email)
	if p, err := s.byEmail(ctx, email); err == nil {
		if _, err := s.db.ExecContext(ctx, `UPDATE people SET is_admin = true, updated_at = now() WHERE id = $1`, p.ID); err != nil {
			return nil, fmt.Errorf("promote administrator: %w", err)
		}
		p.IsAdmin = true
		return p, nil
	}
	p, _, err := s.Register(ctx, RegisterInput{Email: email, Password: password, DisplayName: displayName, PreferredLanguage: i18n.NL}, ClientMeta{IP: "cli"})
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE people SET is_admin = true WHERE id = $1`, p.ID); err != nil {
		return nil, fmt.Errorf("make administrator: %w", err)
	}
	// The registration session is not needed by a command-line user.
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET revoked_at = now() WHERE person_id = $1`, p.ID); err != nil {
		return nil, fmt.Errorf("end session: %w", err)
	}
	p.IsAdmin = true
	return p, nil
}
