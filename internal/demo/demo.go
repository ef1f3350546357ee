// Package demo loads deterministic demo data that looks like Antwerp: organisations in
// every district, residents with varied languages, an administrator, matchmakers,
// coordinators and merchants. The same input always gives the same rows (and IDs).
package demo

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
)

// Password is the password of every demo account.
const Password = "Antwerpen-helpt-2026"

// Logins are the demo accounts to try each role with (email local parts).
var Logins = []struct{ Key, Role string }{
	{"volunteer", "volunteer"},
	{"coordinator", "organisation coordinator"},
	{"matchmaker", "matchmaker"},
	{"merchant", "merchant"},
	{"admin", "city administrator"},
}

// EmailDomain is the domain of the demo accounts.
const EmailDomain = "demo.helpendehanden.example"

//go:embed data/*.json
var dataFS embed.FS

// namespace makes deterministic UUIDs from demo keys.
var namespace = uuid.MustParse("6f0b7a52-4a56-4d38-9d5e-0c3c1c1e2a11")

// ID returns the deterministic UUID of a demo object.
func ID(kind, key string) string { return uuid.NewSHA1(namespace, []byte(kind+":"+key)).String() }

type person struct {
	Languages []struct {
		Code  string `json:"code"`
		Level string `json:"level"`
	} `json:"languages"`
	Key               string   `json:"key"`
	DisplayName       string   `json:"display_name"`
	Email             string   `json:"email"`
	PreferredLanguage string   `json:"preferred_language"`
	BirthYear         int      `json:"birth_year"`
	District          string   `json:"district"`
	Roles             []string `json:"roles"`
}

type organisation struct {
	Key           string   `json:"key"`
	Kind          string   `json:"kind"`
	Name          string   `json:"name"`
	DescriptionNL string   `json:"description_nl"`
	Street        string   `json:"street"`
	Postcode      string   `json:"postcode"`
	District      string   `json:"district"`
	Lat           float64  `json:"lat"`
	Lon           float64  `json:"lon"`
	Email         string   `json:"email"`
	Phone         string   `json:"phone"`
	Website       string   `json:"website"`
	Themes        []string `json:"themes"`
	Languages     []string `json:"languages"`
	Accessibility []string `json:"accessibility"`
	OpeningHours  string   `json:"opening_hours"`
	Approved      bool     `json:"approved"`
}

