package graph_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// ---------------------------------------------------------------------------------------
// Helpers (prefixed "tal").

const talPassword = "Correct-horse-battery-9"

type talEndorsement struct {
	ID           string
	Talent       struct{ Key string }
	Organisation struct{ ID, Name string }
	Need         struct{ ID, Title string }
	EndorsedAt   string
	Hidden       bool
}

type talProfile struct {
	ID, DisplayName, Visibility string
	Talents                     []struct {
		Talent   struct{ ID, Key string }
		Level    int
		Learned  []string
		Verified bool
	}
	Languages []struct {
		Language struct{ Code string }
		Level    string
	}
	Availability []struct{ Weekday, From, To string }
	Districts    []struct{ ID, Key string }
	RadiusKm     *float64
	Area         *struct{ Latitude, Longitude float64 }
	Themes       []struct{ ID, Key string }
	LookingFor   []string
	About        string
	Endorsements []talEndorsement
	History      []struct {
		Kind, Value, At string
		By              *struct{ DisplayName string }
	} `json:"consentHistory"`
	UpdatedAt *string
}

type talPayload struct {
	Profile    *talProfile
	UserErrors []volUserError
}

type talConnection struct {
	Edges []struct {
		Cursor string
		Node   talProfile
	}
	PageInfo struct {
		HasNextPage     bool
		HasPreviousPage bool
		EndCursor       *string
	}
	TotalCount int
}

const (
	talProfileFields = `id displayName visibility talents { talent { id key } level learned verified }
		languages { language { code } level } availability { weekday from to } districts { id key } radiusKm
		area { latitude longitude } themes { id key } lookingFor about
		endorsements { id talent { key } organisation { id name } need { id title } endorsedAt hidden }
		consentHistory { kind value at by { displayName } } updatedAt`
	talMeQuery          = `{ me { id talentProfile { ` + talProfileFields + ` } } }`
	talUpdateMutation   = `mutation($in: UpdateTalentProfileInput!) { updateTalentProfile(input: $in) { profile { ` + talProfileFields + ` } userErrors { field code message } } }`
	talVisibilityMut    = `mutation($v: ProfileVisibility!) { setProfileVisibility(input: { visibility: $v }) { profile { ` + talProfileFields + ` } userErrors { field code message } } }`
	talSearchQuery      = `query($f: TalentProfileFilter, $first: Int, $after: String) { talentProfiles(filter: $f, first: $first, after: $after) { edges { cursor node { ` + talProfileFields + ` } } pageInfo { hasNextPage hasPreviousPage endCursor } totalCount } }`
	talNamesQuery       = `query($f: TalentProfileFilter) { talentProfiles(filter: $f, first: 100) { edges { node { displayName } } totalCount } }`
	talHideMutation     = `mutation($id: ID!, $h: Boolean) { hideEndorsement(input: { endorsementId: $id, hidden: $h }) { endorsement { id hidden } userErrors { field code message } } }`
	talExportMutation   = `mutation { exportMyData { json portfolioHtml userErrors { field code message } } }`
	talDeleteMutation   = `mutation($pw: String!) { deleteMyAccount(input: { password: $pw }) { deleted userErrors { field code message } } }`
	talLoginMutation    = `mutation($in: LoginInput!) { login(input: $in) { session { token } userErrors { field code message } } }`
	talUpdateMeMutation = `mutation($in: UpdateMeInput!) { updateMe(input: $in) { person { id } userErrors { field code message } } }`
)

func talID(typ, key string) string { return relay.ID(typ, key) }

func talUpdate(t *testing.T, c *testutil.Client, in map[string]any) talPayload {
	t.Helper()
	var out struct{ UpdateTalentProfile talPayload }
	c.MustData(t, talUpdateMutation, map[string]any{"in": in}, &out)
	return out.UpdateTalentProfile
}

func talMustUpdate(t *testing.T, c *testutil.Client, in map[string]any) *talProfile {
	t.Helper()
	res := talUpdate(t, c, in)
	if res.Profile == nil || len(res.UserErrors) > 0 {
		t.Fatalf("updateTalentProfile: %+v", res.UserErrors)
	}
	return res.Profile
}

func talSetVisibility(t *testing.T, c *testutil.Client, v string) *talProfile {
	t.Helper()
	var out struct{ SetProfileVisibility talPayload }
	c.MustData(t, talVisibilityMut, map[string]any{"v": v}, &out)
	if out.SetProfileVisibility.Profile == nil || len(out.SetProfileVisibility.UserErrors) > 0 {
		t.Fatalf("setProfileVisibility %s: %+v", v, out.SetProfileVisibility.UserErrors)
	}
	return out.SetProfileVisibility.Profile
}

func talMe(t *testing.T, c *testutil.Client) (string, *talProfile) {
	t.Helper()
	var out struct {
		Me *struct {
			ID            string
			TalentProfile *talProfile
		}
	}
	c.MustData(t, talMeQuery, nil, &out)
	if out.Me == nil {
		t.Fatal("me is null")
	}
	return out.Me.ID, out.Me.TalentProfile
}

// talSearch runs talentProfiles and returns the connection, or the response when it has errors.
func talSearch(t *testing.T, c *testutil.Client, filter map[string]any, first int, after *string) (*talConnection, *testutil.Response) {
	t.Helper()
	vars := map[string]any{"first": first}
	if filter != nil {
		vars["f"] = filter
	}
	if after != nil {
		vars["after"] = *after
	}
	r := c.Do(t, talSearchQuery, vars)
	if len(r.Errors) > 0 {
		return nil, r
	}
	var out struct{ TalentProfiles talConnection }
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return &out.TalentProfiles, r
}

