// Package organisations keeps the directory of organisations ("sociale kaart"): non-profits,
// neighbourhood centres, schools, city services, sports clubs and merchants, with their
// members. An organisation is public once a platform administrator approved it.
package organisations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/invalidate"
	"github.com/helpende-handen/helpende-handen/internal/reference"
)

// Kinds of organisation.
const (
	KindNonProfit           = "NON_PROFIT"
	KindNeighbourhoodCentre = "NEIGHBOURHOOD_CENTRE"
	KindCityService         = "CITY_SERVICE"
	KindSchool              = "SCHOOL"
	KindSportsClub          = "SPORTS_CLUB"
	KindCultural            = "CULTURAL"
	KindMerchant            = "MERCHANT"
	KindOther               = "OTHER"
)

// Kinds lists every kind.
var Kinds = []string{KindNonProfit, KindNeighbourhoodCentre, KindCityService, KindSchool, KindSportsClub, KindCultural, KindMerchant, KindOther}

// Statuses of an organisation.
const (
	StatusPending  = "PENDING"
	StatusApproved = "APPROVED"
	StatusRejected = "REJECTED"
)

// Member roles.
const (
	RoleAdmin       = "ADMIN"
	RoleCoordinator = "COORDINATOR"
)

// AccessibilityFacts lists the accessibility facts an organisation (or need) can state.
var AccessibilityFacts = []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED", "NO_EXPERIENCE_NEEDED", "FIRST_TIMER_FRIENDLY"}

// Organisation is one entry of the directory.
type Organisation struct {
	ID            string         `db:"id"`
	Kind          string         `db:"kind"`
	Status        string         `db:"status"`
	Name          string         `db:"name"`
	Description   string         `db:"description"`
	Street        string         `db:"street"`
	Postcode      string         `db:"postcode"`
	City          string         `db:"city"`
	DistrictKey   *string        `db:"district_key"`
	Lat           *float64       `db:"lat"`
	Lon           *float64       `db:"lon"`
	ContactEmail  string         `db:"contact_email"`
	ContactPhone  string         `db:"contact_phone"`
	Website       string         `db:"website"`
	Themes        pq.StringArray `db:"themes"`
	Languages     pq.StringArray `db:"languages"`
	Accessibility pq.StringArray `db:"accessibility"`
	OpeningHours  string         `db:"opening_hours"`
	LogoURL       string         `db:"logo_url"`
	CreatedBy     *string        `db:"created_by"`
	CreatedAt     time.Time      `db:"created_at"`
	UpdatedAt     time.Time      `db:"updated_at"`
	ReviewedAt    *time.Time     `db:"reviewed_at"`
	ReviewedBy    *string        `db:"reviewed_by"`
	ReviewNote    string         `db:"review_note"`
}

const columns = `id, kind, status, name, description, street, postcode, city, district_key, lat, lon, contact_email,
	contact_phone, website, themes, languages, accessibility, opening_hours, logo_url, created_by, created_at, updated_at,
	reviewed_at, reviewed_by, review_note`

// Membership links a person to an organisation.
type Membership struct {
	OrganisationID string    `db:"organisation_id"`
	PersonID       string    `db:"person_id"`
	Role           string    `db:"role"`
	Kind           string    `db:"kind"`
	Status         string    `db:"status"`
	CreatedAt      time.Time `db:"created_at"`
}

// Service manages organisations.
type Service struct {
	db  *sqlx.DB
	ref *reference.Service
	log *slog.Logger
	// Invalidator is told, after each committed write, which cached answers it changed.
	Invalidator invalidate.Invalidator
	// ReadDB serves the directory listing (a replica when DATABASE_READ_URL is set).
	ReadDB *sqlx.DB
}

// NewService returns an organisations service.
func NewService(db *sqlx.DB, ref *reference.Service, log *slog.Logger) *Service {
	return &Service{db: db, ref: ref, log: log, Invalidator: invalidate.Nop{}, ReadDB: db}
}

// changed bumps the cache tags of the directory and of organisation id (and, through
// invalidate.Orgs, of every answer that embeds an organisation), plus extra tags.
func (s *Service) changed(ctx context.Context, id string, extra ...string) {
	invalidate.Or(s.Invalidator).Bump(ctx, append([]string{invalidate.Orgs, invalidate.Org(id)}, extra...)...)
}

// reader is the database for the directory listing: the replica unless ctx asks for the primary.
func (s *Service) reader(ctx context.Context) *sqlx.DB {
	if s.ReadDB == nil || database.PrimaryOnly(ctx) {
		return s.db
	}
	return s.ReadDB
}

