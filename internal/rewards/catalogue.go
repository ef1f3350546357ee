package rewards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Reward is an offer in a merchant's catalogue.
type Reward struct {
	ID          string `db:"id"`
	MerchantID  string `db:"merchant_id"`
	Title       string `db:"title"`
	Description string `db:"description"`
	// Language is the language Title and Description are written in (nl, fr, en, ar).
	Language    string         `db:"language"`
	Price       int            `db:"price"` // whole coins
	Stock       int            `db:"stock"` // items left
	ValidFrom   time.Time      `db:"valid_from"`
	ValidUntil  *time.Time     `db:"valid_until"` // nil: no end
	PhotoURL    string         `db:"photo_url"`   // "" or https://
	DistrictKey *string        `db:"district_key"`
	Themes      pq.StringArray `db:"themes"`
	Active      bool           `db:"active"`
	CreatedBy   *string        `db:"created_by"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
}

const rewardColumns = `id, merchant_id, title, description, language, price, stock, valid_from, valid_until, photo_url,
	district_key, themes, active, created_by, created_at, updated_at`

// ValidAt reports whether the reward can be redeemed at t (stock aside).
func (r *Reward) ValidAt(t time.Time) bool {
	return r.Active && !t.Before(r.ValidFrom) && (r.ValidUntil == nil || t.Before(*r.ValidUntil))
}

// RewardInput holds a reward's editable fields; nil leaves a field as it is (on create: its
// default). District and themes default to the merchant's.
type RewardInput struct {
	Title           *string
	Description     *string
	Language        *string
	Price           *int
	Stock           *int
	ValidFrom       *time.Time // default: now
	ValidUntil      *time.Time
	ClearValidUntil bool
	PhotoURL        *string // "" clears
	DistrictKey     *string // "" clears
	Themes          []string
	SetThemes       bool
	Active          *bool
}

func cleanText(v *errs.UserErrors, field string, p *string, limit int, required, multiline bool) (string, bool) {
	if p == nil {
		if required {
			v.Add(field, errs.Required, "required", nil)
		}
		return "", false
	}
	s, ok := accounts.CleanText(*p, multiline)
	switch {
	case required && s == "":
		v.Add(field, errs.Required, "required", nil)
	case !ok || !utf8.ValidString(s):
		v.Add(field, errs.Invalid, "invalid", nil)
	case utf8.RuneCountInString(s) > limit:
		v.Add(field, errs.TooLong, "too_long", map[string]any{"Max": limit})
	}
	return s, true
}

// ValidPhotoURL reports whether s is an absolute https URL with a host (and no credentials).
func ValidPhotoURL(s string) bool {
	if s == "" || len(s) > MaxURL || strings.ContainsAny(s, " \t\r\n\"'<>\\") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Hostname() != ""
}

// apply validates in and copies it onto r; creating says which fields are required.
func (s *Service) apply(ctx context.Context, q sqlx.QueryerContext, r *Reward, in RewardInput, creating bool) error {
	var v errs.UserErrors
	if t, ok := cleanText(&v, "title", in.Title, MaxTitle, creating || in.Title != nil, false); ok {
		r.Title = t
	}
	if d, ok := cleanText(&v, "description", in.Description, MaxDescription, false, true); ok {
		r.Description = d
	}
	if in.Language != nil {
		if !slices.Contains([]string{"nl", "fr", "en", "ar"}, *in.Language) {
			v.Add("language", errs.Invalid, MsgUnknownLanguage, nil)
		}
		r.Language = *in.Language
	}
	switch {
	case in.Price != nil:
		if *in.Price < 1 || *in.Price > MaxPrice {
			v.Add("price", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": MaxPrice})
		}
		r.Price = *in.Price
	case creating:
		v.Add("price", errs.Required, "required", nil)
	}
	switch {
	case in.Stock != nil:
		if *in.Stock < 0 || *in.Stock > MaxStock {
			v.Add("stock", errs.OutOfRange, "out_of_range", map[string]any{"Min": 0, "Max": MaxStock})
		}
		r.Stock = *in.Stock
	case creating:
		v.Add("stock", errs.Required, "required", nil)
	}
	if in.ValidFrom != nil {
		r.ValidFrom = *in.ValidFrom
	}
	if in.ClearValidUntil {
		r.ValidUntil = nil
	} else if in.ValidUntil != nil {
		r.ValidUntil = ptr(*in.ValidUntil)
	}
	if r.ValidUntil != nil && !r.ValidUntil.After(r.ValidFrom) {
		v.Add("validUntil", errs.Invalid, MsgEndBeforeStart, nil)
	}
	if in.PhotoURL != nil {
		u := strings.TrimSpace(*in.PhotoURL)
		if u != "" && !ValidPhotoURL(u) {
			v.Add("photoUrl", errs.Invalid, MsgInvalidURL, nil)
		}
		r.PhotoURL = u
	}
	if in.DistrictKey != nil {
		r.DistrictKey = nullable(*in.DistrictKey)
		if r.DistrictKey != nil {
			var ok bool
			if err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM districts WHERE key = $1)`, *r.DistrictKey); err != nil {
				return fmt.Errorf("check district: %w", err)
			}
			if !ok {
				v.Add("districtKey", errs.UnknownReference, MsgUnknownDistrict, nil)
			}
		}
	}
	if in.SetThemes {
		themes := make([]string, 0, len(in.Themes))
		for _, t := range in.Themes {
			if !slices.Contains(themes, t) {
				themes = append(themes, t)
			}
		}
		if len(themes) > MaxThemes {
			v.Add("themes", errs.OutOfRange, "too_many", map[string]any{"Max": MaxThemes})
		} else if len(themes) > 0 {
			var known int
			if err := sqlx.GetContext(ctx, q, &known, `SELECT count(*) FROM themes WHERE key = ANY ($1)`, pq.StringArray(themes)); err != nil {
				return fmt.Errorf("check themes: %w", err)
			}
			if known != len(themes) {
				v.Add("themes", errs.UnknownReference, MsgUnknownTheme, nil)
			}
		}
		r.Themes = themes
	}
	if in.Active != nil {
		r.Active = *in.Active
	}
	return v.Err()
}

