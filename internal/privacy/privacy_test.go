package privacy_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/privacy"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

const password = "Correct-horse-battery-9"

// exportKeys are the kinds of data the export holds (privacy.exportQueries, plus two header keys).
var exportKeys = []string{"exportedAt", "format", "person", "sessions", "organisationMemberships", "talentProfile", "talents",
	"languages", "consentHistory", "applications", "applicationHistory", "endorsements", "thanks", "notifications",
	"calendarFeed", "privacyRequests", "proposals", "onBehalfConsents", "onBehalfLog", "ledgerAccounts", "walletEntries", "coinsMinted", "vouchers"}

// subjectColumns are the columns that say whose data a row is, with the export key that
// holds those rows. Every such column in the schema must be listed here.
var subjectColumns = map[string]string{
	"sessions.person_id":             "sessions",
	"organisation_members.person_id": "organisationMemberships",
	"talent_profiles.person_id":      "talentProfile",
	"profile_talents.person_id":      "talents",
	"profile_languages.person_id":    "languages",
	"consent_log.person_id":          "consentHistory",
	"applications.person_id":         "applications",
	"endorsements.person_id":         "endorsements",
	"thanks.person_id":               "thanks",
	"notifications.person_id":        "notifications",
	"calendar_feeds.person_id":       "calendarFeed",
	"privacy_requests.person_id":     "privacyRequests",
	"proposals.person_id":            "proposals",
	"on_behalf_consents.person_id":   "onBehalfConsents",
	"on_behalf_log.person_id":        "onBehalfLog",
	"ledger_accounts.owner_id":       "ledgerAccounts",
	"mint_records.person_id":         "coinsMinted",
	"vouchers.person_id":             "vouchers",
}

// actorColumns say who did something to someone else's record (a coordinator accepting,
// endorsing, thanking, ...). They are not the actor's own data and stay (pointing at the pseudonym).
var actorColumns = []string{
	"organisations.created_by", "organisations.reviewed_by", "organisation_members.added_by", "needs.created_by",
	"applications.confirmed_by", "application_events.actor_id", "endorsements.endorsed_by", "thanks.from_person_id",
	"consent_log.actor_id", "proposals.matchmaker_id", "on_behalf_consents.matchmaker_id", "on_behalf_consents.withdrawn_by",
	"on_behalf_log.matchmaker_id", "rewards.created_by", "vouchers.closed_by",
}

type world struct {
	db      *sqlx.DB
	acc     *accounts.Service
	svc     *privacy.Service
	talents *talent.Service
	ctx     context.Context

	zoe   *accounts.Person // the person whose data is exported and deleted
	coord *accounts.Person // a coordinator of the organisation
	omar  *accounts.Person // another volunteer
	appID string           // zoë's attended application
}

// Distinctive personal data of Zoë, searched for in every table after deletion.
const (
	zoeEmail    = "zoe.verstraeten@example.org"
	zoeName     = "Zoë Verstraeten"
	zoePhone    = "+32 470 98 76 54"
	zoeAbout    = "Ik speel graag accordeon en kook pompoensoep."
	zoeAboutW   = "accordeon"
	zoeMessage  = "Ik breng mijn eigen schort mee, groetjes vanuit Kiel"
	zoeMessageW = "schort"
	zoeThanks   = "Dankjewel voor de heerlijke linzensoep!"
	zoeThanksW  = "linzensoep"
	zoeNote     = "Kwam later door een fietspanne"
	zoeNoteW    = "fietspanne"
	zoeDecline  = "Helaas volzet wegens kermisdrukte"
	zoeDeclineW = "kermisdrukte"
	zoeAgent    = "ZoeBrowser/7.1"
	zoeIP       = "203.0.113.77"
	omarMessage = "Ik neem geheimebanaan mee"
)

func newWorld(t *testing.T) *world {
	t.Helper()
	db := testutil.NewDB(t)
	acc := accounts.NewService(db, nil, time.Hour, testutil.Logger(t))
	w := &world{db: db, acc: acc, svc: privacy.NewService(db, acc), talents: talent.NewService(db, reference.NewService(db)),
		ctx: context.Background()}
	w.zoe = w.register(t, zoeEmail, zoeName)
	w.coord = w.register(t, "coco.coordinator@example.org", "Coco Coördinator")
	w.omar = w.register(t, "omar.other@example.org", "Omar Andere")
	return w
}

