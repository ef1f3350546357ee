// Package talent is the talent bank: each person's own profile of talents (with how they
// were learned), languages, availability, where they are willing to go, themes and what
// they look for; who may find it (with every consent change kept); and the search of
// the talent bank that respects each profile's visibility.
package talent

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/invalidate"
	"github.com/helpende-handen/helpende-handen/internal/reference"
)

// Visibility of a profile.
const (
	Private       = "PRIVATE"
	Matchmakers   = "MATCHMAKERS"
	Organisations = "ORGANISATIONS"
)

// Ways a talent was learned.
var LearnedHow = []string{"SCHOOL", "WORK", "VOLUNTEERING", "LIFE_EXPERIENCE", "ABROAD"}

// What people look for.
var LookingFor = []string{"MEET_PEOPLE", "LEARN", "WORK_EXPERIENCE", "GIVE_BACK", "JOB"}

// LanguageLevels in order; the index+1 is the level number used by matching.
var LanguageLevels = []string{"A1", "A2", "B1", "B2", "C1", "C2", "NATIVE"}

// LanguageLevelNumber returns 1..7 for a level, 0 when unknown.
func LanguageLevelNumber(level string) int { return slices.Index(LanguageLevels, level) + 1 }

// Slot is a weekly period the person is available, in local time.
type Slot struct {
	Weekday int    `json:"weekday"` // 1 Monday … 7 Sunday
	From    string `json:"from"`    // HH:MM
	To      string `json:"to"`      // HH:MM
}

