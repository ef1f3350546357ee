package talent_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// ---------------------------------------------------------------------------------------
// Helpers

type fixture struct {
	db  *sqlx.DB
	svc *talent.Service
	ctx context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testutil.NewDB(t)
	return &fixture{db: db, svc: talent.NewService(db, reference.NewService(db)), ctx: context.Background()}
}

// person inserts a person and returns a viewer for them.
func (f *fixture) person(t *testing.T, name string) *accounts.Viewer {
	t.Helper()
	var id string
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.org"
	if err := f.db.Get(&id, `INSERT INTO people (email, password_hash, display_name) VALUES ($1, 'x', $2) RETURNING id`,
		email, name); err != nil {
		t.Fatalf("insert person %s: %v", name, err)
	}
	return &accounts.Viewer{PersonID: id}
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.db.Exec(q, args...); err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}

// organisation inserts an organisation with a status and makes the people members.
func (f *fixture) organisation(t *testing.T, kind, status string, members ...*accounts.Viewer) string {
	t.Helper()
	var id string
	if err := f.db.Get(&id, `INSERT INTO organisations (kind, status, name) VALUES ($1, $2, $3) RETURNING id`,
		kind, status, "Org "+status+" "+kind); err != nil {
		t.Fatalf("insert organisation: %v", err)
	}
	for _, m := range members {
		f.exec(t, `INSERT INTO organisation_members (organisation_id, person_id, role) VALUES ($1, $2, 'COORDINATOR')`, id, m.PersonID)
	}
	return id
}

// endorse inserts an attended application with an endorsement of talentKey.
func (f *fixture) endorse(t *testing.T, orgID string, v *accounts.Viewer, talentKey string, hidden bool) {
	t.Helper()
	var needID, appID string
	if err := f.db.Get(&needID, `INSERT INTO needs (organisation_id, title, schedule, status) VALUES ($1, 'Koken', 'FLEXIBLE', 'OPEN')
		RETURNING id`, orgID); err != nil {
		t.Fatalf("insert need: %v", err)
	}
	if err := f.db.Get(&appID, `INSERT INTO applications (need_id, person_id, status, minutes, worked_on, confirmed_at)
		VALUES ($1, $2, 'ATTENDED', 120, current_date, now()) RETURNING id`, needID, v.PersonID); err != nil {
		t.Fatalf("insert application: %v", err)
	}
	f.exec(t, `INSERT INTO endorsements (application_id, person_id, talent_key, organisation_id, need_id, hidden)
		VALUES ($1, $2, $3, $4, $5, $6)`, appID, v.PersonID, talentKey, orgID, needID, hidden)
}

func (f *fixture) mustUpdate(t *testing.T, v *accounts.Viewer, in talent.Input) *talent.Profile {
	t.Helper()
	p, err := f.svc.Update(f.ctx, v, in)
	if err != nil {
		t.Fatalf("update profile: %v", err)
	}
	return p
}

func (f *fixture) mustVisibility(t *testing.T, v *accounts.Viewer, vis string) {
	t.Helper()
	if _, err := f.svc.SetVisibility(f.ctx, v, vis); err != nil {
		t.Fatalf("set visibility %s: %v", vis, err)
	}
}

// snapshot is everything stored about a person's profile, as text.
func (f *fixture) snapshot(t *testing.T, personID string) string {
	t.Helper()
	var s string
	if err := f.db.Get(&s, `SELECT
		coalesce((SELECT row_to_json(tp)::text FROM talent_profiles tp WHERE person_id = $1), '-') || ' | ' ||
		coalesce((SELECT json_agg(pt ORDER BY talent_key)::text FROM profile_talents pt WHERE person_id = $1), '-') || ' | ' ||
		coalesce((SELECT json_agg(pl ORDER BY code)::text FROM profile_languages pl WHERE person_id = $1), '-') || ' | ' ||
		(SELECT count(*) FROM consent_log WHERE person_id = $1)::text`, personID); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// distanceM is the great-circle distance in metres.
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

func codes(ue errs.UserErrors) []string {
	out := make([]string, 0, len(ue))
	for _, e := range ue {
		out = append(out, strings.Join(e.Field, ".")+" "+string(e.Code))
	}
	slices.Sort(out)
	return out
}

// ---------------------------------------------------------------------------------------
// RoundPoint

func TestTalentRoundPointKeepsOnlyAnAreaOfAbout500m(t *testing.T) {
	t.Parallel()
	points := [][2]float64{
		{51.2194, 4.4025},           // Antwerp centre
		{51.21734, 4.42102},         // an exact address
		{51.1751, 4.3484},           // Hoboken
		{51.3360, 4.3050},           // Berendrecht
		{51.2224999, 4.4075001},     // just below a rounding boundary
		{51.2225001, 4.4074999},     // just above
		{-33.868820, 151.209296},    // southern and eastern hemisphere
		{40.712776, -74.005974},     // western hemisphere
		{0.0012, -0.0012},           // around zero
		{89.9991, 179.9991},         // near the edges
		{-89.9991, -179.9991},       // near the edges
		{51.219448123, 4.402464987}, // many decimals
	}
	for _, pt := range points {
		lat, lon := talent.RoundPoint(pt[0], pt[1])
		for _, v := range []float64{lat, lon} {
			if steps := v * 200; math.Abs(steps-math.Round(steps)) > 1e-6 {
				t.Errorf("RoundPoint(%v) = %v, %v: not on the 0.005° grid", pt, lat, lon)
			}
		}
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			t.Errorf("RoundPoint(%v) = %v, %v: outside the earth", pt, lat, lon)
		}
		// At most half a grid step in each direction: about 280 m north-south, less east-west.
		if math.Abs(lat-pt[0]) > 0.0025+1e-9 || math.Abs(lon-pt[1]) > 0.0025+1e-9 {
			t.Errorf("RoundPoint(%v) = %v, %v: moved more than half a step", pt, lat, lon)
		}
		if d := distanceM(pt[0], pt[1], lat, lon); d > 400 {
			t.Errorf("RoundPoint(%v) = %v, %v: %.0f m away, want at most 400 m", pt, lat, lon, d)
		}
		// Rounding is idempotent.
		if l2, o2 := talent.RoundPoint(lat, lon); l2 != lat || o2 != lon {
			t.Errorf("RoundPoint is not idempotent at %v: %v, %v then %v, %v", pt, lat, lon, l2, o2)
		}
	}
	// Two addresses a few metres apart in the same cell give the same area: the exact one is not recoverable.
	a1, o1 := talent.RoundPoint(51.21734, 4.42102)
	a2, o2 := talent.RoundPoint(51.21741, 4.42091)
	if a1 != a2 || o1 != o2 {
		t.Errorf("neighbouring addresses round differently: %v,%v and %v,%v", a1, o1, a2, o2)
	}
	// An exact address is never kept as it is.
	if lat, lon := talent.RoundPoint(51.21734, 4.42102); lat == 51.21734 || lon == 4.42102 {
		t.Errorf("RoundPoint kept an exact coordinate: %v, %v", lat, lon)
	}
	// Points on the grid stay where they are.
	if lat, lon := talent.RoundPoint(51.22, 4.405); lat != 51.22 || lon != 4.405 {
		t.Errorf("RoundPoint(51.22, 4.405) = %v, %v", lat, lon)
	}
}