func (w *world) register(t *testing.T, email, name string) *accounts.Person {
	t.Helper()
	p, _, err := w.acc.Register(w.ctx, accounts.RegisterInput{Email: email, Password: password, DisplayName: name, PreferredLanguage: "nl"},
		accounts.ClientMeta{IP: zoeIP, UserAgent: zoeAgent})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	if email != zoeEmail {
		// Only Zoë's sessions carry her address and browser.
		w.exec(t, `UPDATE sessions SET ip = '198.51.100.1', user_agent = 'Other/1.0' WHERE person_id = $1`, p.ID)
	}
	return p
}

func (w *world) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.db.Exec(q, args...); err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}

func (w *world) get(t *testing.T, dest any, q string, args ...any) {
	t.Helper()
	if err := w.db.Get(dest, q, args...); err != nil {
		t.Fatalf("get %q: %v", q, err)
	}
}

func viewerOf(p *accounts.Person) *accounts.Viewer { return &accounts.Viewer{PersonID: p.ID} }

// seed gives Zoë data in every table that can hold data about her.
func (w *world) seed(t *testing.T) {
	t.Helper()
	z := viewerOf(w.zoe)
	w.exec(t, `UPDATE people SET phone = $2, birth_date = '1991-04-05', district_key = 'deurne' WHERE id = $1`, w.zoe.ID, zoePhone)
	if _, err := w.talents.Update(w.ctx, z, talent.Input{
		SetTalents: true, Talents: []talent.Talent{{TalentKey: "cooking", Level: 3, Learned: []string{"WORK", "LIFE_EXPERIENCE"}}},
		SetLanguages: true, Languages: []talent.Language{{Code: "nl", Level: "NATIVE"}, {Code: "fr", Level: "B1"}},
		SetAvailability: true, Availability: []talent.Slot{{Weekday: 6, From: "09:00", To: "12:00"}},
		Home: &[2]float64{51.21734, 4.42102}, RadiusKm: ptrF(3), SetDistricts: true, Districts: []string{"deurne"},
		SetThemes: true, Themes: []string{"food"}, SetLookingFor: true, LookingFor: []string{"JOB"},
		About: ptrS(zoeAbout)}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{talent.Matchmakers, talent.Organisations} {
		if _, err := w.talents.SetVisibility(w.ctx, z, v); err != nil {
			t.Fatal(err)
		}
	}
	var orgID, repairID, needID, shiftID, declinedNeed string
	w.get(t, &orgID, `INSERT INTO organisations (kind, status, name, created_by) VALUES ('NEIGHBOURHOOD_CENTRE', 'APPROVED', 'Buurthuis De Kroon', $1)
		RETURNING id`, w.coord.ID)
	w.exec(t, `INSERT INTO organisation_members (organisation_id, person_id, role) VALUES ($1, $2, 'ADMIN')`, orgID, w.coord.ID)
	w.get(t, &repairID, `INSERT INTO organisations (kind, status, name) VALUES ('NON_PROFIT', 'APPROVED', 'Repair Café Deurne') RETURNING id`)
	w.exec(t, `INSERT INTO organisation_members (organisation_id, person_id, role, added_by) VALUES ($1, $2, 'COORDINATOR', $3)`,
		repairID, w.zoe.ID, w.coord.ID)
	w.get(t, &needID, `INSERT INTO needs (organisation_id, title, schedule, status, created_by) VALUES ($1, 'Soepbar', 'ONE_OFF', 'OPEN', $2)
		RETURNING id`, orgID, w.coord.ID)
	w.get(t, &shiftID, `INSERT INTO shifts (need_id, starts_at, ends_at, places, places_taken)
		VALUES ($1, now() - interval '1 day', now() - interval '1 day' + interval '150 minutes', 5, 2) RETURNING id`, needID)
	w.get(t, &w.appID, `INSERT INTO applications (need_id, shift_id, person_id, status, message, minutes, worked_on, confirmed_at, confirmed_by)
		VALUES ($1, $2, $3, 'ATTENDED', $4, 150, (now() - interval '1 day')::date, now(), $5) RETURNING id`,
		needID, shiftID, w.zoe.ID, zoeMessage, w.coord.ID)
	w.exec(t, `INSERT INTO application_events (application_id, status, actor_id, note) VALUES
		($1, 'PENDING', $2, ''), ($1, 'ACCEPTED', $3, ''), ($1, 'ATTENDED', $3, $4)`, w.appID, w.zoe.ID, w.coord.ID, zoeNote)
	w.exec(t, `INSERT INTO endorsements (application_id, person_id, talent_key, organisation_id, need_id, endorsed_by)
		VALUES ($1, $2, 'cooking', $3, $4, $5)`, w.appID, w.zoe.ID, orgID, needID, w.coord.ID)
	w.exec(t, `INSERT INTO thanks (application_id, person_id, organisation_id, from_person_id, message) VALUES ($1, $2, $3, $4, $5)`,
		w.appID, w.zoe.ID, orgID, w.coord.ID, zoeThanks)
	w.exec(t, `INSERT INTO notifications (person_id, kind, need_id, application_id, message) VALUES
		($1, 'APPLICATION_ACCEPTED', $2, $3, ''), ($1, 'THANK_YOU', $2, $3, $4)`, w.zoe.ID, needID, w.appID, zoeThanks)
	w.exec(t, `INSERT INTO notifications (person_id, kind, need_id, application_id) VALUES ($1, 'APPLICATION_RECEIVED', $2, $3)`,
		w.coord.ID, needID, w.appID)
	// A matchmaker (the coordinator here) proposed Zoë, and acted on her behalf with her consent.
	w.exec(t, `INSERT INTO proposals (need_id, person_id, matchmaker_id, message) VALUES ($1, $2, $3, $4)`,
		needID, w.zoe.ID, w.coord.ID, zoeThanks)
	w.exec(t, `INSERT INTO on_behalf_consents (person_id, matchmaker_id, ends_at, note) VALUES ($1, $2, now() + interval '30 days', $3)`,
		w.zoe.ID, w.coord.ID, zoeNote)
	w.exec(t, `INSERT INTO on_behalf_log (person_id, matchmaker_id, action) VALUES ($1, $2, 'applyToNeed')`, w.zoe.ID, w.coord.ID)
	// A declined application with the organisation's reason.
	w.get(t, &declinedNeed, `INSERT INTO needs (organisation_id, title, schedule, status) VALUES ($1, 'Kermis', 'FLEXIBLE', 'OPEN') RETURNING id`, orgID)
	var declined string
	w.get(t, &declined, `INSERT INTO applications (need_id, person_id, status) VALUES ($1, $2, 'DECLINED') RETURNING id`, declinedNeed, w.zoe.ID)
	w.exec(t, `INSERT INTO application_events (application_id, status, actor_id, note) VALUES ($1, 'DECLINED', $2, $3)`,
		declined, w.coord.ID, zoeDecline)
	w.exec(t, `INSERT INTO notifications (person_id, kind, need_id, application_id, message) VALUES ($1, 'APPLICATION_DECLINED', $2, $3, $4)`,
		w.zoe.ID, declinedNeed, declined, zoeDecline)
	// Her confirmed hours were minted: a wallet, its entry and a mint record.
	led := ledger.NewService(w.db, slog.New(slog.DiscardHandler))
	issuer, err := led.CityIssuer(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := led.FundIssuer(w.ctx, ledger.FundRequest{IssuerAccountID: issuer.ID, Amount: 1000, IdempotencyKey: "fund-privacy"}); err != nil {
		t.Fatal(err)
	}
	w.exec(t, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, jsonb_build_object('applicationId', $2::text,
		'personId', $3::text, 'needId', $4::text, 'organisationId', $5::text, 'minutes', 150, 'workedOn', to_char(now(), 'YYYY-MM-DD'),
		'confirmedAt', now()))`, ledger.TopicAttendanceConfirmed, w.appID, w.zoe.ID, needID, orgID)
	if n, err := led.MintPending(w.ctx); err != nil || n != 1 {
		t.Fatalf("mint: %d, %v", n, err)
	}
	// She spent some of them on a voucher at a merchant.
	var merchantID string
	w.get(t, &merchantID, `INSERT INTO organisations (kind, status, name) VALUES ('MERCHANT', 'APPROVED', 'Bakkerij Deurne') RETURNING id`)
	w.exec(t, `INSERT INTO organisation_members (organisation_id, person_id, role) VALUES ($1, $2, 'ADMIN')`, merchantID, w.coord.ID)
	rw := rewards.NewService(w.db, led, slog.New(slog.DiscardHandler))
	reward, err := rw.CreateReward(w.ctx, viewerOf(w.coord), merchantID, rewards.RewardInput{Title: ptrS("Brood"), Price: ptrI(10), Stock: ptrI(5)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Redeem(w.ctx, viewerOf(w.zoe), reward.ID, "privacy"); err != nil {
		t.Fatal(err)
	}
	tok := make([]byte, 32)
	_, _ = rand.Read(tok)
	w.exec(t, `INSERT INTO calendar_feeds (person_id, token_hash) VALUES ($1, $2)`, w.zoe.ID, tok)
	// Omar applied to the same shift: his data is not Zoë's.
	w.exec(t, `INSERT INTO applications (need_id, shift_id, person_id, status, message) VALUES ($1, $2, $3, 'ACCEPTED', $4)`,
		needID, shiftID, w.omar.ID, omarMessage)
	if _, err := w.talents.Update(w.ctx, viewerOf(w.omar), talent.Input{About: ptrS("Omar zijn eigen tekst")}); err != nil {
		t.Fatal(err)
	}
}

func ptrS(s string) *string   { return &s }
func ptrF(f float64) *float64 { return &f }
func ptrI(i int) *int         { return &i }

// tables lists the base tables of the public schema (without goose's own).
func tables(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var out []string
	if err := db.Select(&out, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
		AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version' ORDER BY table_name`); err != nil {
		t.Fatal(err)
	}
	return out
}

// fingerprint hashes the whole content of every table.
func fingerprint(t *testing.T, db *sqlx.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range tables(t, db) {
		var h string
		if err := db.Get(&h, fmt.Sprintf(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM %q x`, tb)); err != nil {
			t.Fatal(err)
		}
		out[tb] = h
	}
	return out
}

// findEverywhere returns "table.column: needle" for every text-like column of every table
// in which a row contains one of the needles (case-insensitive).
func findEverywhere(t *testing.T, db *sqlx.DB, needles []string) []string {
	t.Helper()
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := db.Select(&cols, `SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
		WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE' AND c.table_name <> 'goose_db_version'
		AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'tsvector', 'bytea', 'USER-DEFINED'))
		ORDER BY 1, 2`); err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("only %d text columns found: the schema query is wrong", len(cols))
	}
	var hits []string
	for _, c := range cols {
		var found []struct {
			Needle string `db:"needle"`
			Rows   int    `db:"rows"`
		}
		q := fmt.Sprintf(`SELECT n AS needle, (SELECT count(*) FROM %q x WHERE x.%q::text ILIKE '%%' || n || '%%') AS rows
			FROM unnest($1::text[]) n`, c.Table, c.Column)
		if err := db.Select(&found, q, pq.StringArray(needles)); err != nil {
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

// ---------------------------------------------------------------------------------------
// Export

func TestPrivacyExportHoldsEverythingAboutThePersonAndNothingElse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seed(t)
	b, err := w.svc.Export(w.ctx, viewerOf(w.zoe))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, b)
	}
	var keys []string
	for k := range out {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := slices.Clone(exportKeys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("export keys = %v, want %v", keys, want)
	}
	if out["format"] != "helpende-handen-export/1" {
		t.Errorf("format = %v", out["format"])
	}
	if at, _ := out["exportedAt"].(string); at == "" {
		t.Errorf("exportedAt = %v", out["exportedAt"])
	}
	s := string(b)

	// No secrets.
	var hash string
	w.get(t, &hash, `SELECT password_hash FROM people WHERE id = $1`, w.zoe.ID)
	for _, secret := range []string{hash, "password_hash", "token_hash"} {
		if strings.Contains(s, secret) {
			t.Errorf("the export contains %q", secret)
		}
	}
	// Nothing of anybody else.
	for _, other := range []string{omarMessage, "geheimebanaan", "Omar", "omar.other@example.org", "coco.coordinator@example.org",
		"198.51.100.1", "Other/1.0"} {
		if strings.Contains(s, other) {
			t.Errorf("the export contains someone else's data %q", other)
		}
	}

	obj := func(k string) map[string]any {
		m, _ := out[k].(map[string]any)
		if m == nil {
			t.Errorf("%s = %v, want an object", k, out[k])
			return map[string]any{}
		}
		return m
	}
	list := func(k string, min int) []map[string]any {
		raw, ok := out[k].([]any)
		if !ok {
			t.Errorf("%s = %v, want a list", k, out[k])
			return nil
		}
		var l []map[string]any
		for _, r := range raw {
			m, _ := r.(map[string]any)
			l = append(l, m)
		}
		if len(l) < min {
			t.Errorf("%s has %d rows, want at least %d: %v", k, len(l), min, raw)
		}
		return l
	}
	has := func(k string, rows []map[string]any, field string, want any) {
		t.Helper()
		for _, r := range rows {
			if fmt.Sprint(r[field]) == fmt.Sprint(want) {
				return
			}
		}
		t.Errorf("%s: no row with %s = %v in %v", k, field, want, rows)
	}

	p := obj("person")
	if p["email"] != zoeEmail || p["display_name"] != zoeName || p["phone"] != zoePhone || p["district_key"] != "deurne" ||
		!strings.HasPrefix(fmt.Sprint(p["birth_date"]), "1991-04-05") {
		t.Errorf("person = %v", p)
	}
	if _, ok := p["password_hash"]; ok {
		t.Error("person has password_hash")
	}
	sess := list("sessions", 1)
	has("sessions", sess, "ip", zoeIP)
	has("sessions", sess, "user_agent", zoeAgent)
	has("organisationMemberships", list("organisationMemberships", 1), "organisation", "Repair Café Deurne")
	tp := obj("talentProfile")
	if tp["about"] != zoeAbout || tp["visibility"] != "ORGANISATIONS" || tp["home_lat"] == nil {
		t.Errorf("talentProfile = %v", tp)
	}
	ts := list("talents", 1)
	has("talents", ts, "talent_key", "cooking")
	has("talents", ts, "level", 3)
	ls := list("languages", 2)
	has("languages", ls, "code", "fr")
	has("languages", ls, "level", "NATIVE")
	ch := list("consentHistory", 2)
	has("consentHistory", ch, "value", "MATCHMAKERS")
	has("consentHistory", ch, "value", "ORGANISATIONS")
	apps := list("applications", 2)
	has("applications", apps, "message", zoeMessage)
	has("applications", apps, "need", "Soepbar")
	has("applications", apps, "organisation", "Buurthuis De Kroon")
	has("applications", apps, "minutes", 150)
	has("applications", apps, "status", "DECLINED")
	hist := list("applicationHistory", 4)
	has("applicationHistory", hist, "note", zoeNote)
	has("applicationHistory", hist, "note", zoeDecline)
	es := list("endorsements", 1)
	has("endorsements", es, "talent_key", "cooking")
	has("endorsements", es, "need", "Soepbar")
	has("endorsements", es, "organisation", "Buurthuis De Kroon")
	has("thanks", list("thanks", 1), "message", zoeThanks)
	ns := list("notifications", 3)
	has("notifications", ns, "kind", "THANK_YOU")
	has("notifications", ns, "message", zoeDecline)
	if out["calendarFeed"] == nil {
		t.Error("calendarFeed is null although Zoë has a feed")
	}
	has("privacyRequests", list("privacyRequests", 1), "kind", "EXPORT")

	// The request itself is recorded, without personal data.
	var n int
	w.get(t, &n, `SELECT count(*) FROM privacy_requests WHERE person_id = $1 AND kind = 'EXPORT'`, w.zoe.ID)
	if n != 1 {
		t.Errorf("%d EXPORT requests recorded, want 1", n)
	}

	// Someone without data gets the same keys, with empty lists and nulls.
	fresh := w.register(t, "leeg@example.org", "Leeg")
	b, err = w.svc.Export(w.ctx, viewerOf(fresh))
	if err != nil {
		t.Fatal(err)
	}
	var empty map[string]any
	_ = json.Unmarshal(b, &empty)
	for _, k := range exportKeys {
		if _, ok := empty[k]; !ok {
			t.Errorf("the export of a new account has no %q", k)
		}
	}
	if l, ok := empty["applications"].([]any); !ok || len(l) != 0 {
		t.Errorf("applications of a new account = %v, want []", empty["applications"])
	}
	if empty["talentProfile"] != nil {
		t.Errorf("talentProfile of a new account = %v, want null", empty["talentProfile"])
	}

	if _, err := w.svc.Export(w.ctx, nil); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous export: %v", err)
	}
}

// Lists (text arrays) in the export are JSON lists, so that the export is machine-readable.
func TestPrivacyExportWritesListsAsJSONArrays(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seed(t)
	b, err := w.svc.Export(w.ctx, viewerOf(w.zoe))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		TalentProfile map[string]any   `json:"talentProfile"`
		Talents       []map[string]any `json:"talents"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	check := func(what string, v any, want []string) {
		t.Helper()
		l, ok := v.([]any)
		if !ok {
			t.Errorf("%s = %#v (%T), want the JSON list %q", what, v, v, want)
			return
		}
		var got []string
		for _, x := range l {
			got = append(got, fmt.Sprint(x))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	if len(out.Talents) != 1 {
		t.Fatalf("talents = %v", out.Talents)
	}
	check("talents[0].learned", out.Talents[0]["learned"], []string{"WORK", "LIFE_EXPERIENCE"})
	check("talentProfile.districts", out.TalentProfile["districts"], []string{"deurne"})
	check("talentProfile.looking_for", out.TalentProfile["looking_for"], []string{"JOB"})
	// availability is JSON in the database and stays structured.
	if av, ok := out.TalentProfile["availability"].([]any); !ok || len(av) != 1 {
		t.Errorf("availability = %#v", out.TalentProfile["availability"])
	}
	// An empty list stays a list (not an object).
	w.exec(t, `UPDATE talent_profiles SET themes = '{}' WHERE person_id = $1`, w.zoe.ID)
	b, _ = w.svc.Export(w.ctx, viewerOf(w.zoe))
	_ = json.Unmarshal(b, &out)
	check("talentProfile.themes (empty)", out.TalentProfile["themes"], nil)
}

// Every column in the schema that says whose data a row is must be covered by the export
// (and by Delete): a new table with personal data must not be forgotten.
func TestPrivacyEveryPersonColumnIsCoveredByTheExport(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var cols []string
	if err := w.db.Select(&cols, `
		SELECT DISTINCT kcu.table_name || '.' || kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
		JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
		WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' AND ccu.table_name = 'people'
		UNION
		SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name IN ('person_id', 'owner_id') AND table_name <> 'people'
		ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(cols) < 10 {
		t.Fatalf("only %d person columns found: %v", len(cols), cols)
	}
	var missing []string
	for _, c := range cols {
		if _, ok := subjectColumns[c]; !ok && !slices.Contains(actorColumns, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		t.Errorf("columns that refer to a person are covered neither by the export nor by this test's list: %v; "+
			"add them to privacy.exportQueries (and to deleteStatements, unless they stay for the books under the pseudonym), "+
			"then list them here", missing)
	}
	for c := range subjectColumns {
		if !slices.Contains(cols, c) {
			t.Errorf("listed column %s does not exist any more", c)
		}
	}

	// And each listed table really ends up in the export when it has a row for the person.
	w.seed(t)
	b, err := w.svc.Export(w.ctx, viewerOf(w.zoe))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	for c, key := range subjectColumns {
		table, col, _ := strings.Cut(c, ".")
		var n int
		w.get(t, &n, fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = $1`, table, col), w.zoe.ID)
		if n == 0 {
			t.Errorf("the seed has no row in %s: the test does not cover it", table)
			continue
		}
		switch v := out[key].(type) {
		case []any:
			if len(v) != n {
				t.Errorf("export %s has %d rows, the table %s has %d", key, len(v), table, n)
			}
		case map[string]any:
			if n != 1 {
				t.Errorf("export %s is one object, the table %s has %d rows", key, table, n)
			}
		default:
			t.Errorf("export %s = %v although %s has %d rows", key, v, table, n)
		}
	}
}

func TestPrivacyPortfolioShowsVerifiedTalentsAndHours(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seed(t)
	page, err := w.svc.Portfolio(w.ctx, viewerOf(w.zoe))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!doctype html>", zoeName, "Koken", "Buurthuis De Kroon", "2.5"} {
		if !strings.Contains(page, want) {
			t.Errorf("portfolio lacks %q:\n%s", want, page)
		}
	}
	for _, not := range []string{zoeEmail, zoePhone, "Omar"} {
		if strings.Contains(page, not) {
			t.Errorf("portfolio shows %q", not)
		}
	}
	// A hidden endorsement is not on the portfolio.
	w.exec(t, `UPDATE endorsements SET hidden = true WHERE person_id = $1`, w.zoe.ID)
	page, _ = w.svc.Portfolio(w.ctx, viewerOf(w.zoe))
	if strings.Contains(page, "Koken") {
		t.Error("portfolio shows a hidden endorsement")
	}
	// The name is escaped.
	evil := w.register(t, "evil@example.org", `Eve <script>alert(1)</script>`)
	page, _ = w.svc.Portfolio(w.ctx, viewerOf(evil))
	if strings.Contains(page, "<script>") {
		t.Errorf("portfolio does not escape the name:\n%s", page)
	}
	if _, err := w.svc.Portfolio(w.ctx, nil); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous portfolio: %v", err)
	}
}