// CreateReward adds a reward to a merchant's catalogue (by a member of the approved merchant).
func (s *Service) CreateReward(ctx context.Context, viewer *accounts.Viewer, merchantID string, in RewardInput) (*Reward, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	if err := s.checkMerchantMember(ctx, s.db, by, merchantID); err != nil {
		return nil, err
	}
	var m struct {
		DistrictKey *string        `db:"district_key"`
		Themes      pq.StringArray `db:"themes"`
	}
	if err := s.db.GetContext(ctx, &m, `SELECT district_key, themes FROM organisations WHERE id = $1`, merchantID); err != nil {
		return nil, fmt.Errorf("load merchant: %w", err)
	}
	r := &Reward{MerchantID: merchantID, Language: "nl", ValidFrom: s.Now(), DistrictKey: m.DistrictKey,
		Themes: m.Themes, Active: true}
	if r.Themes == nil {
		r.Themes = pq.StringArray{}
	}
	if err := s.apply(ctx, s.db, r, in, true); err != nil {
		return nil, err
	}
	if err := s.db.GetContext(ctx, r, `INSERT INTO rewards (merchant_id, title, description, language, price, stock,
		valid_from, valid_until, photo_url, district_key, themes, active, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+rewardColumns,
		r.MerchantID, r.Title, r.Description, r.Language, r.Price, r.Stock, r.ValidFrom, r.ValidUntil, r.PhotoURL,
		r.DistrictKey, pq.StringArray(r.Themes), r.Active, by); err != nil {
		return nil, fmt.Errorf("create reward: %w", err)
	}
	s.log.InfoContext(ctx, "reward created", "reward", r.ID, "merchant", merchantID, "by", by)
	s.bump(ctx, r.ID)
	return r, nil
}

// UpdateReward changes a reward (by a member of its merchant). Setting the stock sets the
// items left now (vouchers already issued are not counted in it).
func (s *Service) UpdateReward(ctx context.Context, viewer *accounts.Viewer, rewardID string, in RewardInput) (*Reward, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	if !validID(rewardID) {
		return nil, errs.ErrNotFound
	}
	var r Reward
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &r, `SELECT `+rewardColumns+` FROM rewards WHERE id = $1 FOR UPDATE`, rewardID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("load reward: %w", err)
		}
		if err := s.checkMerchantMember(ctx, tx, by, r.MerchantID); err != nil {
			return err
		}
		if err := s.apply(ctx, tx, &r, in, false); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r, `UPDATE rewards SET title = $2, description = $3, language = $4, price = $5,
			stock = $6, valid_from = $7, valid_until = $8, photo_url = $9, district_key = $10, themes = $11, active = $12,
			updated_at = clock_timestamp() WHERE id = $1 RETURNING `+rewardColumns,
			r.ID, r.Title, r.Description, r.Language, r.Price, r.Stock, r.ValidFrom, r.ValidUntil, r.PhotoURL,
			r.DistrictKey, pq.StringArray(r.Themes), r.Active); err != nil {
			return fmt.Errorf("update reward: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.bump(ctx, r.ID)
	return &r, nil
}

// Reward returns a reward. Inactive rewards and those of merchants not approved are found
// only by members of the merchant (and administrators); others get errs.ErrNotFound.
func (s *Service) Reward(ctx context.Context, viewer *accounts.Viewer, id string) (*Reward, error) {
	if !validID(id) {
		return nil, errs.ErrNotFound
	}
	var r struct {
		Reward
		Approved bool `db:"approved"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT r.id, r.merchant_id, r.title, r.description, r.language, r.price, r.stock,
		r.valid_from, r.valid_until, r.photo_url, r.district_key, r.themes, r.active, r.created_by, r.created_at, r.updated_at,
		o.status = 'APPROVED' AS approved FROM rewards r JOIN organisations o ON o.id = r.merchant_id WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load reward: %w", err)
	}
	if !r.Active || !r.Approved {
		if viewer == nil {
			return nil, errs.ErrNotFound
		}
		ok := viewer.IsAdmin
		if !ok {
			if ok, err = isMember(ctx, s.db, viewer.PersonID, r.MerchantID); err != nil {
				return nil, err
			}
		}
		if !ok {
			return nil, errs.ErrNotFound
		}
	}
	return &r.Reward, nil
}