// ---------------------------------------------------------------------------------------
// Update: round trip and validation

func TestTalentUpdateStoresTheProfileAndRoundsTheArea(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.person(t, "Anna Peeters")
	exactLat, exactLon := 51.21734, 4.42102
	p := f.mustUpdate(t, v, talent.Input{
		SetTalents: true, Talents: []talent.Talent{
			{TalentKey: "cooking", Level: 3, Learned: []string{"WORK", "LIFE_EXPERIENCE", "WORK"}},
			{TalentKey: "gardening", Level: 1},
		},
		SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "NATIVE"}, {Code: "ar", Level: "B2"}},
		SetAvailability: true, Availability: []talent.Slot{{Weekday: 6, From: "09:00", To: "12:30"}},
		Home: &[2]float64{exactLat, exactLon}, RadiusKm: ptr(3.5),
		SetDistricts: true, Districts: []string{"borgerhout", "deurne", "borgerhout"},
		SetThemes: true, Themes: []string{"food"},
		SetLookingFor: true, LookingFor: []string{"JOB", "MEET_PEOPLE"},
		About: ptr("  Ik kook graag voor grote groepen.  "),
	})
	if p.Visibility != talent.Private {
		t.Errorf("a new profile is %s, want PRIVATE", p.Visibility)
	}
	var row struct {
		Lat, Lon float64
	}
	if err := f.db.Get(&row, `SELECT home_lat AS lat, home_lon AS lon FROM talent_profiles WHERE person_id = $1`, v.PersonID); err != nil {
		t.Fatal(err)
	}
	if row.Lat == exactLat || row.Lon == exactLon {
		t.Errorf("stored area %v,%v keeps the exact address", row.Lat, row.Lon)
	}
	if d := distanceM(exactLat, exactLon, row.Lat, row.Lon); d > 400 || d == 0 {
		t.Errorf("stored area is %.0f m from the address, want 0 < d <= 400", d)
	}
	wl, wo := talent.RoundPoint(exactLat, exactLon)
	if row.Lat != wl || row.Lon != wo {
		t.Errorf("stored area %v,%v, want RoundPoint %v,%v", row.Lat, row.Lon, wl, wo)
	}

	got, err := f.svc.Profile(f.ctx, v.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RadiusKm == nil || *got.RadiusKm != 3.5 || !slices.Equal(got.Districts, []string{"borgerhout", "deurne"}) ||
		!slices.Equal(got.Themes, []string{"food"}) || !slices.Equal(got.LookingFor, []string{"JOB", "MEET_PEOPLE"}) ||
		got.About != "Ik kook graag voor grote groepen." {
		t.Errorf("profile = %+v", got)
	}
	if s := got.Slots(); len(s) != 1 || s[0] != (talent.Slot{Weekday: 6, From: "09:00", To: "12:30"}) {
		t.Errorf("slots = %+v", s)
	}
	ts, _ := f.svc.Talents(f.ctx, v.PersonID)
	if len(ts) != 2 || ts[0].TalentKey != "cooking" || ts[0].Level != 3 || !slices.Equal(ts[0].Learned, []string{"WORK", "LIFE_EXPERIENCE"}) ||
		ts[1].TalentKey != "gardening" || ts[1].Level != 1 {
		t.Errorf("talents = %+v", ts)
	}
	ls, _ := f.svc.Languages(f.ctx, v.PersonID)
	if len(ls) != 2 || ls[0].Code != "nl" || ls[0].Level != "NATIVE" || ls[1].Code != "ar" || ls[1].Level != "B2" {
		t.Errorf("languages = %+v", ls)
	}

	// Parts left out stay; a given list replaces the whole list; visibility is not touched by Update.
	f.mustVisibility(t, v, talent.Organisations)
	f.mustUpdate(t, v, talent.Input{About: ptr("Nieuw."), SetTalents: true, Talents: []talent.Talent{{TalentKey: "baking", Level: 4}}})
	got, _ = f.svc.Profile(f.ctx, v.PersonID)
	if got.About != "Nieuw." || got.HomeLat == nil || *got.HomeLat != wl || !slices.Equal(got.Districts, []string{"borgerhout", "deurne"}) ||
		got.Visibility != talent.Organisations || len(got.Slots()) != 1 {
		t.Errorf("after a partial update: %+v", got)
	}
	ts, _ = f.svc.Talents(f.ctx, v.PersonID)
	if len(ts) != 1 || ts[0].TalentKey != "baking" {
		t.Errorf("talents after replacing = %+v", ts)
	}
	ls, _ = f.svc.Languages(f.ctx, v.PersonID)
	if len(ls) != 2 {
		t.Errorf("languages changed although left out: %+v", ls)
	}

	// Clearing the area.
	f.mustUpdate(t, v, talent.Input{ClearHome: true})
	got, _ = f.svc.Profile(f.ctx, v.PersonID)
	if got.HomeLat != nil || got.HomeLon != nil {
		t.Errorf("area not cleared: %v, %v", got.HomeLat, got.HomeLon)
	}

	// Boundaries that are allowed.
	f.mustUpdate(t, v, talent.Input{RadiusKm: ptr(0.5), Home: &[2]float64{90, 180},
		SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 1}, {TalentKey: "baking", Level: 4}},
		About: ptr(strings.Repeat("é", talent.MaxAbout))})
	f.mustUpdate(t, v, talent.Input{RadiusKm: ptr(100.0), Home: &[2]float64{-90, -180}})

	// Nobody signed in.
	if _, err := f.svc.Update(f.ctx, nil, talent.Input{About: ptr("x")}); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous update: %v, want ErrUnauthenticated", err)
	}
}

func TestTalentUpdateRejectsBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	existing := f.person(t, "Bestaand Profiel")
	f.mustUpdate(t, existing, talent.Input{
		SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 2}},
		SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "C1"}},
		SetAvailability: true, Availability: []talent.Slot{{Weekday: 1, From: "10:00", To: "11:00"}},
		Home: &[2]float64{51.2, 4.4}, RadiusKm: ptr(2.0), About: ptr("Origineel"),
		SetDistricts: true, Districts: []string{"berchem"}, SetThemes: true, Themes: []string{"care"},
	})
	fresh := f.person(t, "Nog Geen Profiel")

	tooMany := func(n int, mk func(i int) talent.Talent) []talent.Talent {
		out := make([]talent.Talent, n)
		for i := range out {
			out[i] = mk(i)
		}
		return out
	}
	var manyLangs []talent.Language
	for _, c := range []string{"nl", "fr", "en", "ar", "vgt", "de", "es", "it", "pt", "tr", "pl", "ro", "bg", "sk", "rom", "ru", "uk", "sq", "sr", "bs", "hr"} {
		manyLangs = append(manyLangs, talent.Language{Code: c, Level: "A1"})
	}
	var manySlots []talent.Slot
	for i := 0; i < talent.MaxSlots+1; i++ {
		manySlots = append(manySlots, talent.Slot{Weekday: i%7 + 1, From: fmt.Sprintf("%02d:00", i%20), To: fmt.Sprintf("%02d:30", i%20)})
	}
	okTalent := []talent.Talent{{TalentKey: "gardening", Level: 2}}

	tests := []struct {
		name string
		in   talent.Input
		want []string
	}{
		{"unknown talent", talent.Input{SetTalents: true, Talents: []talent.Talent{{TalentKey: "gardening", Level: 2}, {TalentKey: "rocket_science", Level: 2}}},
			[]string{"input.talents.1.talentId UNKNOWN_REFERENCE"}},
		{"level 0", talent.Input{SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 0}}},
			[]string{"input.talents.0.level OUT_OF_RANGE"}},
		{"level 5", talent.Input{SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 5}}},
			[]string{"input.talents.0.level OUT_OF_RANGE"}},
		{"negative level", talent.Input{SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: -1}}},
			[]string{"input.talents.0.level OUT_OF_RANGE"}},
		{"learned unknown way", talent.Input{SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 2, Learned: []string{"TV"}}}},
			[]string{"input.talents.0.learned INVALID"}},
		{"too many talents", talent.Input{SetTalents: true, Talents: tooMany(talent.MaxTalents+1, func(i int) talent.Talent {
			return talent.Talent{TalentKey: "cooking", Level: 1}
		})}, []string{"input.talents OUT_OF_RANGE"}},
		{"unknown language", talent.Input{SetLanguages: true, Languages: []talent.Language{{Code: "xx", Level: "B1"}}},
			[]string{"input.languages.0.code UNKNOWN_REFERENCE"}},
		{"bad CEFR level", talent.Input{SetLanguages: true, Languages: []talent.Language{{Code: "fr", Level: "D1"}}},
			[]string{"input.languages.0.level INVALID"}},
		{"lower-case CEFR level", talent.Input{SetLanguages: true, Languages: []talent.Language{{Code: "fr", Level: "b1"}}},
			[]string{"input.languages.0.level INVALID"}},
		{"empty CEFR level", talent.Input{SetLanguages: true, Languages: []talent.Language{{Code: "fr", Level: ""}}},
			[]string{"input.languages.0.level INVALID"}},
		{"too many languages", talent.Input{SetLanguages: true, Languages: manyLangs}, []string{"input.languages OUT_OF_RANGE"}},
		{"availability to before from", talent.Input{SetAvailability: true, Availability: []talent.Slot{{Weekday: 2, From: "14:00", To: "09:00"}}},
			[]string{"input.availability.0.to INVALID"}},
		{"availability to equals from", talent.Input{SetAvailability: true, Availability: []talent.Slot{
			{Weekday: 2, From: "09:00", To: "10:00"}, {Weekday: 3, From: "09:00", To: "09:00"}}},
			[]string{"input.availability.1.to INVALID"}},
		{"availability bad time", talent.Input{SetAvailability: true, Availability: []talent.Slot{{Weekday: 2, From: "25:00", To: "26:00"}}},
			[]string{"input.availability.0 INVALID"}},
		{"availability weekday 0", talent.Input{SetAvailability: true, Availability: []talent.Slot{{Weekday: 0, From: "09:00", To: "10:00"}}},
			[]string{"input.availability.0.weekday INVALID"}},
		{"availability weekday 8", talent.Input{SetAvailability: true, Availability: []talent.Slot{{Weekday: 8, From: "09:00", To: "10:00"}}},
			[]string{"input.availability.0.weekday INVALID"}},
		{"too many slots", talent.Input{SetAvailability: true, Availability: manySlots}, []string{"input.availability OUT_OF_RANGE"}},
		{"radius 0", talent.Input{RadiusKm: ptr(0.0)}, []string{"input.radiusKm OUT_OF_RANGE"}},
		{"radius 0.49", talent.Input{RadiusKm: ptr(0.49)}, []string{"input.radiusKm OUT_OF_RANGE"}},
		{"radius 100.5", talent.Input{RadiusKm: ptr(100.5)}, []string{"input.radiusKm OUT_OF_RANGE"}},
		{"radius 1000", talent.Input{RadiusKm: ptr(1000.0)}, []string{"input.radiusKm OUT_OF_RANGE"}},
		{"negative radius", talent.Input{RadiusKm: ptr(-5.0)}, []string{"input.radiusKm OUT_OF_RANGE"}},
		{"radius NaN", talent.Input{RadiusKm: ptr(math.NaN())}, []string{"input.radiusKm OUT_OF_RANGE"}},
		{"latitude 91", talent.Input{Home: &[2]float64{91, 4.4}}, []string{"input.area OUT_OF_RANGE"}},
		{"latitude -90.01", talent.Input{Home: &[2]float64{-90.01, 4.4}}, []string{"input.area OUT_OF_RANGE"}},
		{"longitude 181", talent.Input{Home: &[2]float64{51.2, 181}}, []string{"input.area OUT_OF_RANGE"}},
		{"longitude -181", talent.Input{Home: &[2]float64{51.2, -181}}, []string{"input.area OUT_OF_RANGE"}},
		{"coordinates NaN", talent.Input{Home: &[2]float64{math.NaN(), 4.4}}, []string{"input.area OUT_OF_RANGE"}},
		{"about too long", talent.Input{About: ptr(strings.Repeat("a", talent.MaxAbout+1))}, []string{"input.about TOO_LONG"}},
		{"about with a control character", talent.Input{About: ptr("hallo\x00wereld")}, []string{"input.about INVALID"}},
		{"unknown district", talent.Input{SetDistricts: true, Districts: []string{"deurne", "gent"}}, []string{"input.districtIds UNKNOWN_REFERENCE"}},
		{"unknown theme", talent.Input{SetThemes: true, Themes: []string{"astrology"}}, []string{"input.themeIds UNKNOWN_REFERENCE"}},
		{"unknown looking for", talent.Input{SetLookingFor: true, LookingFor: []string{"MONEY"}}, []string{"input.lookingFor INVALID"}},
		{"several problems at once", talent.Input{
			SetTalents: true, Talents: []talent.Talent{{TalentKey: "nope", Level: 9}},
			SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "X"}},
			RadiusKm: ptr(0.1), Home: &[2]float64{100, 0},
		}, []string{"input.area OUT_OF_RANGE", "input.languages.0.level INVALID", "input.radiusKm OUT_OF_RANGE",
			"input.talents.0.level OUT_OF_RANGE", "input.talents.0.talentId UNKNOWN_REFERENCE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []*accounts.Viewer{existing, fresh} {
				before := f.snapshot(t, v.PersonID)
				in := tt.in
				// A valid change alongside the bad one must not be written either.
				in.About = tt.in.About
				if in.About == nil {
					in.About = ptr("Gewijzigd")
				}
				if !in.SetTalents {
					in.SetTalents, in.Talents = true, okTalent
				}
				_, err := f.svc.Update(f.ctx, v, in)
				ue, ok := errs.AsUserErrors(err)
				if !ok {
					t.Fatalf("Update returned %v, want user errors %v", err, tt.want)
				}
				want := slices.Clone(tt.want)
				slices.Sort(want)
				if got := codes(ue); !slices.Equal(got, want) {
					t.Errorf("user errors = %v, want %v", got, want)
				}
				if after := f.snapshot(t, v.PersonID); after != before {
					t.Errorf("bad input changed the stored profile:\nbefore %s\nafter  %s", before, after)
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------------------
// Visibility and consent

func TestTalentSetVisibilityKeepsEveryConsentChangeWithItsTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.person(t, "Consent Claes")
	other := f.person(t, "Someone Else")
	f.mustUpdate(t, v, talent.Input{About: ptr("Hallo")})
	start := time.Now().Add(-time.Minute)
	seq := []string{talent.Matchmakers, talent.Organisations, talent.Organisations, talent.Private, talent.Matchmakers}
	for _, vis := range seq {
		p, err := f.svc.SetVisibility(f.ctx, v, vis)
		if err != nil {
			t.Fatalf("set %s: %v", vis, err)
		}
		if p.Visibility != vis || p.About != "Hallo" {
			t.Errorf("after setting %s: %+v", vis, p)
		}
	}
	hist, err := f.svc.ConsentHistory(f.ctx, v.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(seq) {
		t.Fatalf("%d consent changes, want %d (every change, also a repeated one, is kept): %+v", len(hist), len(seq), hist)
	}
	for i, h := range hist {
		if h.Kind != "VISIBILITY" || h.Value != seq[i] || h.ActorID == nil || *h.ActorID != v.PersonID {
			t.Errorf("change %d = %+v, want VISIBILITY %s by the person", i, h, seq[i])
		}
		if h.At.Before(start) || h.At.After(time.Now().Add(time.Minute)) {
			t.Errorf("change %d at %s, want about now", i, h.At)
		}
		if i > 0 && !h.At.After(hist[i-1].At) {
			t.Errorf("change %d at %s is not after change %d at %s", i, h.At, i-1, hist[i-1].At)
		}
	}
	if h, _ := f.svc.ConsentHistory(f.ctx, other.PersonID); len(h) != 0 {
		t.Errorf("another person has consent changes: %+v", h)
	}

	// A person without a profile gets one by choosing a visibility.
	f.mustVisibility(t, other, talent.Organisations)
	if p, _ := f.svc.Profile(f.ctx, other.PersonID); p.Visibility != talent.Organisations {
		t.Errorf("visibility of a new profile = %s", p.Visibility)
	}

	// Invalid values and anonymous callers change nothing.
	before := f.snapshot(t, v.PersonID)
	_, err = f.svc.SetVisibility(f.ctx, v, "EVERYONE")
	if ue, ok := errs.AsUserErrors(err); !ok || !slices.Equal(codes(ue), []string{"input.visibility INVALID"}) {
		t.Errorf("set EVERYONE: %v", err)
	}
	if _, err := f.svc.SetVisibility(f.ctx, nil, talent.Private); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous: %v", err)
	}
	if after := f.snapshot(t, v.PersonID); after != before {
		t.Errorf("refused change was written:\n%s\n%s", before, after)
	}

	// A new profile is private.
	nobody := f.person(t, "Nieuw Iemand")
	if p, _ := f.svc.Profile(f.ctx, nobody.PersonID); p.Visibility != talent.Private {
		t.Errorf("default visibility = %s", p.Visibility)
	}
}

func TestTalentVisibleToFollowsTheViewersRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mm := f.person(t, "Matchmaker Mia")
	mm.IsMatchmaker = true
	approved := f.person(t, "Approved Member")
	pending := f.person(t, "Pending Member")
	rejected := f.person(t, "Rejected Member")
	plain := f.person(t, "Plain Volunteer")
	f.organisation(t, "NON_PROFIT", "APPROVED", approved)
	f.organisation(t, "NON_PROFIT", "PENDING", pending)
	f.organisation(t, "SCHOOL", "REJECTED", rejected)

	tests := []struct {
		name   string
		viewer *accounts.Viewer
		want   []string
		err    error
	}{
		{"matchmaker", mm, []string{talent.Matchmakers, talent.Organisations}, nil},
		{"member of an approved organisation", approved, []string{talent.Organisations}, nil},
		{"member of a pending organisation", pending, nil, errs.ErrForbidden},
		{"member of a rejected organisation", rejected, nil, errs.ErrForbidden},
		{"plain volunteer", plain, nil, errs.ErrForbidden},
		{"anonymous", nil, nil, errs.ErrUnauthenticated},
	}
	for _, tt := range tests {
		got, err := f.svc.VisibleTo(f.ctx, tt.viewer)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.err)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) || slices.Contains(got, talent.Private) {
			t.Errorf("%s: visible = %v, want %v", tt.name, got, tt.want)
		}
		if tt.err != nil {
			if _, err := f.svc.Search(f.ctx, tt.viewer, talent.Filter{}, 10, nil); !errors.Is(err, tt.err) {
				t.Errorf("%s: search err = %v, want %v", tt.name, err, tt.err)
			}
		}
	}
}