// Create registers an organisation, pending approval; its creator becomes its admin.
func (s *Service) Create(ctx context.Context, viewer *accounts.Viewer, in Input) (*Organisation, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	o := &Organisation{City: "Antwerpen", Status: StatusPending}
	if in.Kind == nil || in.Name == nil {
		var v errs.UserErrors
		if in.Kind == nil {
			v.Add("kind", errs.Required, "required", nil)
		}
		if in.Name == nil {
			v.Add("name", errs.Required, "required", nil)
		}
		return nil, v
	}
	if err := s.apply(ctx, o, in); err != nil {
		return nil, err
	}
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, o, `
			INSERT INTO organisations (kind, status, name, description, street, postcode, city, district_key, lat, lon,
				contact_email, contact_phone, website, themes, languages, accessibility, opening_hours, logo_url, created_by)
			VALUES ($1, 'PENDING', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
			RETURNING `+columns,
			o.Kind, o.Name, o.Description, o.Street, o.Postcode, o.City, o.DistrictKey, o.Lat, o.Lon,
			o.ContactEmail, o.ContactPhone, o.Website, o.Themes, o.Languages, o.Accessibility, o.OpeningHours, o.LogoURL,
			viewer.PersonID)
		if err != nil {
			return fmt.Errorf("insert organisation: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO organisation_members (organisation_id, person_id, role, added_by)
			VALUES ($1, $2, 'ADMIN', $2)`, o.ID, viewer.PersonID)
		if err != nil {
			return fmt.Errorf("add creator as member: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, o.ID, invalidate.Person(viewer.PersonID))
	s.log.InfoContext(ctx, "organisation created", "organisation", o.ID, "by", viewer.PersonID)
	return o, nil
}

// Update changes an organisation's details. Only its members (and platform administrators) may.
func (s *Service) Update(ctx context.Context, viewer *accounts.Viewer, id string, in Input) (*Organisation, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	o, err := s.Get(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if !viewer.IsAdmin {
		role, err := s.RoleOf(ctx, viewer.PersonID, id)
		if err != nil {
			return nil, err
		}
		if role == "" {
			return nil, errs.ErrForbidden
		}
	}
	if err := s.apply(ctx, o, in); err != nil {
		return nil, err
	}
	err = s.db.GetContext(ctx, o, `
		UPDATE organisations SET kind = $2, name = $3, description = $4, street = $5, postcode = $6, city = $7,
			district_key = $8, lat = $9, lon = $10, contact_email = $11, contact_phone = $12, website = $13, themes = $14,
			languages = $15, accessibility = $16, opening_hours = $17, logo_url = $18, updated_at = now()
		WHERE id = $1 RETURNING `+columns,
		o.ID, o.Kind, o.Name, o.Description, o.Street, o.Postcode, o.City, o.DistrictKey, o.Lat, o.Lon,
		o.ContactEmail, o.ContactPhone, o.Website, o.Themes, o.Languages, o.Accessibility, o.OpeningHours, o.LogoURL)
	if err != nil {
		return nil, fmt.Errorf("update organisation: %w", err)
	}
	s.changed(ctx, o.ID)
	return o, nil
}

// Review approves or rejects an organisation. Only platform administrators may.
func (s *Service) Review(ctx context.Context, viewer *accounts.Viewer, id string, approve bool, note string) (*Organisation, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if !viewer.IsAdmin {
		return nil, errs.ErrForbidden
	}
	status := StatusRejected
	if approve {
		status = StatusApproved
	}
	note, _ = accounts.CleanText(note, true)
	if len([]rune(note)) > 1000 {
		return nil, errs.One("note", errs.TooLong, "too_long", map[string]any{"Max": 1000})
	}
	var o Organisation
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &o, `SELECT `+columns+` FROM organisations WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.One("organisationId", errs.NotFoundCode, "organisation_not_found", nil)
		}
		if err != nil {
			return fmt.Errorf("load organisation: %w", err)
		}
		if o.Status == status {
			return errs.One("organisationId", errs.InvalidState, "already_reviewed", nil)
		}
		return tx.GetContext(ctx, &o, `UPDATE organisations SET status = $2, reviewed_at = now(), reviewed_by = $3,
			review_note = $4, updated_at = now() WHERE id = $1 RETURNING `+columns, id, status, viewer.PersonID, note)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, id, invalidate.Needs)
	s.log.InfoContext(ctx, "organisation reviewed", "organisation", id, "status", status, "by", viewer.PersonID)
	return &o, nil
}