// talNames returns the sorted display names a viewer finds, or "ERROR CODE" when refused.
func talNames(t *testing.T, c *testutil.Client, filter map[string]any) string {
	t.Helper()
	vars := map[string]any{}
	if filter != nil {
		vars["f"] = filter
	}
	r := c.Do(t, talNamesQuery, vars)
	if len(r.Errors) > 0 {
		return "ERROR " + r.ErrorCode()
	}
	var out struct {
		TalentProfiles struct {
			Edges      []struct{ Node struct{ DisplayName string } }
			TotalCount int
		}
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	var names []string
	for _, e := range out.TalentProfiles.Edges {
		names = append(names, e.Node.DisplayName)
	}
	if out.TalentProfiles.TotalCount != len(names) {
		t.Errorf("totalCount %d for %d results", out.TalentProfiles.TotalCount, len(names))
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

func talPersonUUID(t testing.TB, p *testutil.Platform, email string) string {
	t.Helper()
	var id string
	if err := p.DB.Get(&id, `SELECT id FROM people WHERE lower(email) = lower($1)`, email); err != nil {
		t.Fatalf("person %s: %v", email, err)
	}
	return id
}

func talExec(t testing.TB, p *testutil.Platform, q string, args ...any) {
	t.Helper()
	if _, err := p.DB.Exec(q, args...); err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}

// talMakeMatchmaker gives the person the matchmaker role through grantRole (as administrator).
func talMakeMatchmaker(t *testing.T, admin, c *testutil.Client) {
	t.Helper()
	id, _ := talMe(t, c)
	var out struct {
		GrantRole struct {
			Person     *struct{ Roles []string }
			UserErrors []volUserError
		}
	}
	admin.MustData(t, `mutation($id: ID!) { grantRole(input: { personId: $id, role: MATCHMAKER }) { person { roles } userErrors { field code message } } }`,
		map[string]any{"id": id}, &out)
	if out.GrantRole.Person == nil || !slices.Contains(out.GrantRole.Person.Roles, "MATCHMAKER") {
		t.Fatalf("grantRole: %+v", out.GrantRole)
	}
}

// talOrganisation creates an organisation led by c, approved by admin when approve is set.
func talOrganisation(t *testing.T, admin, c *testutil.Client, kind, name string, approve bool) string {
	t.Helper()
	var out struct {
		CreateOrganisation struct {
			Organisation *struct{ ID string }
			UserErrors   []volUserError
		}
	}
	c.MustData(t, `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) { organisation { id } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"kind": kind, "name": name}}, &out)
	if out.CreateOrganisation.Organisation == nil {
		t.Fatalf("create organisation: %+v", out.CreateOrganisation.UserErrors)
	}
	id := out.CreateOrganisation.Organisation.ID
	if approve {
		var appr struct {
			ApproveOrganisation struct{ Organisation *struct{ Status string } }
		}
		admin.MustData(t, `mutation($id: ID!) { approveOrganisation(input: { organisationId: $id, approve: true }) { organisation { status } } }`,
			map[string]any{"id": id}, &appr)
		if appr.ApproveOrganisation.Organisation == nil || appr.ApproveOrganisation.Organisation.Status != "APPROVED" {
			t.Fatalf("approve: %+v", appr)
		}
	}
	return id
}

// talAttend lets each volunteer apply to the shift, the coordinator accept them, the shift
// end, and the coordinator confirm attendance with the given endorsements. It returns the
// application ids in the order of vols.
func talAttend(t *testing.T, p *testutil.Platform, coord *testutil.Client, needID, shiftID string, vols []*testutil.Client,
	endorse [][]string) []string {
	t.Helper()
	var ids []string
	for _, v := range vols {
		res := volApply(t, v, needID, shiftID, "")
		if res.Application == nil {
			t.Fatalf("apply: %+v", res.UserErrors)
		}
		if res.Application.Status != "ACCEPTED" {
			var acc struct{ AcceptApplication volApplicationPayload }
			coord.MustData(t, volAcceptMutation, map[string]any{"id": res.Application.ID}, &acc)
			if acc.AcceptApplication.Application == nil || acc.AcceptApplication.Application.Status != "ACCEPTED" {
				t.Fatalf("accept: %+v", acc.AcceptApplication)
			}
		}
		ids = append(ids, res.Application.ID)
	}
	shiftUUID, err := relay.FromID("Shift", shiftID)
	if err != nil {
		t.Fatalf("shift id: %v", err)
	}
	talExec(t, p, `UPDATE shifts SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' WHERE id = $1`, shiftUUID)
	var ends []map[string]any
	for i, keys := range endorse {
		if len(keys) == 0 {
			continue
		}
		var tids []string
		for _, k := range keys {
			tids = append(tids, talID("Talent", k))
		}
		ends = append(ends, map[string]any{"applicationId": ids[i], "talentIds": tids})
	}
	var out struct {
		ConfirmAttendance struct {
			Applications []struct{ ID, Status string }
			UserErrors   []volUserError
		}
	}
	coord.MustData(t, `mutation($in: ConfirmAttendanceInput!) { confirmAttendance(input: $in) { applications { id status } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"applicationIds": ids, "endorsements": ends}}, &out)
	if len(out.ConfirmAttendance.UserErrors) > 0 || len(out.ConfirmAttendance.Applications) != len(ids) {
		t.Fatalf("confirmAttendance: %+v", out.ConfirmAttendance)
	}
	return ids
}

// talSnapshot is everything stored about a person's talent profile, as text.
func talSnapshot(t *testing.T, p *testutil.Platform, personID string) string {
	t.Helper()
	var s string
	if err := p.DB.Get(&s, `SELECT
		coalesce((SELECT row_to_json(tp)::text FROM talent_profiles tp WHERE person_id = $1), '-') || ' | ' ||
		coalesce((SELECT json_agg(pt ORDER BY talent_key)::text FROM profile_talents pt WHERE person_id = $1), '-') || ' | ' ||
		coalesce((SELECT json_agg(pl ORDER BY code)::text FROM profile_languages pl WHERE person_id = $1), '-') || ' | ' ||
		(SELECT count(*) FROM consent_log WHERE person_id = $1)::text`, personID); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

func talTables(t *testing.T, p *testutil.Platform) []string {
	t.Helper()
	var out []string
	if err := p.DB.Select(&out, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
		AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version' ORDER BY table_name`); err != nil {
		t.Fatal(err)
	}
	return out
}

// talFingerprint hashes the content of every table.
func talFingerprint(t *testing.T, p *testutil.Platform) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range talTables(t, p) {
		var h string
		if err := p.DB.Get(&h, fmt.Sprintf(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM %q x`, tb)); err != nil {
			t.Fatal(err)
		}
		out[tb] = h
	}
	return out
}

// talFindEverywhere searches every text, varchar, JSON and array column of every table for
// the needles (case-insensitive) and returns "table.column: needle" for each hit.
func talFindEverywhere(t *testing.T, p *testutil.Platform, needles []string) []string {
	t.Helper()
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := p.DB.Select(&cols, `SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
		WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE' AND c.table_name <> 'goose_db_version'
		AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'tsvector', 'USER-DEFINED')
		ORDER BY 1, 2`); err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("only %d text columns: the schema query is wrong", len(cols))
	}
	var hits []string
	for _, c := range cols {
		var found []struct {
			Needle string `db:"needle"`
			Rows   int    `db:"rows"`
		}
		q := fmt.Sprintf(`SELECT n AS needle, (SELECT count(*) FROM %q x WHERE x.%q::text ILIKE '%%' || n || '%%') AS rows
			FROM unnest($1::text[]) n`, c.Table, c.Column)
		if err := p.DB.Select(&found, q, pq.StringArray(needles)); err != nil {
			t.Fatalf("search %s.%s: %v", c.Table, c.Column, err)
		}
		for _, f := range found {
			if f.Rows > 0 {
				hits = append(hits, fmt.Sprintf("%s.%s: %q (%d rows)", c.Table, c.Column, f.Needle, f.Rows))
			}
		}
	}
	return hits
}

func talDistanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

func talFieldNames(t *testing.T, c *testutil.Client, typeName string) []string {
	t.Helper()
	var out struct {
		Type *struct {
			Fields      []struct{ Name string }
			InputFields []struct{ Name string }
		} `json:"__type"`
	}
	c.MustData(t, `query($n: String!) { __type(name: $n) { fields { name } inputFields { name } } }`, map[string]any{"n": typeName}, &out)
	if out.Type == nil {
		t.Fatalf("type %s not in the schema", typeName)
	}
	var names []string
	for _, f := range out.Type.Fields {
		names = append(names, f.Name)
	}
	for _, f := range out.Type.InputFields {
		names = append(names, f.Name)
	}
	return names
}

// ---------------------------------------------------------------------------------------
// 1. updateTalentProfile

func TestTalentProfileRoundTripThroughMe(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	vol := p.Register(t, "anna@example.org", "Anna Peeters")
	personID := talPersonUUID(t, p, "anna@example.org")

	// Before anything is set: an empty, private profile.
	_, prof := talMe(t, vol)
	if prof == nil || prof.Visibility != "PRIVATE" || len(prof.Talents) != 0 || prof.Area != nil || prof.About != "" {
		t.Fatalf("profile before any update = %+v", prof)
	}

	exactLat, exactLon := 51.21734, 4.42102 // an exact address in Borgerhout
	in := map[string]any{
		"talents": []map[string]any{
			{"talentId": talID("Talent", "cooking"), "level": 3, "learned": []string{"WORK", "ABROAD"}},
			{"talentId": talID("Talent", "gardening"), "level": 1},
		},
		"languages": []map[string]any{{"code": "ar", "level": "NATIVE"}, {"code": "nl", "level": "A2"}},
		"availability": []map[string]any{
			{"weekday": "SATURDAY", "from": "09:00", "to": "12:00"},
			{"weekday": "WEDNESDAY", "from": "14:00", "to": "17:30"},
		},
		"area":        map[string]any{"latitude": exactLat, "longitude": exactLon},
		"radiusKm":    4.5,
		"districtIds": []string{talID("District", "borgerhout"), talID("District", "deurne")},
		"themeIds":    []string{talID("Theme", "food"), talID("Theme", "newcomers")},
		"lookingFor":  []string{"JOB", "LEARN"},
		"about":       "Ik kook graag voor grote groepen.",
	}
	got := talMustUpdate(t, vol, in)
	check := func(where string, pr *talProfile) {
		t.Helper()
		if pr == nil {
			t.Fatalf("%s: no profile", where)
		}
		if pr.DisplayName != "Anna Peeters" || pr.Visibility != "PRIVATE" || pr.About != "Ik kook graag voor grote groepen." {
			t.Errorf("%s: %s / %s / %q", where, pr.DisplayName, pr.Visibility, pr.About)
		}
		if len(pr.Talents) != 2 || pr.Talents[0].Talent.Key != "cooking" || pr.Talents[0].Level != 3 ||
			!slices.Equal(pr.Talents[0].Learned, []string{"WORK", "ABROAD"}) || pr.Talents[0].Verified ||
			pr.Talents[0].Talent.ID != talID("Talent", "cooking") || pr.Talents[1].Talent.Key != "gardening" || pr.Talents[1].Level != 1 {
			t.Errorf("%s: talents = %+v", where, pr.Talents)
		}
		if len(pr.Languages) != 2 || pr.Languages[0].Language.Code != "ar" || pr.Languages[0].Level != "NATIVE" ||
			pr.Languages[1].Language.Code != "nl" || pr.Languages[1].Level != "A2" {
			t.Errorf("%s: languages = %+v", where, pr.Languages)
		}
		if len(pr.Availability) != 2 || pr.Availability[0].Weekday != "SATURDAY" || pr.Availability[0].From != "09:00" ||
			pr.Availability[0].To != "12:00" || pr.Availability[1].Weekday != "WEDNESDAY" || pr.Availability[1].To != "17:30" {
			t.Errorf("%s: availability = %+v", where, pr.Availability)
		}
		if len(pr.Districts) != 2 || pr.Districts[0].Key != "borgerhout" || pr.Districts[1].Key != "deurne" {
			t.Errorf("%s: districts = %+v", where, pr.Districts)
		}
		if len(pr.Themes) != 2 || pr.Themes[0].Key != "food" || pr.Themes[1].Key != "newcomers" {
			t.Errorf("%s: themes = %+v", where, pr.Themes)
		}
		if !slices.Equal(pr.LookingFor, []string{"JOB", "LEARN"}) || pr.RadiusKm == nil || *pr.RadiusKm != 4.5 {
			t.Errorf("%s: lookingFor %v radius %v", where, pr.LookingFor, pr.RadiusKm)
		}
		wl, wo := talent.RoundPoint(exactLat, exactLon)
		if pr.Area == nil || pr.Area.Latitude != wl || pr.Area.Longitude != wo {
			t.Errorf("%s: area = %+v, want the rounded %v, %v", where, pr.Area, wl, wo)
		}
		if pr.UpdatedAt == nil || pr.ID != talID("TalentProfile", personID) {
			t.Errorf("%s: id %s updatedAt %v", where, pr.ID, pr.UpdatedAt)
		}
	}
	check("payload", got)
	_, me := talMe(t, vol)
	check("me", me)

	// The database holds the rounded area only.
	var row struct{ Lat, Lon float64 }
	if err := p.DB.Get(&row, `SELECT home_lat AS lat, home_lon AS lon FROM talent_profiles WHERE person_id = $1`, personID); err != nil {
		t.Fatal(err)
	}
	if row.Lat == exactLat || row.Lon == exactLon {
		t.Errorf("the database keeps the exact address: %v, %v", row.Lat, row.Lon)
	}
	if d := talDistanceM(exactLat, exactLon, row.Lat, row.Lon); d == 0 || d > 400 {
		t.Errorf("stored area is %.0f m from the address, want 0 < d <= 400", d)
	}

	// Fields left out stay as they are.
	got = talMustUpdate(t, vol, map[string]any{"about": "Nieuwe tekst"})
	if got.About != "Nieuwe tekst" || len(got.Talents) != 2 || len(got.Languages) != 2 || got.Area == nil || len(got.Districts) != 2 {
		t.Errorf("partial update changed other fields: %+v", got)
	}
	// A list replaces the whole list; an empty list empties it.
	got = talMustUpdate(t, vol, map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "baking"), "level": 4}},
		"themeIds": []string{}})
	if len(got.Talents) != 1 || got.Talents[0].Talent.Key != "baking" || len(got.Themes) != 0 || len(got.Languages) != 2 {
		t.Errorf("after replacing lists: talents %+v themes %+v", got.Talents, got.Themes)
	}
	// clearArea removes the area.
	got = talMustUpdate(t, vol, map[string]any{"clearArea": true})
	if got.Area != nil {
		t.Errorf("area after clearArea = %+v", got.Area)
	}
	var n int
	_ = p.DB.Get(&n, `SELECT count(*) FROM talent_profiles WHERE person_id = $1 AND home_lat IS NULL`, personID)
	if n != 1 {
		t.Error("clearArea left the area in the database")
	}

	// Anonymous callers are refused.
	volWantTopLevel(t, p.Client().Do(t, talUpdateMutation, map[string]any{"in": map[string]any{"about": "x"}}), "UNAUTHENTICATED")
}

func TestTalentProfileBadInputGivesUserErrorsAndWritesNothing(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	vol := p.Register(t, "bert@example.org", "Bert")
	fresh := p.Register(t, "fresh@example.org", "Fresh")
	talMustUpdate(t, vol, map[string]any{
		"talents":      []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 2}},
		"languages":    []map[string]any{{"code": "nl", "level": "C1"}},
		"availability": []map[string]any{{"weekday": "MONDAY", "from": "10:00", "to": "11:00"}},
		"area":         map[string]any{"latitude": 51.2, "longitude": 4.4}, "radiusKm": 2, "about": "Origineel",
	})
	people := map[*testutil.Client]string{vol: talPersonUUID(t, p, "bert@example.org"), fresh: talPersonUUID(t, p, "fresh@example.org")}
	en := volLocale(t, "en")

	tests := []struct {
		name  string
		in    map[string]any
		field []string
		code  string
		msg   string
	}{
		{"unknown talent", map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 2},
			{"talentId": talID("Talent", "rocket_science"), "level": 2}}},
			[]string{"input", "talents", "1", "talentId"}, "UNKNOWN_REFERENCE", en("unknown_talent")},
		{"talent id of another kind", map[string]any{"talents": []map[string]any{{"talentId": talID("Theme", "food"), "level": 2}}},
			[]string{"input", "talents", "0", "talentId"}, "INVALID", ""},
		{"level 0", map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 0}}},
			[]string{"input", "talents", "0", "level"}, "OUT_OF_RANGE", ""},
		{"level 5", map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 5}}},
			[]string{"input", "talents", "0", "level"}, "OUT_OF_RANGE", ""},
		{"unknown language", map[string]any{"languages": []map[string]any{{"code": "xx", "level": "B1"}}},
			[]string{"input", "languages", "0", "code"}, "UNKNOWN_REFERENCE", en("unknown_language")},
		{"availability to before from", map[string]any{"availability": []map[string]any{{"weekday": "TUESDAY", "from": "14:00", "to": "09:00"}}},
			[]string{"input", "availability", "0", "to"}, "INVALID", en("end_before_start")},
		{"availability not a time", map[string]any{"availability": []map[string]any{{"weekday": "TUESDAY", "from": "9 uur", "to": "10:00"}}},
			[]string{"input", "availability", "0"}, "INVALID", ""},
		{"radius 0", map[string]any{"radiusKm": 0}, []string{"input", "radiusKm"}, "OUT_OF_RANGE", ""},
		{"radius 1000", map[string]any{"radiusKm": 1000}, []string{"input", "radiusKm"}, "OUT_OF_RANGE", ""},
		{"latitude out of range", map[string]any{"area": map[string]any{"latitude": 91, "longitude": 4.4}},
			[]string{"input", "area"}, "OUT_OF_RANGE", en("invalid_coordinates")},
		{"longitude out of range", map[string]any{"area": map[string]any{"latitude": 51.2, "longitude": -200}},
			[]string{"input", "area"}, "OUT_OF_RANGE", en("invalid_coordinates")},
		{"about too long", map[string]any{"about": strings.Repeat("a", talent.MaxAbout+1)},
			[]string{"input", "about"}, "TOO_LONG", en("too_long", "Max", fmt.Sprint(talent.MaxAbout))},
		{"unknown district", map[string]any{"districtIds": []string{talID("District", "gent")}},
			[]string{"input", "districtIds"}, "UNKNOWN_REFERENCE", ""},
		{"unknown theme", map[string]any{"themeIds": []string{talID("Theme", "astrology")}},
			[]string{"input", "themeIds"}, "UNKNOWN_REFERENCE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for c, id := range people {
				before := talSnapshot(t, p, id)
				in := map[string]any{"about": "Gewijzigd", "lookingFor": []string{"JOB"}} // valid changes that must not be written either
				for k, v := range tt.in {
					in[k] = v
				}
				c.Language = "en"
				res := talUpdate(t, c, in)
				c.Language = ""
				if res.Profile != nil {
					t.Errorf("bad input returned a profile")
				}
				volWantUserError(t, res.UserErrors, tt.field, tt.code, tt.msg)
				for _, e := range res.UserErrors {
					if e.Message == "" || !strings.ContainsAny(e.Message, " ") {
						t.Errorf("user error %+v has no readable message", e)
					}
				}
				if after := talSnapshot(t, p, id); after != before {
					t.Errorf("bad input changed the database:\nbefore %s\nafter  %s", before, after)
				}
			}
		})
	}

	// A CEFR level that does not exist is refused by the schema (LanguageLevel enum), and nothing is written.
	for c, id := range people {
		before := talSnapshot(t, p, id)
		r := c.Do(t, talUpdateMutation, map[string]any{"in": map[string]any{"about": "Gewijzigd",
			"languages": []map[string]any{{"code": "fr", "level": "D1"}}}})
		if len(r.Errors) == 0 || r.Status >= 500 {
			t.Errorf("level D1: status %d errors %+v, want a validation error", r.Status, r.Errors)
		}
		if after := talSnapshot(t, p, id); after != before {
			t.Errorf("level D1 changed the database")
		}
	}
}

// ---------------------------------------------------------------------------------------
// 2. setProfileVisibility and consent

func TestTalentSetProfileVisibilityKeepsEveryConsentChange(t *testing.T) {
	t.Parallel()
	p, admin, coord, _ := volSetup(t)
	vol := p.Register(t, "carla@example.org", "Carla Claes")
	mm := p.Register(t, "mia@example.org", "Mia Matchmaker")
	talMakeMatchmaker(t, admin, mm)
	talMustUpdate(t, vol, map[string]any{"about": "Hallo", "area": map[string]any{"latitude": 51.2194, "longitude": 4.4025}, "radiusKm": 3})
	start := time.Now().Add(-time.Minute)

	seq := []string{"MATCHMAKERS", "ORGANISATIONS", "PRIVATE", "ORGANISATIONS"}
	for _, v := range seq {
		pr := talSetVisibility(t, vol, v)
		if pr.Visibility != v || pr.About != "Hallo" {
			t.Errorf("after %s: visibility %s about %q", v, pr.Visibility, pr.About)
		}
	}
	_, me := talMe(t, vol)
	if me.Visibility != "ORGANISATIONS" {
		t.Errorf("visibility = %s", me.Visibility)
	}
	if len(me.History) != len(seq) {
		t.Fatalf("consentHistory has %d changes, want %d: %+v", len(me.History), len(seq), me.History)
	}
	var prev time.Time
	for i, h := range me.History {
		at, err := time.Parse(time.RFC3339, h.At)
		if err != nil {
			t.Errorf("change %d: at %q: %v", i, h.At, err)
		}
		if h.Kind != "VISIBILITY" || h.Value != seq[i] || h.By == nil || h.By.DisplayName != "Carla Claes" {
			t.Errorf("change %d = %+v, want VISIBILITY %s by Carla Claes", i, h, seq[i])
		}
		if at.Before(start) || at.After(time.Now().Add(time.Minute)) || at.Before(prev) {
			t.Errorf("change %d at %s: not a plausible, ordered time", i, at)
		}
		prev = at
	}
	var n int
	if err := p.DB.Get(&n, `SELECT count(*) FROM consent_log WHERE person_id = $1 AND actor_id = person_id`,
		talPersonUUID(t, p, "carla@example.org")); err != nil || n != len(seq) {
		t.Errorf("consent_log has %d rows (%v), want %d", n, err, len(seq))
	}

	// Only the owner sees the consent history and the area.
	for name, c := range map[string]*testutil.Client{"matchmaker": mm, "organisation": coord} {
		conn, r := talSearch(t, c, nil, 10, nil)
		if conn == nil {
			t.Fatalf("%s search: %+v", name, r.Errors)
		}
		if len(conn.Edges) != 1 || conn.Edges[0].Node.DisplayName != "Carla Claes" {
			t.Fatalf("%s finds %+v", name, conn.Edges)
		}
		node := conn.Edges[0].Node
		if len(node.History) != 0 || node.Area != nil {
			t.Errorf("%s sees consentHistory %+v and area %+v", name, node.History, node.Area)
		}
		if node.About != "Hallo" {
			t.Errorf("%s sees about %q", name, node.About)
		}
	}

	// Refused changes are not kept.
	volWantTopLevel(t, p.Client().Do(t, talVisibilityMut, map[string]any{"v": "PRIVATE"}), "UNAUTHENTICATED")
	if r := vol.Do(t, talVisibilityMut, map[string]any{"v": "EVERYONE"}); len(r.Errors) == 0 {
		t.Error("visibility EVERYONE accepted")
	}
	_, me = talMe(t, vol)
	if len(me.History) != len(seq) {
		t.Errorf("refused changes were logged: %d changes", len(me.History))
	}
}

// ---------------------------------------------------------------------------------------
// 3. Search visibility matrix and contact details

type talMatrix struct {
	p                                      *testutil.Platform
	admin, coord, mm, pending, plain, anon *testutil.Client
	orgID                                  string
	owners                                 map[string]*testutil.Client // display name → client
}

// talSetupMatrix makes profiles Pia (PRIVATE), Piet (never chose: PRIVATE), Mats (MATCHMAKERS)
// and Olga (ORGANISATIONS), all with the same talents, and viewers of each role.
func talSetupMatrix(t *testing.T) *talMatrix {
	t.Helper()
	p, admin, coord, orgID := volSetup(t)
	m := &talMatrix{p: p, admin: admin, coord: coord, orgID: orgID, owners: map[string]*testutil.Client{}}
	m.mm = p.Register(t, "mm@example.org", "Matchmaker Mo")
	talMakeMatchmaker(t, admin, m.mm)
	m.pending = p.Register(t, "pending@example.org", "Pending Paul")
	talOrganisation(t, admin, m.pending, "NON_PROFIT", "Wachtende vzw", false)
	m.plain = p.Register(t, "plain@example.org", "Plain Pim")
	m.anon = p.Client()
	for _, o := range []struct{ name, email, vis string }{
		{"Pia Privé", "pia@example.org", "PRIVATE"}, {"Piet Nooitgekozen", "piet@example.org", ""},
		{"Mats Matchmakers", "mats@example.org", "MATCHMAKERS"}, {"Olga Organisaties", "olga@example.org", "ORGANISATIONS"},
	} {
		c := p.Register(t, o.email, o.name)
		var up struct {
			UpdateMe struct{ UserErrors []volUserError }
		}
		c.MustData(t, talUpdateMeMutation, map[string]any{"in": map[string]any{"phone": "+32 470 11 22 " + fmt.Sprint(10+len(m.owners))}}, &up)
		if len(up.UpdateMe.UserErrors) > 0 {
			t.Fatalf("updateMe phone: %+v", up.UpdateMe.UserErrors)
		}
		talMustUpdate(t, c, map[string]any{
			"talents":      []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 4}},
			"languages":    []map[string]any{{"code": "nl", "level": "NATIVE"}},
			"districtIds":  []string{talID("District", "deurne")},
			"area":         map[string]any{"latitude": 51.2192, "longitude": 4.4683},
			"themeIds":     []string{talID("Theme", "food")},
			"availability": []map[string]any{{"weekday": "SATURDAY", "from": "09:00", "to": "12:00"}},
			"lookingFor":   []string{"JOB"},
		})
		if o.vis != "" {
			talSetVisibility(t, c, o.vis)
		}
		m.owners[o.name] = c
	}
	return m
}

func TestTalentSearchVisibilityMatrix(t *testing.T) {
	t.Parallel()
	m := talSetupMatrix(t)
	filters := map[string]map[string]any{
		"no filter": nil,
		"every filter the profiles match": {
			"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "minLevel": 4}}, "languages": []string{"nl"},
			"districtIds": []string{talID("District", "deurne")}, "themeIds": []string{talID("Theme", "food")}, "lookingForJob": true,
			"near": map[string]any{"point": map[string]any{"latitude": 51.2192, "longitude": 4.4683}, "radiusKm": 1},
		},
		"talent only": {"talents": []map[string]any{{"talentId": talID("Talent", "cooking")}}},
	}
	viewers := []struct {
		name string
		c    *testutil.Client
		want string
	}{
		{"matchmaker", m.mm, "Mats Matchmakers,Olga Organisaties"},
		{"member of an approved organisation", m.coord, "Olga Organisaties"},
		{"member of a pending organisation", m.pending, "ERROR FORBIDDEN"},
		{"plain volunteer", m.plain, "ERROR FORBIDDEN"},
		{"anonymous", m.anon, "ERROR UNAUTHENTICATED"},
		// The owners themselves are plain volunteers: not even their own profile is searchable for them.
		{"owner of a private profile", m.owners["Pia Privé"], "ERROR FORBIDDEN"},
	}
	for fname, f := range filters {
		for _, v := range viewers {
			if got := talNames(t, v.c, f); got != v.want {
				t.Errorf("%s, %s: got %q, want %q", v.name, fname, got, v.want)
			}
		}
	}

	// No search result carries contact details: the raw responses hold no email or phone of anybody.
	for _, v := range []*testutil.Client{m.mm, m.coord} {
		r := v.Do(t, talSearchQuery, map[string]any{"first": 50})
		if len(r.Errors) > 0 {
			t.Fatalf("search: %+v", r.Errors)
		}
		raw := string(r.Data)
		for _, leak := range []string{"@example.org", "+32 470", "470 11 22", "51.2192", "4.4683"} {
			if strings.Contains(raw, leak) {
				t.Errorf("a search result contains %q: %s", leak, raw)
			}
		}
	}
	// And the schema has no contact field on a talent profile.
	fields := talFieldNames(t, m.mm, "TalentProfile")
	for _, f := range fields {
		if f == "personId" { // an opaque ID to propose the person with; it opens no contact details
			continue
		}
		lf := strings.ToLower(f)
		for _, bad := range []string{"email", "phone", "contact", "address", "street", "birth", "person"} {
			if strings.Contains(lf, bad) {
				t.Errorf("TalentProfile has the field %q", f)
			}
		}
	}
	if !slices.Contains(fields, "displayName") || !slices.Contains(fields, "area") {
		t.Errorf("TalentProfile fields = %v", fields)
	}

	// Changing one's mind works at once: Olga goes private, Pia opens up to organisations.
	talSetVisibility(t, m.owners["Olga Organisaties"], "PRIVATE")
	talSetVisibility(t, m.owners["Pia Privé"], "ORGANISATIONS")
	if got := talNames(t, m.coord, nil); got != "Pia Privé" {
		t.Errorf("organisation after the changes: %q", got)
	}
	if got := talNames(t, m.mm, nil); got != "Mats Matchmakers,Pia Privé" {
		t.Errorf("matchmaker after the changes: %q", got)
	}

	// If the API offers a candidate list for a need, private profiles are never on it either.
	for _, f := range talFieldNames(t, m.mm, "Query") {
		if f != "candidatesForNeed" {
			continue
		}
		// A need that fits every profile: cooking, food, Deurne, a Saturday morning.
		brussels, err := time.LoadLocation("Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		sat := time.Now().In(brussels).AddDate(0, 0, 2)
		for sat.Weekday() != time.Saturday {
			sat = sat.AddDate(0, 0, 1)
		}
		start := time.Date(sat.Year(), sat.Month(), sat.Day(), 10, 0, 0, 0, brussels)
		n, ues := volCreateNeed(t, m.coord, map[string]any{"organisationId": m.orgID, "title": "Koken voor de buurt", "schedule": "ONE_OFF",
			"talents":  []map[string]any{{"talentId": talID("Talent", "cooking"), "minLevel": 1}},
			"themeIds": []string{talID("Theme", "food")}, "languages": []string{"nl"}, "districtId": talID("District", "deurne"),
			"location": map[string]any{"latitude": 51.2192, "longitude": 4.4683},
			"shifts":   []map[string]any{{"startsAt": volTime(start), "endsAt": volTime(start.Add(time.Hour)), "places": 5}}})
		if n == nil {
			t.Fatalf("create need: %+v", ues)
		}
		m.coord.MustData(t, volPublishMutation, map[string]any{"id": n.ID}, nil)
		needID := n.ID
		for _, v := range []struct {
			c       *testutil.Client
			allowed []string
		}{{m.coord, []string{"ORGANISATIONS"}}, {m.mm, []string{"MATCHMAKERS", "ORGANISATIONS"}}} {
			var out struct {
				CandidatesForNeed []struct {
					Profile struct{ DisplayName, Visibility string }
				}
			}
			v.c.MustData(t, `query($id: ID!) { candidatesForNeed(needId: $id, first: 50) { profile { displayName visibility } } }`,
				map[string]any{"id": needID}, &out)
			var names []string
			for _, cm := range out.CandidatesForNeed {
				names = append(names, cm.Profile.DisplayName)
				if !slices.Contains(v.allowed, cm.Profile.Visibility) {
					t.Errorf("candidatesForNeed shows %s (visibility %s) to a viewer allowed %v", cm.Profile.DisplayName,
						cm.Profile.Visibility, v.allowed)
				}
			}
			// Olga and Piet are private now; Mats is open to matchmakers only.
			for _, name := range []string{"Olga Organisaties", "Piet Nooitgekozen"} {
				if slices.Contains(names, name) {
					t.Errorf("candidatesForNeed lists the private profile of %s", name)
				}
			}
			if v.c == m.coord && slices.Contains(names, "Mats Matchmakers") {
				t.Error("candidatesForNeed shows an organisation a profile open to matchmakers only")
			}
			// Control: the check is not vacuous.
			if !slices.Contains(names, "Pia Privé") {
				t.Errorf("candidatesForNeed = %v, want at least Pia (open to organisations, fits the need)", names)
			}
		}
	}
}

// Staff of a merchant (a shop that accepts coins) are not an organisation that people open
// their profile to: "organisations" means the volunteering organisations (coordinators).
func TestTalentMerchantStaffCannotSearchTheTalentBank(t *testing.T) {
	t.Parallel()
	m := talSetupMatrix(t)
	shop := m.p.Register(t, "bakker@example.org", "Bakker Bart")
	talOrganisation(t, m.admin, shop, "MERCHANT", "Bakkerij Het Krentenbroodje", true)
	var me struct{ Me struct{ Roles []string } }
	shop.MustData(t, `{ me { roles } }`, nil, &me)
	if slices.Contains(me.Me.Roles, "COORDINATOR") || !slices.Contains(me.Me.Roles, "MERCHANT") {
		t.Fatalf("roles of merchant staff = %v", me.Me.Roles)
	}
	if got := talNames(t, shop, nil); got != "ERROR FORBIDDEN" {
		t.Errorf("merchant staff search the talent bank: got %q, want FORBIDDEN", got)
	}
}

func TestTalentContactDetailsNeverLeakBeforeAcceptance(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	vera := p.Register(t, "vera@example.org", "Vera Vrijwilliger")
	var up struct {
		UpdateMe struct{ UserErrors []volUserError }
	}
	vera.MustData(t, talUpdateMeMutation, map[string]any{"in": map[string]any{"phone": "+32 470 12 34 56"}}, &up)
	if len(up.UpdateMe.UserErrors) > 0 {
		t.Fatalf("updateMe: %+v", up.UpdateMe.UserErrors)
	}
	talMustUpdate(t, vera, map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 3}}})
	talSetVisibility(t, vera, "ORGANISATIONS")
	other := p.Register(t, "other@example.org", "Other Coordinator")
	talOrganisation(t, admin, other, "NON_PROFIT", "Andere vzw", true)

	// Both organisations find Vera in the talent bank: by name only.
	for _, c := range []*testutil.Client{coord, other} {
		if got := talNames(t, c, nil); got != "Vera Vrijwilliger" {
			t.Fatalf("organisation finds %q", got)
		}
	}

	needID, shiftID := volPublishedNeed(t, coord, orgID, "Soep koken", 3, false)
	res := volApply(t, vera, needID, shiftID, "Graag!")
	if res.Application == nil || res.Application.Status != "PENDING" {
		t.Fatalf("apply: %+v", res)
	}
	contact := func(c *testutil.Client) (email, phone *string) {
		t.Helper()
		var out struct {
			Need *struct {
				Applications struct {
					Edges []struct {
						Node struct {
							Person struct{ Email, Phone *string }
						}
					}
				}
			}
		}
		c.MustData(t, `query($id: ID!) { need(id: $id) { applications { edges { node { person { email phone } } } } } }`,
			map[string]any{"id": needID}, &out)
		if out.Need == nil || len(out.Need.Applications.Edges) == 0 {
			return nil, nil
		}
		pe := out.Need.Applications.Edges[0].Node.Person
		return pe.Email, pe.Phone
	}
	notified := func(c *testutil.Client) string {
		t.Helper()
		r := c.Do(t, `{ notifications(first: 50) { edges { node { kind application { person { displayName email phone } } } } } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("notifications: %+v", r.Errors)
		}
		return string(r.Data)
	}
	if e, ph := contact(coord); e != nil || ph != nil {
		t.Errorf("before acceptance the coordinator sees email %v phone %v", e, ph)
	}
	if raw := notified(coord); !strings.Contains(raw, "Vera Vrijwilliger") || strings.Contains(raw, "vera@example.org") ||
		strings.Contains(raw, "470 12 34 56") {
		t.Errorf("the APPLICATION_RECEIVED notification leaks contact details: %s", raw)
	}

	var acc struct{ AcceptApplication volApplicationPayload }
	coord.MustData(t, volAcceptMutation, map[string]any{"id": res.Application.ID}, &acc)
	if acc.AcceptApplication.Application == nil || acc.AcceptApplication.Application.Status != "ACCEPTED" {
		t.Fatalf("accept: %+v", acc.AcceptApplication)
	}
	if e, ph := contact(coord); e == nil || *e != "vera@example.org" || ph == nil || *ph != "+32 470 12 34 56" {
		t.Errorf("after acceptance the coordinator sees email %v phone %v, want both", e, ph)
	}
	// The other organisation still sees no contact details anywhere.
	if e, ph := contact(other); e != nil || ph != nil {
		t.Errorf("another organisation sees email %v phone %v", e, ph)
	}
	if conn, r := talSearch(t, other, nil, 10, nil); conn == nil || strings.Contains(string(r.Data), "vera@example.org") {
		t.Errorf("another organisation's search: %s", r.Data)
	}
}

// ---------------------------------------------------------------------------------------
// 4. Filters and paging through GraphQL

func TestTalentSearchFiltersAndPagingThroughGraphQL(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	mm := p.Register(t, "mm@example.org", "Matchmaker Mo")
	talMakeMatchmaker(t, admin, mm)
	type spec struct {
		name string
		in   map[string]any
	}
	specs := []spec{
		{"Anna", map[string]any{
			"talents":     []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 3}, {"talentId": talID("Talent", "gardening"), "level": 1}},
			"languages":   []map[string]any{{"code": "ar", "level": "B2"}},
			"districtIds": []string{talID("District", "borgerhout")}, "area": map[string]any{"latitude": 51.2117, "longitude": 4.4406},
			"themeIds":     []string{talID("Theme", "food")},
			"availability": []map[string]any{{"weekday": "SATURDAY", "from": "09:00", "to": "12:00"}}, "lookingFor": []string{"JOB"}}},
		{"Bram", map[string]any{
			"talents":     []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 2}},
			"languages":   []map[string]any{{"code": "fr", "level": "C1"}},
			"districtIds": []string{talID("District", "hoboken")}, "area": map[string]any{"latitude": 51.1751, "longitude": 4.3484},
			"themeIds":     []string{talID("Theme", "youth")},
			"availability": []map[string]any{{"weekday": "MONDAY", "from": "18:00", "to": "20:00"}}, "lookingFor": []string{"MEET_PEOPLE"}}},
		{"Chloé", map[string]any{
			"talents":      []map[string]any{{"talentId": talID("Talent", "gardening"), "level": 4}},
			"languages":    []map[string]any{{"code": "en", "level": "B1"}, {"code": "ar", "level": "A1"}},
			"districtIds":  []string{talID("District", "borgerhout"), talID("District", "merksem")},
			"themeIds":     []string{talID("Theme", "environment")},
			"availability": []map[string]any{{"weekday": "WEDNESDAY", "from": "13:00", "to": "17:00"}}, "lookingFor": []string{"JOB", "LEARN"}}},
		{"Dirk", map[string]any{
			"talents":     []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 4}},
			"languages":   []map[string]any{{"code": "nl", "level": "NATIVE"}},
			"districtIds": []string{talID("District", "deurne")}, "area": map[string]any{"latitude": 51.2192, "longitude": 4.4683},
			"themeIds":     []string{talID("Theme", "food")},
			"availability": []map[string]any{{"weekday": "SATURDAY", "from": "14:00", "to": "16:00"}}, "lookingFor": []string{"GIVE_BACK"}}},
		{"Eva", map[string]any{"talents": []map[string]any{{"talentId": talID("Talent", "welding"), "level": 1}}}},
	}
	clients := map[string]*testutil.Client{}
	for _, s := range specs {
		c := p.Register(t, strings.ToLower(strings.ReplaceAll(s.name, "é", "e"))+"@example.org", s.name)
		talMustUpdate(t, c, s.in)
		talSetVisibility(t, c, "ORGANISATIONS")
		clients[s.name] = c
	}
	// Anna (cooking) and Chloé (gardening) get endorsed after confirmed work; Dirk attended without an endorsement.
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Buurtrestaurant", 5, false)
	talAttend(t, p, coord, needID, shiftID, []*testutil.Client{clients["Anna"], clients["Chloé"], clients["Dirk"]},
		[][]string{{"cooking"}, {"gardening"}, nil})

	tl := func(key string, min int) map[string]any {
		return map[string]any{"talentId": talID("Talent", key), "minLevel": min}
	}
	near := func(lat, lon, km float64) map[string]any {
		return map[string]any{"point": map[string]any{"latitude": lat, "longitude": lon}, "radiusKm": km}
	}
	tests := []struct {
		name   string
		filter map[string]any
		want   string
	}{
		{"none", nil, "Anna,Bram,Chloé,Dirk,Eva"},
		{"talent, any level", map[string]any{"talents": []any{tl("cooking", 1)}}, "Anna,Bram,Dirk"},
		{"talent, level 3 excludes level 2", map[string]any{"talents": []any{tl("cooking", 3)}}, "Anna,Dirk"},
		{"talent, level 4", map[string]any{"talents": []any{tl("cooking", 4)}}, "Dirk"},
		{"two talents, all of them", map[string]any{"talents": []any{tl("cooking", 1), tl("gardening", 1)}}, "Anna"},
		{"languages, any of them", map[string]any{"languages": []string{"ar", "nl"}}, "Anna,Chloé,Dirk"},
		{"districts", map[string]any{"districtIds": []string{talID("District", "borgerhout")}}, "Anna,Chloé"},
		{"districts, any of them", map[string]any{"districtIds": []string{talID("District", "merksem"), talID("District", "hoboken")}}, "Bram,Chloé"},
		{"near Borgerhout, 3 km", map[string]any{"near": near(51.2117, 4.4406, 3)}, "Anna,Dirk"},
		{"near Borgerhout, 1 km", map[string]any{"near": near(51.2117, 4.4406, 1)}, "Anna"},
		{"near Borgerhout, 10 km", map[string]any{"near": near(51.2117, 4.4406, 10)}, "Anna,Bram,Dirk"},
		{"themes", map[string]any{"themeIds": []string{talID("Theme", "food")}}, "Anna,Dirk"},
		{"available on Saturday", map[string]any{"availableOn": []string{"SATURDAY"}}, "Anna,Dirk"},
		{"available on Monday or Wednesday", map[string]any{"availableOn": []string{"MONDAY", "WEDNESDAY"}}, "Bram,Chloé"},
		{"looking for a job", map[string]any{"lookingForJob": true}, "Anna,Chloé"},
		{"lookingForJob false does not filter", map[string]any{"lookingForJob": false}, "Anna,Bram,Chloé,Dirk,Eva"},
		{"verified only", map[string]any{"verifiedOnly": true}, "Anna,Chloé"},
		{"verified in the asked talent", map[string]any{"verifiedOnly": true, "talents": []any{tl("cooking", 1)}}, "Anna"},
		{"combined: talent + language + district + job", map[string]any{"talents": []any{tl("cooking", 2)}, "languages": []string{"ar"},
			"districtIds": []string{talID("District", "borgerhout")}, "lookingForJob": true}, "Anna"},
		{"combined: near + theme + verified", map[string]any{"near": near(51.2117, 4.4406, 3), "themeIds": []string{talID("Theme", "food")},
			"verifiedOnly": true}, "Anna"},
		{"combined: day + language", map[string]any{"availableOn": []string{"SATURDAY"}, "languages": []string{"nl"}}, "Dirk"},
		{"combined with no result", map[string]any{"talents": []any{tl("gardening", 4)}, "themeIds": []string{talID("Theme", "food")}}, ""},
	}
	for _, tt := range tests {
		if got := talNames(t, mm, tt.filter); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	// A malformed id in the filter finds nothing rather than everything.
	if got := talNames(t, mm, map[string]any{"districtIds": []string{"nonsense"}}); got != "" {
		t.Errorf("malformed district id: got %q, want nothing", got)
	}

	// Paging with first: 2 neither skips nor repeats, also with a filter.
	for _, f := range []map[string]any{nil, {"languages": []string{"ar", "nl", "fr"}}} {
		all, r := talSearch(t, mm, f, 100, nil)
		if all == nil {
			t.Fatalf("search: %+v", r.Errors)
		}
		var want, got []string
		for _, e := range all.Edges {
			want = append(want, e.Node.DisplayName)
		}
		var after *string
		for page := 0; ; page++ {
			conn, r := talSearch(t, mm, f, 2, after)
			if conn == nil {
				t.Fatalf("page %d: %+v", page, r.Errors)
			}
			if len(conn.Edges) > 2 || conn.TotalCount != len(want) || conn.PageInfo.HasPreviousPage != (after != nil) {
				t.Errorf("page %d: %d edges, totalCount %d, pageInfo %+v", page, len(conn.Edges), conn.TotalCount, conn.PageInfo)
			}
			for _, e := range conn.Edges {
				got = append(got, e.Node.DisplayName)
			}
			if !conn.PageInfo.HasNextPage {
				break
			}
			if page > 10 || conn.PageInfo.EndCursor == nil || *conn.PageInfo.EndCursor != conn.Edges[len(conn.Edges)-1].Cursor {
				t.Fatalf("page %d: bad pageInfo %+v", page, conn.PageInfo)
			}
			after = conn.PageInfo.EndCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("filter %v: paged %v, want %v", f, got, want)
		}
	}
	// A forged cursor is refused, not an internal error.
	bad := "not-a-cursor"
	if _, r := talSearch(t, mm, nil, 2, &bad); len(r.Errors) == 0 || r.Status >= 500 || r.ErrorCode() == "INTERNAL_SERVER_ERROR" {
		t.Errorf("forged cursor: status %d errors %+v", r.Status, r.Errors)
	}
}