// ---------------------------------------------------------------------------------------
// Search

type searchWorld struct {
	*fixture
	names map[string]string // person id → name
	mm    *accounts.Viewer  // a matchmaker
	org   *accounts.Viewer  // a member of an approved organisation
}

var (
	antwerpCentre = [2]float64{51.2194, 4.4025}
	hobokenCentre = [2]float64{51.1751, 4.3484}
)

// newSearchWorld makes five profiles:
//
//	anna  ORGANISATIONS cooking 3, gardening 1; nl NATIVE, ar B2; borgerhout; centre; food; Sat; JOB; cooking endorsed
//	bram  ORGANISATIONS cooking 2; fr C1; deurne, berchem; Hoboken; youth, sports; Mon; MEET_PEOPLE; cooking endorsed but hidden
//	chloe ORGANISATIONS gardening 4, cooking 4; en B1, ar A2; borgerhout, merksem; no area; environment, food; Wed, Sat; JOB, LEARN; gardening endorsed
//	dirk  MATCHMAKERS   cooking 4; nl; borgerhout; centre; food; Sat; JOB; cooking endorsed
//	eva   PRIVATE       matches every filter, and is never found
func newSearchWorld(t *testing.T) *searchWorld {
	t.Helper()
	w := &searchWorld{fixture: newFixture(t), names: map[string]string{}}
	w.mm = w.person(t, "Matchmaker Mia")
	w.mm.IsMatchmaker = true
	w.org = w.person(t, "Coordinator Cas")
	orgID := w.organisation(t, "NEIGHBOURHOOD_CENTRE", "APPROVED", w.org)
	type spec struct {
		name, vis string
		in        talent.Input
		endorse   string
		hidden    bool
	}
	specs := []spec{
		{"anna", talent.Organisations, talent.Input{
			SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 3}, {TalentKey: "gardening", Level: 1}},
			SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "NATIVE"}, {Code: "ar", Level: "B2"}},
			SetDistricts: true, Districts: []string{"borgerhout"}, Home: &antwerpCentre, RadiusKm: ptr(5.0),
			SetThemes: true, Themes: []string{"food"},
			SetAvailability: true, Availability: []talent.Slot{{Weekday: 6, From: "09:00", To: "12:00"}},
			SetLookingFor: true, LookingFor: []string{"JOB"}}, "cooking", false},
		{"bram", talent.Organisations, talent.Input{
			SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 2}},
			SetLanguages: true, Languages: []talent.Language{{Code: "fr", Level: "C1"}},
			SetDistricts: true, Districts: []string{"deurne", "berchem"}, Home: &hobokenCentre,
			SetThemes: true, Themes: []string{"youth", "sports"},
			SetAvailability: true, Availability: []talent.Slot{{Weekday: 1, From: "18:00", To: "20:00"}},
			SetLookingFor: true, LookingFor: []string{"MEET_PEOPLE"}}, "cooking", true},
		{"chloe", talent.Organisations, talent.Input{
			SetTalents: true, Talents: []talent.Talent{{TalentKey: "gardening", Level: 4}, {TalentKey: "cooking", Level: 4}},
			SetLanguages: true, Languages: []talent.Language{{Code: "en", Level: "B1"}, {Code: "ar", Level: "A2"}},
			SetDistricts: true, Districts: []string{"borgerhout", "merksem"},
			SetThemes: true, Themes: []string{"environment", "food"},
			SetAvailability: true, Availability: []talent.Slot{{Weekday: 3, From: "13:00", To: "17:00"}, {Weekday: 6, From: "10:00", To: "12:00"}},
			SetLookingFor: true, LookingFor: []string{"JOB", "LEARN"}}, "gardening", false},
		{"dirk", talent.Matchmakers, talent.Input{
			SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 4}},
			SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "NATIVE"}},
			SetDistricts: true, Districts: []string{"borgerhout"}, Home: &antwerpCentre,
			SetThemes: true, Themes: []string{"food"},
			SetAvailability: true, Availability: []talent.Slot{{Weekday: 6, From: "09:00", To: "12:00"}},
			SetLookingFor: true, LookingFor: []string{"JOB"}}, "cooking", false},
		{"eva", talent.Private, talent.Input{
			SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 4}, {TalentKey: "gardening", Level: 4}},
			SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "NATIVE"}, {Code: "ar", Level: "C2"},
				{Code: "fr", Level: "C2"}, {Code: "en", Level: "C2"}},
			SetDistricts: true, Districts: []string{"borgerhout", "deurne", "berchem", "merksem"}, Home: &antwerpCentre,
			SetThemes: true, Themes: []string{"food", "youth", "environment"},
			SetAvailability: true, Availability: []talent.Slot{{Weekday: 1, From: "09:00", To: "12:00"},
				{Weekday: 3, From: "09:00", To: "12:00"}, {Weekday: 6, From: "09:00", To: "12:00"}},
			SetLookingFor: true, LookingFor: []string{"JOB"}}, "cooking", false},
	}
	for _, s := range specs {
		v := w.person(t, s.name)
		w.names[v.PersonID] = s.name
		w.mustUpdate(t, v, s.in)
		w.mustVisibility(t, v, s.vis)
		w.endorse(t, orgID, v, s.endorse, s.hidden)
		if s.name == "eva" {
			w.endorse(t, orgID, v, "gardening", false)
		}
	}
	return w
}

