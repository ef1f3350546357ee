// Package reference holds the platform's reference data: districts, themes, the talent
// taxonomy (with categories) and languages, each labelled in Dutch, French, English and
// Arabic. The curated lists ship in data/*.csv and are synced into PostgreSQL by Sync
// (run by `helpende-handen migrate up`); an operator may later align talents with ESCO.
package reference

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Labels maps a language code to a label.
type Labels map[string]string

// District is one of Antwerp's districts.
type District struct {
	Key       string
	Postcodes []string
	Lat, Lon  float64
	Labels    Labels
}

// Theme is a theme of volunteering.
type Theme struct {
	Key    string
	Labels Labels
}

// Category groups talents.
type Category struct {
	Key    string
	Labels Labels
}

// Talent is a talent of the taxonomy.
type Talent struct {
	Key         string
	CategoryKey string
	Position    int
	Labels      Labels
	EscoURI     string
}

// Language is a spoken or signed language.
type Language struct {
	Code       string
	Labels     Labels
	NativeName string
}

// Snapshot is all reference data, as read at one moment.
type Snapshot struct {
	Districts  []District
	Themes     []Theme
	Categories []Category
	Languages  []Language

	district map[string]*District
	theme    map[string]*Theme
	category map[string]*Category
	language map[string]*Language
	talent   map[string]*Talent
}

// District returns the district with key, or nil.
func (s *Snapshot) District(key string) *District { return s.district[key] }

// Theme returns the theme with key, or nil.
func (s *Snapshot) Theme(key string) *Theme { return s.theme[key] }

// Category returns the category with key, or nil.
func (s *Snapshot) Category(key string) *Category { return s.category[key] }

// Language returns the language with code, or nil.
func (s *Snapshot) Language(code string) *Language { return s.language[code] }

// Talent returns the talent with key, or nil.
func (s *Snapshot) Talent(key string) *Talent { return s.talent[key] }

// DistrictForPostcode returns the district a postcode belongs to, or nil.
func (s *Snapshot) DistrictForPostcode(pc string) *District {
	pc = strings.TrimSpace(pc)
	for i := range s.Districts {
		for _, p := range s.Districts[i].Postcodes {
			if p == pc {
				return &s.Districts[i]
			}
		}
	}
	return nil
}

// Service reads reference data. It keeps a snapshot in memory and reloads it after
// maxAge, so that an import on another process shows up within that time.
type Service struct {
	db     *sqlx.DB
	maxAge time.Duration

	mu       sync.Mutex
	snap     *Snapshot
	loadedAt time.Time
}

// NewService returns a Service reading from db.
func NewService(db *sqlx.DB) *Service {
	return &Service{db: db, maxAge: time.Minute}
}

// Snapshot returns the current reference data.
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap != nil && time.Since(s.loadedAt) < s.maxAge {
		return s.snap, nil
	}
	snap, err := load(ctx, s.db)
	if err != nil {
		if s.snap != nil { // serve the previous snapshot rather than fail
			return s.snap, nil
		}
		return nil, err
	}
	s.snap, s.loadedAt = snap, time.Now()
	return snap, nil
}

// Invalidate forces the next Snapshot to reload.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.snap = nil
	s.mu.Unlock()
}

type labelRow struct {
	Key    string      `db:"key"`
	Labels jsonbLabels `db:"labels"`
}