// ---------------------------------------------------------------------------------------
// 5. Endorsements

func TestTalentEndorsementsAreVerifiedAndOnlyTheOwnerCanHideThem(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	mm := p.Register(t, "mm@example.org", "Matchmaker Mo")
	talMakeMatchmaker(t, admin, mm)
	vera := p.Register(t, "vera@example.org", "Vera Vrijwilliger")
	stranger := p.Register(t, "stranger@example.org", "Stranger")
	talMustUpdate(t, vera, map[string]any{"talents": []map[string]any{
		{"talentId": talID("Talent", "cooking"), "level": 3}, {"talentId": talID("Talent", "gardening"), "level": 2}}})
	talSetVisibility(t, vera, "ORGANISATIONS")
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Soep koken in Deurne", 3, true)
	before := time.Now().Add(-time.Minute)
	talAttend(t, p, coord, needID, shiftID, []*testutil.Client{vera}, [][]string{{"cooking"}})

	verified := func(pr *talProfile) map[string]bool {
		out := map[string]bool{}
		for _, tl := range pr.Talents {
			out[tl.Talent.Key] = tl.Verified
		}
		return out
	}
	othersView := func(c *testutil.Client) *talProfile {
		t.Helper()
		conn, r := talSearch(t, c, nil, 10, nil)
		if conn == nil || len(conn.Edges) != 1 {
			t.Fatalf("search: %+v %s", r.Errors, r.Data)
		}
		return &conn.Edges[0].Node
	}

	_, own := talMe(t, vera)
	if len(own.Endorsements) != 1 {
		t.Fatalf("endorsements = %+v", own.Endorsements)
	}
	e := own.Endorsements[0]
	at, _ := time.Parse(time.RFC3339, e.EndorsedAt)
	if e.Talent.Key != "cooking" || e.Organisation.ID != orgID || e.Organisation.Name != "Buurthuis De Kroon" ||
		e.Need.ID != needID || e.Need.Title != "Soep koken in Deurne" || e.Hidden || at.Before(before) {
		t.Errorf("endorsement = %+v", e)
	}
	if v := verified(own); !v["cooking"] || v["gardening"] {
		t.Errorf("verified = %v, want cooking only", v)
	}
	for _, c := range []*testutil.Client{mm, coord} {
		pr := othersView(c)
		if len(pr.Endorsements) != 1 || pr.Endorsements[0].Organisation.Name != "Buurthuis De Kroon" || !verified(pr)["cooking"] {
			t.Errorf("others' view before hiding: %+v", pr.Endorsements)
		}
	}

	// Nobody else can hide it: not the endorsing coordinator, not a matchmaker, not a stranger.
	for name, c := range map[string]*testutil.Client{"coordinator": coord, "matchmaker": mm, "stranger": stranger, "admin": admin} {
		var out struct {
			HideEndorsement struct {
				Endorsement *struct{ Hidden bool }
				UserErrors  []volUserError
			}
		}
		c.MustData(t, talHideMutation, map[string]any{"id": e.ID, "h": true}, &out)
		if out.HideEndorsement.Endorsement != nil {
			t.Errorf("%s hid the endorsement", name)
		}
		volWantUserError(t, out.HideEndorsement.UserErrors, []string{"input", "endorsementId"}, "NOT_FOUND", "")
	}
	var hidden bool
	_ = p.DB.Get(&hidden, `SELECT hidden FROM endorsements`)
	if hidden {
		t.Fatal("someone else's hideEndorsement changed the database")
	}
	volWantTopLevel(t, p.Client().Do(t, talHideMutation, map[string]any{"id": e.ID, "h": true}), "UNAUTHENTICATED")

	// The owner hides it: others no longer see it (nor a verified talent); the owner still does.
	var out struct {
		HideEndorsement struct {
			Endorsement *struct {
				ID     string
				Hidden bool
			}
			UserErrors []volUserError
		}
	}
	vera.MustData(t, talHideMutation, map[string]any{"id": e.ID}, &out) // hidden defaults to true
	if out.HideEndorsement.Endorsement == nil || !out.HideEndorsement.Endorsement.Hidden || len(out.HideEndorsement.UserErrors) > 0 {
		t.Fatalf("hide: %+v", out.HideEndorsement)
	}
	for _, c := range []*testutil.Client{mm, coord} {
		pr := othersView(c)
		if len(pr.Endorsements) != 0 || verified(pr)["cooking"] {
			t.Errorf("others still see the hidden endorsement: %+v verified %v", pr.Endorsements, verified(pr))
		}
	}
	if got := talNames(t, mm, map[string]any{"verifiedOnly": true}); got != "" {
		t.Errorf("verifiedOnly still finds %q after hiding", got)
	}
	_, own = talMe(t, vera)
	if len(own.Endorsements) != 1 || !own.Endorsements[0].Hidden {
		t.Errorf("owner's view after hiding: %+v", own.Endorsements)
	}

	// Showing it again.
	vera.MustData(t, talHideMutation, map[string]any{"id": e.ID, "h": false}, &out)
	if out.HideEndorsement.Endorsement == nil || out.HideEndorsement.Endorsement.Hidden {
		t.Fatalf("unhide: %+v", out.HideEndorsement)
	}
	if pr := othersView(mm); len(pr.Endorsements) != 1 {
		t.Errorf("after showing again: %+v", pr.Endorsements)
	}

	// Nobody can edit an endorsement: the only mutation about endorsements is hideEndorsement,
	// and its input has nothing but the id and the hidden flag.
	var muts []string
	for _, f := range talFieldNames(t, vera, "Mutation") {
		if strings.Contains(strings.ToLower(f), "endorse") {
			muts = append(muts, f)
		}
	}
	if !slices.Equal(muts, []string{"hideEndorsement"}) {
		t.Errorf("mutations about endorsements = %v, want [hideEndorsement]", muts)
	}
	in := talFieldNames(t, vera, "HideEndorsementInput")
	slices.Sort(in)
	if !slices.Equal(in, []string{"endorsementId", "hidden"}) {
		t.Errorf("HideEndorsementInput fields = %v", in)
	}
	var row struct {
		Talent, Org, Need string
	}
	if err := p.DB.Get(&row, `SELECT talent_key AS talent, organisation_id::text AS org, need_id::text AS need FROM endorsements`); err != nil {
		t.Fatal(err)
	}
	if row.Talent != "cooking" {
		t.Errorf("endorsement changed: %+v", row)
	}
}