// search returns the sorted names found, or "ERROR: …" when the search failed.
func (w *searchWorld) search(t *testing.T, v *accounts.Viewer, f talent.Filter) []string {
	t.Helper()
	page, err := w.svc.Search(w.ctx, v, f, 100, nil)
	if err != nil {
		return []string{"ERROR: " + err.Error()}
	}
	names := make([]string, 0, len(page.Results))
	for _, r := range page.Results {
		n, ok := w.names[r.PersonID]
		if !ok {
			t.Fatalf("search found an unknown profile %s", r.PersonID)
		}
		if r.DisplayName != n {
			t.Errorf("result %s has display name %q", n, r.DisplayName)
		}
		names = append(names, n)
	}
	if page.TotalCount != len(names) || page.HasNextPage {
		t.Errorf("filter %+v: totalCount %d, hasNextPage %v for %d results", f, page.TotalCount, page.HasNextPage, len(names))
	}
	slices.Sort(names)
	return names
}

func TestTalentSearchFiltersEachAloneAndCombined(t *testing.T) {
	t.Parallel()
	w := newSearchWorld(t)
	near := func(p [2]float64, km float64) *[3]float64 { return &[3]float64{p[0], p[1], km} }
	tests := []struct {
		name   string
		filter talent.Filter
		want   string // names, space separated, sorted
	}{
		{"no filter", talent.Filter{}, "anna bram chloe dirk"},
		{"talent at any level", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 1}}}, "anna bram chloe dirk"},
		{"min level 0 counts as 1", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking"}}}, "anna bram chloe dirk"},
		{"min level 3 excludes level 2", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 3}}}, "anna chloe dirk"},
		{"min level 4", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 4}}}, "chloe dirk"},
		{"all of two talents", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 3}, {Key: "gardening", MinLevel: 1}}}, "anna chloe"},
		{"second talent level too low", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 1}, {Key: "gardening", MinLevel: 2}}}, "chloe"},
		{"talent nobody has", talent.Filter{Talents: []talent.TalentNeed{{Key: "welding", MinLevel: 1}}}, ""},
		{"one language", talent.Filter{Languages: []string{"ar"}}, "anna chloe"},
		{"any of two languages", talent.Filter{Languages: []string{"fr", "en"}}, "bram chloe"},
		{"language nobody speaks", talent.Filter{Languages: []string{"de"}}, ""},
		{"one district", talent.Filter{DistrictKeys: []string{"borgerhout"}}, "anna chloe dirk"},
		{"any of two districts", talent.Filter{DistrictKeys: []string{"berchem", "merksem"}}, "bram chloe"},
		{"district nobody goes to", talent.Filter{DistrictKeys: []string{"ekeren"}}, ""},
		{"near the centre, 2 km", talent.Filter{Near: near(antwerpCentre, 2)}, "anna dirk"},
		{"near the centre, 3 km excludes Hoboken", talent.Filter{Near: near(antwerpCentre, 3)}, "anna dirk"},
		{"near the centre, 10 km", talent.Filter{Near: near(antwerpCentre, 10)}, "anna bram dirk"},
		{"near Hoboken, 1 km", talent.Filter{Near: near(hobokenCentre, 1)}, "bram"},
		{"near Ekeren, 1 km", talent.Filter{Near: near([2]float64{51.2812, 4.4342}, 1)}, ""},
		{"one theme", talent.Filter{Themes: []string{"food"}}, "anna chloe dirk"},
		{"any of two themes", talent.Filter{Themes: []string{"youth", "environment"}}, "bram chloe"},
		{"available on Saturday", talent.Filter{Weekdays: []int{6}}, "anna chloe dirk"},
		{"available on Monday", talent.Filter{Weekdays: []int{1}}, "bram"},
		{"available on Wednesday or Monday", talent.Filter{Weekdays: []int{3, 1}}, "bram chloe"},
		{"available on Sunday", talent.Filter{Weekdays: []int{7}}, ""},
		{"looking for a job", talent.Filter{LookingForJob: true}, "anna chloe dirk"},
		{"verified only (a hidden endorsement does not count)", talent.Filter{VerifiedOnly: true}, "anna chloe dirk"},
		{"verified in the asked talent", talent.Filter{VerifiedOnly: true, Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 1}}}, "anna dirk"},
		{"verified in gardening", talent.Filter{VerifiedOnly: true, Talents: []talent.TalentNeed{{Key: "gardening", MinLevel: 1}}}, "chloe"},
		{"everything combined", talent.Filter{
			Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 3}}, Languages: []string{"ar"}, DistrictKeys: []string{"borgerhout"},
			Near: near(antwerpCentre, 2), Themes: []string{"food"}, Weekdays: []int{6}, LookingForJob: true, VerifiedOnly: true}, "anna"},
		{"job + language + district", talent.Filter{LookingForJob: true, Languages: []string{"en"}, DistrictKeys: []string{"merksem"}}, "chloe"},
		{"talent + day + distance", talent.Filter{Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 2}}, Weekdays: []int{1},
			Near: near(hobokenCentre, 2)}, "bram"},
		{"distance + theme with no overlap", talent.Filter{Near: near(antwerpCentre, 3), Themes: []string{"youth"}}, ""},
		{"verified + looking for a job + Saturday", talent.Filter{VerifiedOnly: true, LookingForJob: true, Weekdays: []int{6},
			Languages: []string{"nl"}}, "anna dirk"},
	}
	for _, tt := range tests {
		if got := strings.Join(w.search(t, w.mm, tt.filter), " "); got != tt.want {
			t.Errorf("%s (matchmaker): got [%s], want [%s]", tt.name, got, tt.want)
		}
		// The organisation member sees the same minus what is open to matchmakers only.
		want := strings.Join(slices.DeleteFunc(strings.Fields(tt.want), func(s string) bool { return s == "dirk" }), " ")
		if got := strings.Join(w.search(t, w.org, tt.filter), " "); got != want {
			t.Errorf("%s (organisation): got [%s], want [%s]", tt.name, got, want)
		}
	}
}