func load(ctx context.Context, db *sqlx.DB) (*Snapshot, error) {
	snap := &Snapshot{
		district: map[string]*District{}, theme: map[string]*Theme{}, category: map[string]*Category{},
		language: map[string]*Language{}, talent: map[string]*Talent{},
	}
	var ds []struct {
		Key       string      `db:"key"`
		Postcodes pqStrings   `db:"postcodes"`
		Lat       float64     `db:"lat"`
		Lon       float64     `db:"lon"`
		Labels    jsonbLabels `db:"labels"`
	}
	if err := db.SelectContext(ctx, &ds, `SELECT key, postcodes, lat, lon, labels FROM districts ORDER BY position`); err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	for _, d := range ds {
		snap.Districts = append(snap.Districts, District{Key: d.Key, Postcodes: d.Postcodes, Lat: d.Lat, Lon: d.Lon, Labels: Labels(d.Labels)})
	}
	var rows []labelRow
	if err := db.SelectContext(ctx, &rows, `SELECT key, labels FROM themes ORDER BY position`); err != nil {
		return nil, fmt.Errorf("load themes: %w", err)
	}
	for _, r := range rows {
		snap.Themes = append(snap.Themes, Theme{Key: r.Key, Labels: Labels(r.Labels)})
	}
	rows = nil
	if err := db.SelectContext(ctx, &rows, `SELECT key, labels FROM talent_categories ORDER BY position`); err != nil {
		return nil, fmt.Errorf("load talent categories: %w", err)
	}
	for _, r := range rows {
		snap.Categories = append(snap.Categories, Category{Key: r.Key, Labels: Labels(r.Labels)})
	}
	var ls []struct {
		Code   string      `db:"code"`
		Labels jsonbLabels `db:"labels"`
		Native string      `db:"native_name"`
	}
	if err := db.SelectContext(ctx, &ls, `SELECT code, labels, native_name FROM languages ORDER BY position`); err != nil {
		return nil, fmt.Errorf("load languages: %w", err)
	}
	for _, l := range ls {
		snap.Languages = append(snap.Languages, Language{Code: l.Code, Labels: Labels(l.Labels), NativeName: l.Native})
	}
	var ts []struct {
		Key      string      `db:"key"`
		Category string      `db:"category_key"`
		Position int         `db:"position"`
		Labels   jsonbLabels `db:"labels"`
		Esco     *string     `db:"esco_uri"`
	}
	if err := db.SelectContext(ctx, &ts, `SELECT key, category_key, position, labels, esco_uri FROM talents`); err != nil {
		return nil, fmt.Errorf("load talents: %w", err)
	}
	for i := range snap.Districts {
		snap.district[snap.Districts[i].Key] = &snap.Districts[i]
	}
	for i := range snap.Themes {
		snap.theme[snap.Themes[i].Key] = &snap.Themes[i]
	}
	for i := range snap.Categories {
		snap.category[snap.Categories[i].Key] = &snap.Categories[i]
	}
	for i := range snap.Languages {
		snap.language[snap.Languages[i].Code] = &snap.Languages[i]
	}
	for _, t := range ts {
		tal := &Talent{Key: t.Key, CategoryKey: t.Category, Position: t.Position, Labels: Labels(t.Labels)}
		if t.Esco != nil {
			tal.EscoURI = *t.Esco
		}
		snap.talent[t.Key] = tal
	}
	return snap, nil
}

// TalentPage is one page of a talent search.
type TalentPage struct {
	Talents     []Talent
	HasNextPage bool
	TotalCount  int
}

// TalentCursor is the position of a talent in the listing order.
type TalentCursor struct {
	Position int    `json:"p"`
	Key      string `json:"k"`
}

// SearchTalents lists talents in taxonomy order, optionally only those matching search
// (in any language; accents, case and small typos ignored) and in a category.
func (s *Service) SearchTalents(ctx context.Context, search, categoryKey string, first int, after *TalentCursor) (TalentPage, error) {
	where := []string{"true"}
	args := map[string]any{"limit": first + 1}
	if q := strings.TrimSpace(search); q != "" {
		where = append(where, `(search_text LIKE '%' || hh_fold(:ql) || '%' OR hh_fold(:q) <% search_text)`)
		args["q"] = q
		args["ql"] = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q)
	}
	if categoryKey != "" {
		where = append(where, "category_key = :cat")
		args["cat"] = categoryKey
	}
	cond := strings.Join(where, " AND ")
	var page TalentPage
	countQ, countArgs, err := sqlx.Named(`SELECT count(*) FROM talents WHERE `+cond, args)
	if err != nil {
		return page, fmt.Errorf("count talents: %w", err)
	}
	if err := s.db.GetContext(ctx, &page.TotalCount, s.db.Rebind(countQ), countArgs...); err != nil {
		return page, fmt.Errorf("count talents: %w", err)
	}
	if after != nil {
		cond += " AND (position, key) > (:apos, :akey)"
		args["apos"], args["akey"] = after.Position, after.Key
	}
	q, qargs, err := sqlx.Named(`SELECT key FROM talents WHERE `+cond+` ORDER BY position, key LIMIT :limit`, args)
	if err != nil {
		return page, fmt.Errorf("search talents: %w", err)
	}
	var keys []string
	if err := s.db.SelectContext(ctx, &keys, s.db.Rebind(q), qargs...); err != nil {
		return page, fmt.Errorf("search talents: %w", err)
	}
	if len(keys) > first {
		page.HasNextPage = true
		keys = keys[:first]
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return page, err
	}
	for _, k := range keys {
		t := snap.Talent(k)
		if t == nil { // added since the snapshot was taken
			s.Invalidate()
			if snap, err = s.Snapshot(ctx); err != nil {
				return page, err
			}
			if t = snap.Talent(k); t == nil {
				continue
			}
		}
		page.Talents = append(page.Talents, *t)
	}
	return page, nil
}