// Profile is a person's talent profile.
type Profile struct {
	PersonID     string         `db:"person_id"`
	Visibility   string         `db:"visibility"`
	HomeLat      *float64       `db:"home_lat"`
	HomeLon      *float64       `db:"home_lon"`
	RadiusKm     *float64       `db:"radius_km"`
	Districts    pq.StringArray `db:"districts"`
	Themes       pq.StringArray `db:"themes"`
	LookingFor   pq.StringArray `db:"looking_for"`
	Availability []byte         `db:"availability"`
	About        string         `db:"about"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

const profileColumns = `person_id, visibility, home_lat, home_lon, radius_km, districts, themes, looking_for, availability, about, updated_at`

// Slots decodes the availability.
func (p *Profile) Slots() []Slot {
	var s []Slot
	_ = json.Unmarshal(p.Availability, &s)
	return s
}

// Talent is a talent on a profile.
type Talent struct {
	PersonID  string         `db:"person_id"`
	TalentKey string         `db:"talent_key"`
	Level     int            `db:"level"`
	Learned   pq.StringArray `db:"learned"`
}

// Language is a language on a profile.
type Language struct {
	PersonID string `db:"person_id"`
	Code     string `db:"code"`
	Level    string `db:"level"`
}

// ConsentChange is one change of consent.
type ConsentChange struct {
	Kind    string    `db:"kind"`
	Value   string    `db:"value"`
	ActorID *string   `db:"actor_id"`
	At      time.Time `db:"at"`
}

// Service manages talent profiles.
type Service struct {
	db  *sqlx.DB
	ref *reference.Service
	// Invalidator is told after a profile changes (recommendations cached for its owner).
	Invalidator invalidate.Invalidator
}

// NewService returns a talent service.
func NewService(db *sqlx.DB, ref *reference.Service) *Service {
	return &Service{db: db, ref: ref, Invalidator: invalidate.Nop{}}
}

// Profile returns a person's profile; a person without one has an empty, private profile.
func (s *Service) Profile(ctx context.Context, personID string) (*Profile, error) {
	var p Profile
	err := s.db.GetContext(ctx, &p, `SELECT `+profileColumns+` FROM talent_profiles WHERE person_id = $1`, personID)
	if errors.Is(err, sql.ErrNoRows) {
		return &Profile{PersonID: personID, Visibility: Private, Districts: pq.StringArray{}, Themes: pq.StringArray{},
			LookingFor: pq.StringArray{}, Availability: []byte("[]")}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	return &p, nil
}

// Talents lists a profile's talents.
func (s *Service) Talents(ctx context.Context, personID string) ([]Talent, error) {
	var ts []Talent
	if err := s.db.SelectContext(ctx, &ts, `SELECT person_id, talent_key, level, learned FROM profile_talents
		WHERE person_id = $1 ORDER BY level DESC, talent_key`, personID); err != nil {
		return nil, fmt.Errorf("load profile talents: %w", err)
	}
	return ts, nil
}

// Languages lists a profile's languages.
func (s *Service) Languages(ctx context.Context, personID string) ([]Language, error) {
	var ls []Language
	if err := s.db.SelectContext(ctx, &ls, `SELECT person_id, code, level FROM profile_languages WHERE person_id = $1
		ORDER BY array_position(ARRAY['NATIVE','C2','C1','B2','B1','A2','A1'], level), code`, personID); err != nil {
		return nil, fmt.Errorf("load profile languages: %w", err)
	}
	return ls, nil
}

// TalentsOf lists the talents of many profiles at once (a page of search results), by person.
func (s *Service) TalentsOf(ctx context.Context, personIDs []string) (map[string][]Talent, error) {
	var ts []Talent
	if err := s.db.SelectContext(ctx, &ts, `SELECT person_id, talent_key, level, learned FROM profile_talents
		WHERE person_id = ANY ($1::uuid[]) ORDER BY person_id, level DESC, talent_key`, pq.StringArray(personIDs)); err != nil {
		return nil, fmt.Errorf("load profile talents: %w", err)
	}
	out := make(map[string][]Talent, len(personIDs))
	for _, t := range ts {
		out[t.PersonID] = append(out[t.PersonID], t)
	}
	return out, nil
}

// LanguagesOf lists the languages of many profiles at once, by person.
func (s *Service) LanguagesOf(ctx context.Context, personIDs []string) (map[string][]Language, error) {
	var ls []Language
	if err := s.db.SelectContext(ctx, &ls, `SELECT person_id, code, level FROM profile_languages
		WHERE person_id = ANY ($1::uuid[])
		ORDER BY person_id, array_position(ARRAY['NATIVE','C2','C1','B2','B1','A2','A1'], level), code`,
		pq.StringArray(personIDs)); err != nil {
		return nil, fmt.Errorf("load profile languages: %w", err)
	}
	out := make(map[string][]Language, len(personIDs))
	for _, l := range ls {
		out[l.PersonID] = append(out[l.PersonID], l)
	}
	return out, nil
}

// Input is a profile update; nil (or Set* false) leaves a part as it is.
type Input struct {
	Talents         []Talent
	SetTalents      bool
	Languages       []Language
	SetLanguages    bool
	Availability    []Slot
	SetAvailability bool
	Home            *[2]float64 // lat, lon; rounded before storing
	ClearHome       bool
	RadiusKm        *float64
	Districts       []string
	SetDistricts    bool
	Themes          []string
	SetThemes       bool
	LookingFor      []string
	SetLookingFor   bool
	About           *string
}

// Limits.
const (
	MaxTalents   = 60
	MaxLanguages = 20
	MaxSlots     = 21
	MaxAbout     = 2000
)

// RoundPoint rounds a coordinate to about 500 m (0.005° latitude is about 550 m), so the
// profile never holds an exact address.
func RoundPoint(lat, lon float64) (float64, float64) {
	r := func(v float64) float64 { return math.Round(v*200) / 200 }
	return r(lat), r(lon)
}

// Update changes the viewer's own profile, in one transaction.
func (s *Service) Update(ctx context.Context, viewer *accounts.Viewer, in Input) (*Profile, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	snap, err := s.ref.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.Profile(ctx, viewer.PersonID)
	if err != nil {
		return nil, err
	}
	var v errs.UserErrors
	if in.SetTalents {
		if len(in.Talents) > MaxTalents {
			v.Add("talents", errs.OutOfRange, "too_many", map[string]any{"Max": MaxTalents})
		}
		for i, t := range in.Talents {
			f := fmt.Sprintf("talents.%d", i)
			if snap.Talent(t.TalentKey) == nil {
				v.Add(f+".talentId", errs.UnknownReference, "unknown_talent", nil)
			}
			if t.Level < 1 || t.Level > 4 {
				v.Add(f+".level", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": 4})
			}
			for _, l := range t.Learned {
				if !slices.Contains(LearnedHow, l) {
					v.Add(f+".learned", errs.Invalid, "invalid", nil)
				}
			}
		}
	}
	if in.SetLanguages {
		if len(in.Languages) > MaxLanguages {
			v.Add("languages", errs.OutOfRange, "too_many", map[string]any{"Max": MaxLanguages})
		}
		for i, l := range in.Languages {
			f := fmt.Sprintf("languages.%d", i)
			if snap.Language(l.Code) == nil {
				v.Add(f+".code", errs.UnknownReference, "unknown_language", nil)
			}
			if LanguageLevelNumber(l.Level) == 0 {
				v.Add(f+".level", errs.Invalid, "invalid", nil)
			}
		}
	}
	if in.SetAvailability {
		if len(in.Availability) > MaxSlots {
			v.Add("availability", errs.OutOfRange, "too_many", map[string]any{"Max": MaxSlots})
		}
		for i, sl := range in.Availability {
			f := fmt.Sprintf("availability.%d", i)
			from, ok1 := ClockMinutes(sl.From)
			to, ok2 := ClockMinutes(sl.To)
			switch {
			case sl.Weekday < 1 || sl.Weekday > 7:
				v.Add(f+".weekday", errs.Invalid, "invalid", nil)
			case !ok1 || !ok2 || from == 24*60:
				v.Add(f, errs.Invalid, "time_invalid", nil)
			case to <= from:
				v.Add(f+".to", errs.Invalid, "end_before_start", nil)
			}
		}
		b, _ := json.Marshal(in.Availability)
		if in.Availability == nil {
			b = []byte("[]")
		}
		p.Availability = b
	}
	if in.ClearHome {
		p.HomeLat, p.HomeLon = nil, nil
	} else if in.Home != nil {
		lat, lon := in.Home[0], in.Home[1]
		if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			v.Add("area", errs.OutOfRange, "invalid_coordinates", nil)
		} else {
			lat, lon = RoundPoint(lat, lon)
			p.HomeLat, p.HomeLon = &lat, &lon
		}
	}
	if in.RadiusKm != nil {
		if *in.RadiusKm < 0.5 || *in.RadiusKm > 100 || math.IsNaN(*in.RadiusKm) {
			v.Add("radiusKm", errs.OutOfRange, "out_of_range", map[string]any{"Min": 0.5, "Max": 100})
		} else {
			p.RadiusKm = in.RadiusKm
		}
	}
	if in.SetDistricts {
		p.Districts = dedupe(in.Districts)
		for _, d := range p.Districts {
			if snap.District(d) == nil {
				v.Add("districtIds", errs.UnknownReference, "unknown_district", nil)
				break
			}
		}
	}
	if in.SetThemes {
		p.Themes = dedupe(in.Themes)
		for _, t := range p.Themes {
			if snap.Theme(t) == nil {
				v.Add("themeIds", errs.UnknownReference, "unknown_theme", nil)
				break
			}
		}
	}
	if in.SetLookingFor {
		p.LookingFor = dedupe(in.LookingFor)
		for _, l := range p.LookingFor {
			if !slices.Contains(LookingFor, l) {
				v.Add("lookingFor", errs.Invalid, "invalid", nil)
				break
			}
		}
	}
	if in.About != nil {
		a, ok := accounts.CleanText(*in.About, true)
		switch {
		case !ok:
			v.Add("about", errs.Invalid, "invalid", nil)
		case utf8.RuneCountInString(a) > MaxAbout:
			v.Add("about", errs.TooLong, "too_long", map[string]any{"Max": MaxAbout})
		}
		p.About = a
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, p, `
			INSERT INTO talent_profiles (person_id, visibility, home_lat, home_lon, radius_km, districts, themes, looking_for, availability, about)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (person_id) DO UPDATE SET home_lat = EXCLUDED.home_lat, home_lon = EXCLUDED.home_lon,
				radius_km = EXCLUDED.radius_km, districts = EXCLUDED.districts, themes = EXCLUDED.themes,
				looking_for = EXCLUDED.looking_for, availability = EXCLUDED.availability, about = EXCLUDED.about, updated_at = now()
			RETURNING `+profileColumns,
			viewer.PersonID, p.Visibility, p.HomeLat, p.HomeLon, p.RadiusKm, p.Districts, p.Themes, p.LookingFor, p.Availability, p.About)
		if err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
		if in.SetTalents {
			if _, err := tx.ExecContext(ctx, `DELETE FROM profile_talents WHERE person_id = $1`, viewer.PersonID); err != nil {
				return fmt.Errorf("clear talents: %w", err)
			}
			for _, t := range in.Talents {
				if _, err := tx.ExecContext(ctx, `INSERT INTO profile_talents (person_id, talent_key, level, learned) VALUES ($1, $2, $3, $4)
					ON CONFLICT (person_id, talent_key) DO UPDATE SET level = EXCLUDED.level, learned = EXCLUDED.learned`,
					viewer.PersonID, t.TalentKey, t.Level, pq.StringArray(dedupe(t.Learned))); err != nil {
					return fmt.Errorf("save talent: %w", err)
				}
			}
		}
		if in.SetLanguages {
			if _, err := tx.ExecContext(ctx, `DELETE FROM profile_languages WHERE person_id = $1`, viewer.PersonID); err != nil {
				return fmt.Errorf("clear languages: %w", err)
			}
			for _, l := range in.Languages {
				if _, err := tx.ExecContext(ctx, `INSERT INTO profile_languages (person_id, code, level) VALUES ($1, $2, $3)
					ON CONFLICT (person_id, code) DO UPDATE SET level = EXCLUDED.level`, viewer.PersonID, l.Code, l.Level); err != nil {
					return fmt.Errorf("save language: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	invalidate.Or(s.Invalidator).Bump(ctx, invalidate.Person(viewer.PersonID))
	return p, nil
}

// SetVisibility decides who may find the profile; every change is kept with its time.
func (s *Service) SetVisibility(ctx context.Context, viewer *accounts.Viewer, visibility string) (*Profile, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if visibility != Private && visibility != Matchmakers && visibility != Organisations {
		return nil, errs.One("visibility", errs.Invalid, "invalid", nil)
	}
	var p Profile
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &p, `INSERT INTO talent_profiles (person_id, visibility) VALUES ($1, $2)
			ON CONFLICT (person_id) DO UPDATE SET visibility = EXCLUDED.visibility, updated_at = now()
			RETURNING `+profileColumns, viewer.PersonID, visibility); err != nil {
			return fmt.Errorf("set visibility: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consent_log (person_id, kind, value, actor_id) VALUES ($1, 'VISIBILITY', $2, $1)`,
			viewer.PersonID, visibility); err != nil {
			return fmt.Errorf("log consent: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	invalidate.Or(s.Invalidator).Bump(ctx, invalidate.Person(viewer.PersonID))
	return &p, nil
}

// ConsentHistory lists a person's consent changes, oldest first.
func (s *Service) ConsentHistory(ctx context.Context, personID string) ([]ConsentChange, error) {
	var out []ConsentChange
	if err := s.db.SelectContext(ctx, &out, `SELECT kind, value, actor_id, at FROM consent_log WHERE person_id = $1 ORDER BY id`,
		personID); err != nil {
		return nil, fmt.Errorf("load consent history: %w", err)
	}
	return out, nil
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ClockMinutes parses HH:MM (00:00 … 24:00) into minutes after midnight.
func ClockMinutes(s string) (int, bool) {
	if s == "24:00" {
		return 24 * 60, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}