func TestTalentSearchNeverFindsAPrivateProfile(t *testing.T) {
	t.Parallel()
	w := newSearchWorld(t)
	var eva string
	for id, n := range w.names {
		if n == "eva" {
			eva = id
		}
	}
	// Every single filter that eva matches best of all.
	filters := []talent.Filter{
		{}, {Talents: []talent.TalentNeed{{Key: "cooking", MinLevel: 4}, {Key: "gardening", MinLevel: 4}}},
		{Languages: []string{"ar", "fr", "en", "nl"}}, {DistrictKeys: []string{"deurne"}},
		{Near: &[3]float64{antwerpCentre[0], antwerpCentre[1], 100}}, {Themes: []string{"youth"}}, {Weekdays: []int{1, 3, 6}},
		{LookingForJob: true}, {VerifiedOnly: true}, {VerifiedOnly: true, Talents: []talent.TalentNeed{{Key: "gardening"}}},
	}
	for _, v := range []*accounts.Viewer{w.mm, w.org, {PersonID: eva, IsMatchmaker: true}} {
		for _, f := range filters {
			page, err := w.svc.Search(w.ctx, v, f, 100, nil)
			if err != nil {
				t.Errorf("filter %+v: %v", f, err)
				continue
			}
			for _, r := range page.Results {
				if r.PersonID == eva || r.Visibility == talent.Private {
					t.Errorf("filter %+v: a private profile was found", f)
				}
			}
		}
	}
}