// ---------------------------------------------------------------------------------------
// 6 and 7. Export and delete

// talRich is a volunteer with data in every table that can hold data about a person.
type talRich struct {
	p                *testutil.Platform
	admin, coord, mm *testutil.Client
	vera, omar       *testutil.Client
	orgID, needID    string
	appID, omarAppID string
	veraID           string
}

const (
	talVeraEmail   = "vera.verstraeten@example.org"
	talVeraName    = "Vera Verstraeten"
	talVeraPhone   = "+32 470 98 76 54"
	talVeraAbout   = "Ik speel graag accordeon en kook pompoensoep."
	talVeraMessage = "Ik breng mijn eigen schort mee"
	talVeraThanks  = "Dankjewel voor de heerlijke linzensoep!"
	talOmarMessage = "Ik neem geheimebanaan mee"
)

func talSetupRich(t *testing.T) *talRich {
	t.Helper()
	p, admin, coord, orgID := volSetup(t)
	w := &talRich{p: p, admin: admin, coord: coord, orgID: orgID}
	w.mm = p.Register(t, "mm@example.org", "Matchmaker Mo")
	talMakeMatchmaker(t, admin, w.mm)
	w.vera = p.Register(t, talVeraEmail, talVeraName)
	w.veraID = talPersonUUID(t, p, talVeraEmail)
	w.omar = p.Register(t, "omar@example.org", "Omar Andere")
	var up struct {
		UpdateMe struct{ UserErrors []volUserError }
	}
	w.vera.MustData(t, talUpdateMeMutation, map[string]any{"in": map[string]any{"phone": talVeraPhone,
		"birthDate": "1991-04-05", "districtId": talID("District", "deurne")}}, &up)
	if len(up.UpdateMe.UserErrors) > 0 {
		t.Fatalf("updateMe: %+v", up.UpdateMe.UserErrors)
	}
	talMustUpdate(t, w.vera, map[string]any{
		"talents":      []map[string]any{{"talentId": talID("Talent", "cooking"), "level": 3, "learned": []string{"WORK"}}},
		"languages":    []map[string]any{{"code": "nl", "level": "NATIVE"}, {"code": "fr", "level": "B1"}},
		"availability": []map[string]any{{"weekday": "SATURDAY", "from": "09:00", "to": "12:00"}},
		"area":         map[string]any{"latitude": 51.21734, "longitude": 4.42102}, "radiusKm": 3,
		"districtIds": []string{talID("District", "deurne")}, "themeIds": []string{talID("Theme", "food")},
		"lookingFor": []string{"JOB"}, "about": talVeraAbout,
	})
	talSetVisibility(t, w.vera, "MATCHMAKERS")
	talSetVisibility(t, w.vera, "ORGANISATIONS")
	talMustUpdate(t, w.omar, map[string]any{"about": "Omar zijn eigen tekst"})

	needID, shiftID := volPublishedNeed(t, coord, orgID, "Soepbar", 5, false)
	w.needID = needID
	// Omar applies too (his data must not end up in Vera's export, nor be erased with her account).
	if res := volApply(t, w.omar, needID, shiftID, talOmarMessage); res.Application == nil {
		t.Fatalf("omar apply: %+v", res.UserErrors)
	} else {
		w.omarAppID = res.Application.ID
	}
	res := volApply(t, w.vera, needID, shiftID, talVeraMessage)
	if res.Application == nil {
		t.Fatalf("vera apply: %+v", res.UserErrors)
	}
	w.appID = res.Application.ID
	var acc struct{ AcceptApplication volApplicationPayload }
	coord.MustData(t, volAcceptMutation, map[string]any{"id": w.appID}, &acc)
	if acc.AcceptApplication.Application == nil {
		t.Fatalf("accept: %+v", acc.AcceptApplication)
	}
	shiftUUID, _ := relay.FromID("Shift", shiftID)
	talExec(t, p, `UPDATE shifts SET starts_at = now() - interval '3 hours', ends_at = now() - interval '30 minutes' WHERE id = $1`, shiftUUID)
	var conf struct {
		ConfirmAttendance struct{ UserErrors []volUserError }
	}
	coord.MustData(t, `mutation($in: ConfirmAttendanceInput!) { confirmAttendance(input: $in) { userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"applicationIds": []string{w.appID},
			"endorsements": []map[string]any{{"applicationId": w.appID, "talentIds": []string{talID("Talent", "cooking")}}}}}, &conf)
	if len(conf.ConfirmAttendance.UserErrors) > 0 {
		t.Fatalf("confirmAttendance: %+v", conf.ConfirmAttendance.UserErrors)
	}
	var thank struct {
		ThankVolunteer struct {
			Sent       bool
			UserErrors []volUserError
		}
	}
	coord.MustData(t, `mutation($id: ID!, $m: String!) { thankVolunteer(input: { applicationId: $id, message: $m }) { sent userErrors { field code message } } }`,
		map[string]any{"id": w.appID, "m": talVeraThanks}, &thank)
	if !thank.ThankVolunteer.Sent {
		t.Fatalf("thank: %+v", thank.ThankVolunteer)
	}
	var feed struct{ CalendarFeed struct{ URL *string } }
	w.vera.MustData(t, `mutation { calendarFeed { url } }`, nil, &feed)
	if feed.CalendarFeed.URL == nil {
		t.Fatal("no calendar feed")
	}
	return w
}

func TestTalentExportMyDataHoldsEverything(t *testing.T) {
	t.Parallel()
	w := talSetupRich(t)
	var out struct {
		ExportMyData struct {
			JSON          *string
			PortfolioHTML *string `json:"portfolioHtml"`
			UserErrors    []volUserError
		}
	}
	w.vera.MustData(t, talExportMutation, nil, &out)
	if out.ExportMyData.JSON == nil || out.ExportMyData.PortfolioHTML == nil || len(out.ExportMyData.UserErrors) > 0 {
		t.Fatalf("exportMyData: %+v", out.ExportMyData)
	}
	raw := *out.ExportMyData.JSON
	var data map[string]any
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	// Every kind of data of privacy.exportQueries.
	for _, k := range []string{"person", "sessions", "organisationMemberships", "talentProfile", "talents", "languages",
		"consentHistory", "applications", "applicationHistory", "endorsements", "thanks", "notifications", "calendarFeed",
		"privacyRequests", "exportedAt", "format"} {
		if _, ok := data[k]; !ok {
			t.Errorf("the export has no %q", k)
		}
	}
	rows := func(k string) int {
		l, _ := data[k].([]any)
		return len(l)
	}
	for k, min := range map[string]int{"sessions": 1, "talents": 1, "languages": 2, "consentHistory": 2, "applications": 1,
		"applicationHistory": 3, "endorsements": 1, "thanks": 1, "notifications": 2, "privacyRequests": 1} {
		if n := rows(k); n < min {
			t.Errorf("export %s has %d rows, want at least %d", k, n, min)
		}
	}
	if data["calendarFeed"] == nil || data["talentProfile"] == nil {
		t.Errorf("calendarFeed %v talentProfile %v", data["calendarFeed"], data["talentProfile"])
	}
	for _, want := range []string{talVeraEmail, talVeraName, talVeraPhone, "1991-04-05", talVeraAbout, talVeraMessage, talVeraThanks,
		"Soepbar", "Buurthuis De Kroon", "cooking", "ORGANISATIONS", "MATCHMAKERS", "THANK_YOU", "APPLICATION_ACCEPTED", "ATTENDED", "EXPORT"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	var hash string
	if err := w.p.DB.Get(&hash, `SELECT password_hash FROM people WHERE id = $1`, w.veraID); err != nil {
		t.Fatal(err)
	}
	for _, not := range []string{hash, "password_hash", "token_hash", talOmarMessage, "omar@example.org", "coord@example.org"} {
		if strings.Contains(raw, not) {
			t.Errorf("the export contains %q", not)
		}
	}
	page := *out.ExportMyData.PortfolioHTML
	for _, want := range []string{talVeraName, "Koken", "Buurthuis De Kroon"} {
		if !strings.Contains(page, want) {
			t.Errorf("portfolio lacks %q", want)
		}
	}
	if strings.Contains(page, talVeraEmail) || strings.Contains(page, talVeraPhone) {
		t.Error("portfolio shows contact details")
	}
	var n int
	_ = w.p.DB.Get(&n, `SELECT count(*) FROM privacy_requests WHERE person_id = $1 AND kind = 'EXPORT'`, w.veraID)
	if n != 1 {
		t.Errorf("%d EXPORT requests recorded, want 1", n)
	}
	volWantTopLevel(t, w.p.Client().Do(t, talExportMutation, nil), "UNAUTHENTICATED")
}

func TestTalentDeleteMyAccountLeavesNoPersonalDataBehind(t *testing.T) {
	t.Parallel()
	w := talSetupRich(t)
	p := w.p
	needles := []string{talVeraEmail, talVeraName, "Verstraeten", talVeraPhone, "accordeon", "schort", "linzensoep"}
	found := talFindEverywhere(t, p, needles)
	for _, n := range needles {
		if !slices.ContainsFunc(found, func(h string) bool { return strings.Contains(h, fmt.Sprintf("%q", n)) }) {
			t.Fatalf("the setup stores %q nowhere: the check would prove nothing (found %v)", n, found)
		}
	}
	var appsBefore int
	_ = p.DB.Get(&appsBefore, `SELECT count(*) FROM applications`)

	// A wrong password changes nothing.
	before := talFingerprint(t, p)
	var del struct {
		DeleteMyAccount struct {
			Deleted    bool
			UserErrors []volUserError
		}
	}
	w.vera.MustData(t, talDeleteMutation, map[string]any{"pw": "Wrong-horse-battery-9"}, &del)
	if del.DeleteMyAccount.Deleted {
		t.Fatal("deleted with a wrong password")
	}
	volWantUserError(t, del.DeleteMyAccount.UserErrors, []string{"input", "password"}, "INVALID_CREDENTIALS", "")
	after := talFingerprint(t, p)
	for tb, h := range before {
		if after[tb] != h {
			t.Errorf("table %s changed after a refused deletion", tb)
		}
	}
	if _, me := talMe(t, w.vera); me == nil {
		t.Fatal("the account stopped working after a refused deletion")
	}

	// The right password deletes.
	w.vera.MustData(t, talDeleteMutation, map[string]any{"pw": talPassword}, &del)
	if !del.DeleteMyAccount.Deleted || len(del.DeleteMyAccount.UserErrors) > 0 {
		t.Fatalf("delete: %+v", del.DeleteMyAccount)
	}

	// The old session no longer works, nor does the old email and password.
	if r := w.vera.Do(t, `{ me { id } }`, nil); r.ErrorCode() != "UNAUTHENTICATED" {
		t.Errorf("old token: status %d errors %+v data %s, want UNAUTHENTICATED", r.Status, r.Errors, r.Data)
	}
	var login struct {
		Login struct {
			Session    *struct{ Token string }
			UserErrors []volUserError
		}
	}
	p.Client().MustData(t, talLoginMutation, map[string]any{"in": map[string]any{"email": talVeraEmail, "password": talPassword}}, &login)
	if login.Login.Session != nil {
		t.Error("login with the deleted account's email and password works")
	}
	if len(login.Login.UserErrors) == 0 || login.Login.UserErrors[0].Code != "INVALID_CREDENTIALS" {
		t.Errorf("login user errors = %+v, want INVALID_CREDENTIALS", login.Login.UserErrors)
	}

	// Check every table: no personal field left.
	if hits := talFindEverywhere(t, p, needles); len(hits) > 0 {
		t.Errorf("personal data left after deleteMyAccount:\n%s", strings.Join(hits, "\n"))
	}
	var birth, phone, district *string
	if err := p.DB.QueryRow(`SELECT birth_date::text, phone, district_key FROM people WHERE id = $1`, w.veraID).Scan(&birth, &phone, &district); err != nil {
		t.Fatal(err)
	}
	if birth != nil || phone != nil || district != nil {
		t.Errorf("people row keeps birth date %v, phone %v, district %v", birth, phone, district)
	}

	// Applications stay, under the pseudonym.
	var appsAfter int
	_ = p.DB.Get(&appsAfter, `SELECT count(*) FROM applications`)
	if appsAfter != appsBefore {
		t.Errorf("applications: %d before, %d after; want unchanged", appsBefore, appsAfter)
	}
	n := volGetNeed(t, w.coord, w.needID)
	var names []string
	for _, e := range n.Applications.Edges {
		names = append(names, e.Node.Person.DisplayName)
		if e.Node.ID == w.appID {
			if e.Node.Person.DisplayName == talVeraName || e.Node.Message != "" ||
				(e.Node.Person.Email != nil && strings.Contains(*e.Node.Person.Email, "verstraeten")) {
				t.Errorf("the deleted person's application = %+v", e.Node)
			}
		}
		if e.Node.ID == w.omarAppID && e.Node.Message != talOmarMessage {
			t.Errorf("Omar's application message = %q", e.Node.Message)
		}
	}
	if !slices.Contains(names, "Verwijderd account") || !slices.Contains(names, "Omar Andere") {
		t.Errorf("the coordinator sees applicants %v", names)
	}
	var kinds []string
	if err := p.DB.Select(&kinds, `SELECT kind FROM privacy_requests WHERE person_id = $1 ORDER BY id`, w.veraID); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(kinds, "DELETE") {
		t.Errorf("privacy requests = %v, want a DELETE", kinds)
	}
	// The profile is gone from the talent bank.
	if got := talNames(t, w.mm, nil); strings.Contains(got, "Vera") || strings.Contains(got, "Verwijderd") {
		t.Errorf("the talent bank still lists %q", got)
	}
	// The email address can be used again.
	p.Register(t, talVeraEmail, "Nieuwe Vera")
}