// Orders of the catalogue.
const (
	OrderNewest   = "NEWEST"
	OrderCheapest = "CHEAPEST"
)

// RewardFilter narrows the catalogue. Only active rewards of approved merchants that have not
// ended are listed.
type RewardFilter struct {
	DistrictKey string
	MerchantID  string
	Theme       string
	MaxPrice    int // 0: any
	// AvailableOnly: in stock and valid now.
	AvailableOnly bool
	Order         string // OrderNewest (default) or OrderCheapest
}

// RewardCursor is a position in the catalogue.
type RewardCursor struct {
	At    time.Time `json:"t,omitempty"`
	Price int       `json:"p,omitempty"`
	ID    string    `json:"i"`
}

// CursorOf returns the position of a reward in an order.
func CursorOf(r *Reward, order string) RewardCursor {
	if order == OrderCheapest {
		return RewardCursor{Price: r.Price, ID: r.ID}
	}
	return RewardCursor{At: r.CreatedAt, ID: r.ID}
}

// RewardPage is one page of the catalogue.
type RewardPage struct {
	Rewards     []Reward
	HasNextPage bool
}

// Rewards lists the catalogue, first (1..100) at a time after a cursor (keyset pagination).
func (s *Service) Rewards(ctx context.Context, f RewardFilter, first int, after *RewardCursor) (RewardPage, error) {
	var page RewardPage
	first = min(max(first, 1), 100)
	now := s.Now()
	where := []string{`r.active`, `o.status = 'APPROVED'`, `(r.valid_until IS NULL OR r.valid_until > $1)`}
	args := []any{now}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.DistrictKey != "" {
		where = append(where, `r.district_key = `+arg(f.DistrictKey))
	}
	if f.MerchantID != "" {
		if !validID(f.MerchantID) {
			return page, nil
		}
		where = append(where, `r.merchant_id = `+arg(f.MerchantID))
	}
	if f.Theme != "" {
		where = append(where, `r.themes @> ARRAY[`+arg(f.Theme)+`]::text[]`)
	}
	if f.MaxPrice > 0 {
		where = append(where, `r.price <= `+arg(f.MaxPrice))
	}
	if f.AvailableOnly {
		where = append(where, `r.stock > 0`, `r.valid_from <= $1`)
	}
	order := `r.created_at DESC, r.id DESC`
	if f.Order == OrderCheapest {
		order = `r.price, r.id`
		if after != nil && validID(after.ID) {
			where = append(where, `(r.price, r.id) > (`+arg(after.Price)+`, `+arg(after.ID)+`::uuid)`)
		}
	} else if after != nil && validID(after.ID) {
		where = append(where, `(r.created_at, r.id) < (`+arg(after.At)+`, `+arg(after.ID)+`::uuid)`)
	}
	q := `SELECT r.id, r.merchant_id, r.title, r.description, r.language, r.price, r.stock, r.valid_from, r.valid_until,
		r.photo_url, r.district_key, r.themes, r.active, r.created_by, r.created_at, r.updated_at
		FROM rewards r JOIN organisations o ON o.id = r.merchant_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ` + arg(first+1)
	if err := s.db.SelectContext(ctx, &page.Rewards, q, args...); err != nil {
		return page, fmt.Errorf("list rewards: %w", err)
	}
	if len(page.Rewards) > first {
		page.HasNextPage, page.Rewards = true, page.Rewards[:first]
	}
	return page, nil
}