func TestTalentSearchKeysetPagingNeitherSkipsNorRepeats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mm := &accounts.Viewer{PersonID: f.person(t, "Matchmaker").PersonID, IsMatchmaker: true}
	var ids []string
	for i := 0; i < 9; i++ {
		v := f.person(t, fmt.Sprintf("Persoon %d", i))
		vis := talent.Organisations
		if i%3 == 0 {
			vis = talent.Matchmakers
		}
		f.mustVisibility(t, v, vis)
		ids = append(ids, v.PersonID)
	}
	hidden := f.person(t, "Privé")
	f.mustVisibility(t, hidden, talent.Private)
	// Several profiles share one updated_at: the person id breaks the tie.
	base := time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC)
	for i, id := range ids {
		at := base.Add(time.Duration(i/3) * time.Hour) // three groups of three equal timestamps
		f.exec(t, `UPDATE talent_profiles SET updated_at = $2 WHERE person_id = $1`, id, at)
	}

	all, err := f.svc.Search(f.ctx, mm, talent.Filter{}, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Results) != len(ids) || all.TotalCount != len(ids) || all.HasNextPage {
		t.Fatalf("one page: %d results, total %d, next %v; want %d", len(all.Results), all.TotalCount, all.HasNextPage, len(ids))
	}
	for i := 1; i < len(all.Results); i++ {
		a, b := all.Results[i-1], all.Results[i]
		if a.UpdatedAt.Before(b.UpdatedAt) || (a.UpdatedAt.Equal(b.UpdatedAt) && a.PersonID < b.PersonID) {
			t.Errorf("results %d and %d are out of order", i-1, i)
		}
	}

	for _, size := range []int{1, 2, 4} {
		var seen []string
		var after *talent.Cursor
		pages := 0
		for {
			page, err := f.svc.Search(f.ctx, mm, talent.Filter{}, size, after)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if page.TotalCount != len(ids) {
				t.Errorf("size %d page %d: totalCount %d", size, pages, page.TotalCount)
			}
			if len(page.Results) > size {
				t.Fatalf("size %d: page of %d", size, len(page.Results))
			}
			for _, r := range page.Results {
				seen = append(seen, r.PersonID)
			}
			if !page.HasNextPage {
				break
			}
			if len(page.Results) == 0 || pages > 20 {
				t.Fatalf("size %d: endless paging", size)
			}
			last := page.Results[len(page.Results)-1]
			after = &talent.Cursor{At: last.UpdatedAt, ID: last.PersonID}
		}
		want := make([]string, 0, len(all.Results))
		for _, r := range all.Results {
			want = append(want, r.PersonID)
		}
		if !slices.Equal(seen, want) {
			t.Errorf("size %d: paged ids %v, want %v (no skips, no repeats, same order)", size, seen, want)
		}
		if wantPages := (len(ids) + size - 1) / size; pages != wantPages {
			t.Errorf("size %d: %d pages, want %d", size, pages, wantPages)
		}
	}

	// Paging combined with a filter.
	f.exec(t, `UPDATE talent_profiles SET looking_for = '{JOB}' WHERE person_id = ANY($1)`, pq.StringArray{ids[1], ids[2], ids[4], ids[7], ids[8]})
	var got []string
	var after *talent.Cursor
	for range 10 {
		page, err := f.svc.Search(f.ctx, mm, talent.Filter{LookingForJob: true}, 2, after)
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != 5 {
			t.Errorf("filtered totalCount = %d, want 5", page.TotalCount)
		}
		for _, r := range page.Results {
			got = append(got, r.PersonID)
		}
		if !page.HasNextPage {
			break
		}
		last := page.Results[len(page.Results)-1]
		after = &talent.Cursor{At: last.UpdatedAt, ID: last.PersonID}
	}
	slices.Sort(got)
	want := []string{ids[1], ids[2], ids[4], ids[7], ids[8]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("filtered paging = %v, want %v", got, want)
	}
}