func load(name string, v any) error {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

// Result says what Seed did.
type Result struct {
	Skipped       bool
	People        int
	Organisations int
}

// Seed loads the demo data into an empty database, in one transaction. A database that
// already holds people is left alone (Skipped).
func Seed(ctx context.Context, db *sqlx.DB) (Result, error) {
	var res Result
	var people []person
	var orgs []organisation
	if err := load("people.json", &people); err != nil {
		return res, err
	}
	if err := load("organisations.json", &orgs); err != nil {
		return res, err
	}
	hash, err := accounts.HashPassword(Password)
	if err != nil {
		return res, err
	}
	err = database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM people`); err != nil {
			return fmt.Errorf("count people: %w", err)
		}
		if n > 0 {
			res.Skipped = true
			return nil
		}
		adminID := ""
		for _, p := range people {
			id := ID("person", p.Key)
			isAdmin, isMM := false, false
			for _, r := range p.Roles {
				isAdmin = isAdmin || r == "admin"
				isMM = isMM || r == "matchmaker"
			}
			if isAdmin && adminID == "" {
				adminID = id
			}
			birth := time.Date(p.BirthYear, time.Month(1+len(p.Key)%12), 1+len(p.DisplayName)%28, 0, 0, 0, 0, time.UTC)
			_, err := tx.ExecContext(ctx, `
				INSERT INTO people (id, email, password_hash, display_name, preferred_language, district_key, birth_date,
					is_admin, is_matchmaker)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				id, strings.ToLower(p.Email), hash, p.DisplayName, p.PreferredLanguage, p.District, birth, isAdmin, isMM)
			if err != nil {
				return fmt.Errorf("insert person %s: %w", p.Key, err)
			}
			res.People++
		}
		if err := seedProfiles(ctx, tx, people); err != nil {
			return err
		}
		for _, o := range orgs {
			status, reviewed := "PENDING", (*time.Time)(nil)
			if o.Approved {
				t := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
				status, reviewed = "APPROVED", &t
			}
			var reviewer *string
			if reviewed != nil {
				reviewer = &adminID
			}
			_, err := tx.ExecContext(ctx, `
				INSERT INTO organisations (id, kind, status, name, description, street, postcode, city, district_key, lat, lon,
					contact_email, contact_phone, website, themes, languages, accessibility, opening_hours, reviewed_at, reviewed_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'Antwerpen', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
				ID("organisation", o.Key), o.Kind, status, o.Name, o.DescriptionNL, o.Street, o.Postcode, o.District, o.Lat, o.Lon,
				o.Email, o.Phone, o.Website, pq.StringArray(o.Themes), pq.StringArray(o.Languages),
				pq.StringArray(o.Accessibility), o.OpeningHours, reviewed, reviewer)
			if err != nil {
				return fmt.Errorf("insert organisation %s: %w", o.Key, err)
			}
			res.Organisations++
		}
		for _, p := range people {
			for _, r := range p.Roles {
				kind, orgKey, ok := strings.Cut(r, ":")
				if !ok || (kind != "coordinator" && kind != "merchant") {
					continue
				}
				_, err := tx.ExecContext(ctx, `
					INSERT INTO organisation_members (organisation_id, person_id, role, added_by) VALUES ($1, $2, 'ADMIN', $3)`,
					ID("organisation", orgKey), ID("person", p.Key), adminID)
				if err != nil {
					return fmt.Errorf("insert membership %s/%s: %w", p.Key, orgKey, err)
				}
			}
		}
		return nil
	})
	return res, err
}

// Talents handed out to demo people, a few each, deterministically.
var demoTalents = []string{"cooking", "cooking_for_groups", "first_aid", "homework_help", "driving_licence_b", "it_help_for_beginners",
	"smartphone_help", "gardening", "listening_and_support", "written_translation", "diy_and_small_repairs", "setting_up_tents_and_stages",
	"reading_aloud_to_children", "filling_in_forms", "bicycle_repair", "sports_coaching", "childcare", "sewing", "serving_meals",
	"conversation_practice", "shopping_for_others"}

var lookingFor = []string{"MEET_PEOPLE", "GIVE_BACK", "LEARN", "WORK_EXPERIENCE", "JOB"}

// seedProfiles gives every demo person a talent profile: languages from the data, a few
// talents, an area (the district's centre), and a visibility (most open to organisations).
func seedProfiles(ctx context.Context, tx *sqlx.Tx, people []person) error {
	var known []string
	if err := tx.SelectContext(ctx, &known, `SELECT key FROM talents WHERE key = ANY($1)`, pq.StringArray(demoTalents)); err != nil {
		return fmt.Errorf("demo talents: %w", err)
	}
	for i, p := range people {
		id := ID("person", p.Key)
		visibility := []string{"ORGANISATIONS", "ORGANISATIONS", "MATCHMAKERS", "ORGANISATIONS", "PRIVATE"}[i%5]
		if p.Key == "volunteer" {
			visibility = "ORGANISATIONS"
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO talent_profiles (person_id, visibility, home_lat, home_lon, radius_km, districts, looking_for, availability)
			SELECT $1, $2, round(d.lat::numeric * 200) / 200, round(d.lon::numeric * 200) / 200, $3, ARRAY[d.key], $4, $5
			FROM districts d WHERE d.key = $6`,
			id, visibility, float64(3+i%8), pq.StringArray{lookingFor[i%len(lookingFor)]},
			[]byte(fmt.Sprintf(`[{"weekday":%d,"from":"09:00","to":"17:00"},{"weekday":6,"from":"10:00","to":"16:00"}]`, 1+i%5)), p.District)
		if err != nil {
			return fmt.Errorf("demo profile %s: %w", p.Key, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consent_log (person_id, kind, value, actor_id) VALUES ($1, 'VISIBILITY', $2, $1)`,
			id, visibility); err != nil {
			return fmt.Errorf("demo consent %s: %w", p.Key, err)
		}
		for _, l := range p.Languages {
			if _, err := tx.ExecContext(ctx, `INSERT INTO profile_languages (person_id, code, level) SELECT $1, $2, $3
				WHERE EXISTS (SELECT 1 FROM languages WHERE code = $2) ON CONFLICT DO NOTHING`, id, l.Code, l.Level); err != nil {
				return fmt.Errorf("demo language %s: %w", p.Key, err)
			}
		}
		for j := 0; j < 3 && len(known) > 0; j++ {
			key := known[(i*3+j*5)%len(known)]
			if _, err := tx.ExecContext(ctx, `INSERT INTO profile_talents (person_id, talent_key, level, learned) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, id, key, 1+(i+j)%4, pq.StringArray{[]string{"LIFE_EXPERIENCE", "WORK", "SCHOOL", "ABROAD", "VOLUNTEERING"}[(i+j)%5]}); err != nil {
				return fmt.Errorf("demo talent %s: %w", p.Key, err)
			}
		}
	}
	return nil
}