// AddMember adds a person to an organisation. Only the organisation's admins (and platform
// administrators) may.
func (s *Service) AddMember(ctx context.Context, viewer *accounts.Viewer, orgID, personID, role string) (*Membership, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if _, err := s.Get(ctx, viewer, orgID); err != nil {
		return nil, err
	}
	if role != RoleAdmin && role != RoleCoordinator {
		return nil, errs.One("role", errs.Invalid, "invalid", nil)
	}
	if !viewer.IsAdmin {
		r, err := s.RoleOf(ctx, viewer.PersonID, orgID)
		if err != nil {
			return nil, err
		}
		if r != RoleAdmin {
			return nil, errs.ErrForbidden
		}
	}
	var m Membership
	err := s.db.GetContext(ctx, &m, `
		WITH ins AS (
			INSERT INTO organisation_members (organisation_id, person_id, role, added_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING RETURNING organisation_id, person_id, role, created_at)
		SELECT ins.*, o.kind, o.status FROM ins JOIN organisations o ON o.id = ins.organisation_id`,
		orgID, personID, role, viewer.PersonID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.One("email", errs.AlreadyMember, "already_member", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("add member: %w", err)
	}
	s.changed(ctx, orgID, invalidate.Person(personID))
	return &m, nil
}

// Get returns an organisation the viewer may see: approved ones for everybody, others
// for their members and administrators. Anything else is errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, viewer *accounts.Viewer, id string) (*Organisation, error) {
	os, err := s.GetMany(ctx, viewer, []string{id})
	if err != nil {
		return nil, err
	}
	if os[0] == nil {
		return nil, errs.ErrNotFound
	}
	return os[0], nil
}

// GetMany returns the organisations with ids in order, nil where not visible to the viewer.
func (s *Service) GetMany(ctx context.Context, viewer *accounts.Viewer, ids []string) ([]*Organisation, error) {
	var rows []Organisation
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+columns+` FROM organisations WHERE id = ANY($1::uuid[])`,
		pq.StringArray(validUUIDs(ids))); err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	byID := map[string]*Organisation{}
	var hidden []string
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
		if rows[i].Status != StatusApproved {
			hidden = append(hidden, rows[i].ID)
		}
	}
	if len(hidden) > 0 && (viewer == nil || !viewer.IsAdmin) {
		member := map[string]bool{}
		if viewer != nil {
			ms, err := s.MembershipsOf(ctx, viewer.PersonID)
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				member[m.OrganisationID] = true
			}
		}
		for _, id := range hidden {
			if !member[id] {
				delete(byID, id)
			}
		}
	}
	out := make([]*Organisation, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// MembershipsOf lists the organisations a person belongs to.
func (s *Service) MembershipsOf(ctx context.Context, personID string) ([]Membership, error) {
	var ms []Membership
	err := s.db.SelectContext(ctx, &ms, `
		SELECT m.organisation_id, m.person_id, m.role, m.created_at, o.kind, o.status
		FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.person_id = $1 ORDER BY o.name`, personID)
	if err != nil {
		return nil, fmt.Errorf("load memberships: %w", err)
	}
	return ms, nil
}

// Members lists an organisation's members.
func (s *Service) Members(ctx context.Context, orgID string) ([]Membership, error) {
	var ms []Membership
	err := s.db.SelectContext(ctx, &ms, `
		SELECT m.organisation_id, m.person_id, m.role, m.created_at, o.kind, o.status
		FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.organisation_id = $1 ORDER BY m.created_at`, orgID)
	if err != nil {
		return nil, fmt.Errorf("load members: %w", err)
	}
	return ms, nil
}

// RoleOf returns the person's role in the organisation, or "" when not a member.
func (s *Service) RoleOf(ctx context.Context, personID, orgID string) (string, error) {
	var role string
	err := s.db.GetContext(ctx, &role, `SELECT role FROM organisation_members WHERE person_id = $1 AND organisation_id = $2`,
		personID, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load role: %w", err)
	}
	return role, nil
}

func validUUIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if IsUUID(id) {
			out = append(out, id)
		}
	}
	return out
}

// IsUUID reports whether s has the textual form of a UUID.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// CanManageMembers returns errs.ErrForbidden unless the viewer is an admin of the
// organisation or a platform administrator.
func (s *Service) CanManageMembers(ctx context.Context, viewer *accounts.Viewer, orgID string) error {
	if viewer == nil {
		return errs.ErrUnauthenticated
	}
	if viewer.IsAdmin {
		return nil
	}
	r, err := s.RoleOf(ctx, viewer.PersonID, orgID)
	if err != nil {
		return err
	}
	if r != RoleAdmin {
		return errs.ErrForbidden
	}
	return nil
}