// ---------------------------------------------------------------------------------------
// Delete

func TestPrivacyDeleteWithAWrongPasswordChangesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seed(t)
	before := fingerprint(t, w.db)
	err := w.svc.Delete(w.ctx, viewerOf(w.zoe), "Wrong-horse-battery-9")
	ue, ok := errs.AsUserErrors(err)
	if !ok || len(ue) != 1 || ue[0].Code != errs.InvalidCredentials || strings.Join(ue[0].Field, ".") != "input.password" {
		t.Fatalf("delete with a wrong password: %v, want INVALID_CREDENTIALS on input.password", err)
	}
	if err := w.svc.Delete(w.ctx, viewerOf(w.zoe), ""); err == nil {
		t.Fatal("delete with an empty password succeeded")
	}
	after := fingerprint(t, w.db)
	for tb, h := range before {
		if after[tb] != h {
			t.Errorf("table %s changed after a refused deletion", tb)
		}
	}
	if err := w.svc.Delete(w.ctx, nil, password); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous delete: %v", err)
	}
}

func TestPrivacyDeleteLeavesNoPersonalDataInAnyTable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seed(t)
	if _, err := w.svc.Export(w.ctx, viewerOf(w.zoe)); err != nil {
		t.Fatal(err)
	}
	needles := []string{zoeEmail, zoeName, "Verstraeten", zoePhone, zoeAboutW, zoeMessageW, zoeThanksW, zoeNoteW, zoeDeclineW,
		zoeAgent, zoeIP}
	// The seed really put every needle somewhere, so the search below can find them.
	found := findEverywhere(t, w.db, needles)
	for _, n := range needles {
		if !slices.ContainsFunc(found, func(h string) bool { return strings.Contains(h, fmt.Sprintf("%q", n)) }) {
			t.Fatalf("the seed does not store %q anywhere: the check would prove nothing", n)
		}
	}
	var appsBefore, otherAppsBefore int
	w.get(t, &appsBefore, `SELECT count(*) FROM applications WHERE person_id = $1`, w.zoe.ID)
	w.get(t, &otherAppsBefore, `SELECT count(*) FROM applications WHERE person_id <> $1`, w.zoe.ID)

	if err := w.svc.Delete(w.ctx, viewerOf(w.zoe), password); err != nil {
		t.Fatalf("delete: %v", err)
	}

	if hits := findEverywhere(t, w.db, needles); len(hits) > 0 {
		t.Errorf("personal data left after deletion:\n%s", strings.Join(hits, "\n"))
	}

	// The person's row stays, under a pseudonym, for the books.
	var p struct {
		Email, DisplayName, PreferredLanguage string
		Phone, DistrictKey                    *string
		BirthDate, DeletedAt                  *time.Time
		IsAdmin, IsMatchmaker                 bool
		PasswordHash                          string
	}
	w.get(t, &p, `SELECT email, display_name AS displayname, preferred_language AS preferredlanguage, phone, district_key AS districtkey,
		birth_date AS birthdate, deleted_at AS deletedat, is_admin AS isadmin, is_matchmaker AS ismatchmaker, password_hash AS passwordhash
		FROM people WHERE id = $1`, w.zoe.ID)
	if p.Email != "deleted-"+w.zoe.ID+"@deleted.invalid" || p.DisplayName != "Verwijderd account" || p.Phone != nil ||
		p.DistrictKey != nil || p.BirthDate != nil || p.DeletedAt == nil || p.IsAdmin || p.IsMatchmaker {
		t.Errorf("pseudonymised person = %+v", p)
	}
	if ok, _ := accounts.VerifyPassword(password, p.PasswordHash); ok {
		t.Error("the old password still works")
	}
	if _, _, err := w.acc.Login(w.ctx, zoeEmail, password, accounts.ClientMeta{IP: "192.0.2.1"}); err == nil {
		t.Error("login with the old email and password still works")
	}

	// Applications stay (for the organisations' records and the anonymous figures), emptied of personal text.
	var appsAfter, otherAppsAfter int
	w.get(t, &appsAfter, `SELECT count(*) FROM applications WHERE person_id = $1`, w.zoe.ID)
	w.get(t, &otherAppsAfter, `SELECT count(*) FROM applications WHERE person_id <> $1`, w.zoe.ID)
	if appsAfter != appsBefore || otherAppsAfter != otherAppsBefore {
		t.Errorf("applications: %d→%d of the person, %d→%d of others; want unchanged", appsBefore, appsAfter, otherAppsBefore, otherAppsAfter)
	}
	var minutes int
	w.get(t, &minutes, `SELECT minutes FROM applications WHERE id = $1`, w.appID)
	if minutes != 150 {
		t.Errorf("confirmed minutes = %d after deletion, want 150 (kept for the books)", minutes)
	}
	for table, col := range map[string]string{"sessions": "person_id", "calendar_feeds": "person_id", "organisation_members": "person_id",
		"talent_profiles": "person_id", "profile_talents": "person_id", "profile_languages": "person_id", "consent_log": "person_id",
		"notifications": "person_id", "thanks": "person_id", "endorsements": "person_id"} {
		var n int
		w.get(t, &n, fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = $1`, table, col), w.zoe.ID)
		if n != 0 {
			t.Errorf("%d rows of the person left in %s", n, table)
		}
	}
	var kinds []string
	if err := w.db.Select(&kinds, `SELECT kind FROM privacy_requests WHERE person_id = $1 ORDER BY id`, w.zoe.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kinds, []string{"EXPORT", "DELETE"}) {
		t.Errorf("privacy requests = %v, want [EXPORT DELETE]", kinds)
	}

	// Other people's data is untouched.
	var omarMsg string
	w.get(t, &omarMsg, `SELECT message FROM applications WHERE person_id = $1`, w.omar.ID)
	if omarMsg != omarMessage {
		t.Errorf("Omar's message = %q", omarMsg)
	}
	var n int
	w.get(t, &n, `SELECT count(*) FROM notifications WHERE person_id = $1`, w.coord.ID)
	if n != 1 {
		t.Errorf("the coordinator has %d notifications, want 1", n)
	}
	w.get(t, &n, `SELECT count(*) FROM sessions WHERE person_id IN ($1, $2)`, w.omar.ID, w.coord.ID)
	if n != 2 {
		t.Errorf("others have %d sessions, want 2", n)
	}

	// The email address is free again.
	if _, _, err := w.acc.Register(w.ctx, accounts.RegisterInput{Email: zoeEmail, Password: password, DisplayName: "Nieuwe Zoë"},
		accounts.ClientMeta{}); err != nil {
		t.Errorf("registering again with the old email: %v", err)
	}
}
