package graph_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// ---------------------------------------------------------------------------------------
// Helpers (prefixed "vol" so that they do not clash with other test files of the package).

type volUserError struct {
	Field   []string
	Code    string
	Message string
}

type volApplication struct {
	ID              string
	Status          string
	Message         string
	WaitingPosition *int
	Need            struct{ ID, Title string }
	Shift           *struct{ ID string }
	Person          struct {
		DisplayName string
		Email       *string
	}
	History []struct {
		Status string
		At     string
		By     *struct{ DisplayName string }
		Note   string
	}
}

type volApplicationPayload struct {
	Application *volApplication
	UserErrors  []volUserError
}

type volNeed struct {
	ID                string
	Status            string
	Title             string
	PlacesLeft        *int
	NextShiftStartsAt *string
	Organisation      struct{ ID, Name string }
	Shifts            struct {
		Edges []struct {
			Node struct {
				ID                       string
				StartsAt, EndsAt         string
				Places, PlacesTaken      int
				PlacesLeft, WaitingCount int
			}
		}
		TotalCount int
	}
	Applications struct {
		Edges      []struct{ Node volApplication }
		TotalCount int
	}
	ViewerApplications []struct{ ID, Status string }
}

const (
	volApplicationFields = `id status message waitingPosition need { id title } shift { id }
		person { displayName email } history { status at by { displayName } note }`
	volNeedFields = `id status title placesLeft nextShiftStartsAt organisation { id name }
		shifts { edges { node { id startsAt endsAt places placesTaken placesLeft waitingCount } } totalCount }
		applications { edges { node { ` + volApplicationFields + ` } } totalCount }
		viewerApplications { id status }`
	volNeedQuery          = `query($id: ID!) { need(id: $id) { ` + volNeedFields + ` } }`
	volCreateNeedMutation = `mutation($in: CreateNeedInput!) { createNeed(input: $in) {
		need { ` + volNeedFields + ` } userErrors { field code message } } }`
	volPublishMutation = `mutation($id: ID!) { publishNeed(input: { needId: $id }) {
		need { id status } userErrors { field code message } } }`
	volApplyMutation = `mutation($in: ApplyToNeedInput!) { applyToNeed(input: $in) {
		application { ` + volApplicationFields + ` } userErrors { field code message } } }`
	volAcceptMutation = `mutation($id: ID!) { acceptApplication(input: { applicationId: $id }) {
		application { ` + volApplicationFields + ` } userErrors { field code message } } }`
	volWithdrawMutation = `mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) {
		application { ` + volApplicationFields + ` } userErrors { field code message } } }`
	volNotificationsQuery = `{ notifications(first: 50) { edges { node { id kind text message need { id } application { id } } }
		totalCount unreadCount } }`
	volMyApplicationsQuery = `{ myApplications { edges { node { ` + volApplicationFields + ` } } totalCount } }`
)

type volNotification struct {
	ID, Kind, Text string
	Message        *string
	Need           *struct{ ID string }
	Application    *struct{ ID string }
}

// volLocale reads a message catalogue and fills {{.Name}} placeholders.
func volLocale(t testing.TB, lang string) func(key string, args ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "i18n", "locales", lang+".json"))
	if err != nil {
		t.Fatalf("read locale: %v", err)
	}
	var msgs map[string]string
	if err := json.Unmarshal(b, &msgs); err != nil {
		t.Fatalf("parse locale %s: %v", lang, err)
	}
	return func(key string, args ...string) string {
		t.Helper()
		m, ok := msgs[key]
		if !ok {
			t.Fatalf("locale %s has no %q", lang, key)
		}
		for i := 0; i+1 < len(args); i += 2 {
			m = strings.ReplaceAll(m, "{{."+args[i]+"}}", args[i+1])
		}
		return m
	}
}

func volWantUserError(t testing.TB, ues []volUserError, field []string, code, message string) {
	t.Helper()
	for _, e := range ues {
		if slices.Equal(e.Field, field) && e.Code == code {
			if message != "" && e.Message != message {
				t.Errorf("user error %v %s says %q, want %q", field, code, e.Message, message)
			}
			return
		}
	}
	t.Errorf("user errors = %+v, want %s on %v", ues, code, field)
}

func volWantTopLevel(t testing.TB, r *testutil.Response, code string) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("HTTP status %d, want a GraphQL error %s", r.Status, code)
	}
	if got := r.ErrorCode(); got != code {
		t.Fatalf("error code = %q, want %q (errors: %+v, data: %s)", got, code, r.Errors, r.Data)
	}
}

func volCount(t testing.TB, p *testutil.Platform, query string, args ...any) int {
	t.Helper()
	var n int
	if err := p.DB.Get(&n, query, args...); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func volTime(t time.Time) string { return t.Format(time.RFC3339) }

// volSetup starts a platform with an administrator and a coordinator of an approved organisation.
func volSetup(t *testing.T) (p *testutil.Platform, admin, coord *testutil.Client, orgID string) {
	t.Helper()
	p = testutil.NewPlatform(t)
	admin = p.Register(t, "admin@example.org", "Admin")
	p.MakeAdmin(t, "admin@example.org")
	coord = p.Register(t, "coord@example.org", "Coco Coördinator")
	var out struct {
		CreateOrganisation struct {
			Organisation *struct{ ID string }
			UserErrors   []volUserError
		}
	}
	coord.MustData(t, `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) {
		organisation { id } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"kind": "NEIGHBOURHOOD_CENTRE", "name": "Buurthuis De Kroon"}}, &out)
	if out.CreateOrganisation.Organisation == nil {
		t.Fatalf("create organisation: %+v", out.CreateOrganisation.UserErrors)
	}
	orgID = out.CreateOrganisation.Organisation.ID
	var appr struct {
		ApproveOrganisation struct {
			Organisation *struct{ Status string }
			UserErrors   []volUserError
		}
	}
	admin.MustData(t, `mutation($in: ApproveOrganisationInput!) { approveOrganisation(input: $in) {
		organisation { status } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"organisationId": orgID, "approve": true}}, &appr)
	if appr.ApproveOrganisation.Organisation == nil || appr.ApproveOrganisation.Organisation.Status != "APPROVED" {
		t.Fatalf("approve organisation: %+v", appr.ApproveOrganisation)
	}
	return p, admin, coord, orgID
}

func volCreateNeed(t *testing.T, c *testutil.Client, in map[string]any) (*volNeed, []volUserError) {
	t.Helper()
	var out struct {
		CreateNeed struct {
			Need       *volNeed
			UserErrors []volUserError
		}
	}
	c.MustData(t, volCreateNeedMutation, map[string]any{"in": in}, &out)
	return out.CreateNeed.Need, out.CreateNeed.UserErrors
}

func volGetNeed(t *testing.T, c *testutil.Client, id string) *volNeed {
	t.Helper()
	var out struct{ Need *volNeed }
	c.MustData(t, volNeedQuery, map[string]any{"id": id}, &out)
	return out.Need
}

func volApply(t *testing.T, c *testutil.Client, needID, shiftID, message string) volApplicationPayload {
	t.Helper()
	var out struct{ ApplyToNeed volApplicationPayload }
	c.MustData(t, volApplyMutation, map[string]any{"in": map[string]any{"needId": needID, "shiftId": shiftID, "message": message}}, &out)
	return out.ApplyToNeed
}

func volNotifications(t *testing.T, c *testutil.Client) []volNotification {
	t.Helper()
	var out struct {
		Notifications struct {
			Edges []struct{ Node volNotification }
		}
	}
	c.MustData(t, volNotificationsQuery, nil, &out)
	ns := make([]volNotification, 0, len(out.Notifications.Edges))
	for _, e := range out.Notifications.Edges {
		ns = append(ns, e.Node)
	}
	return ns
}

// volPublishedNeed creates and publishes a one-off need with one shift and returns the need and shift ids.
func volPublishedNeed(t *testing.T, coord *testutil.Client, orgID, title string, places int, autoAccept bool) (string, string) {
	t.Helper()
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	n, ues := volCreateNeed(t, coord, map[string]any{"organisationId": orgID, "title": title, "schedule": "ONE_OFF",
		"autoAccept": autoAccept,
		"shifts":     []map[string]any{{"startsAt": volTime(start), "endsAt": volTime(start.Add(2 * time.Hour)), "places": places}}})
	if n == nil {
		t.Fatalf("create need: %+v", ues)
	}
	var pub struct {
		PublishNeed struct {
			Need       *struct{ Status string }
			UserErrors []volUserError
		}
	}
	coord.MustData(t, volPublishMutation, map[string]any{"id": n.ID}, &pub)
	if pub.PublishNeed.Need == nil || pub.PublishNeed.Need.Status != "OPEN" {
		t.Fatalf("publish: %+v", pub.PublishNeed)
	}
	return n.ID, n.Shifts.Edges[0].Node.ID
}

// ---------------------------------------------------------------------------------------
// Journeys

func TestVolunteeringJourneyFromNeedToAcceptance(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	vol := p.Register(t, "vera@example.org", "Vera Vrijwilliger")
	title := "Soep koken in Deurne"

	// The coordinator drafts a need with two shifts.
	start := time.Now().In(time.UTC).Add(96 * time.Hour).Truncate(time.Hour)
	n, ues := volCreateNeed(t, coord, map[string]any{
		"organisationId": orgID, "title": title, "description": "Samen soep koken voor de buurt.",
		"schedule": "ONE_OFF", "autoAccept": false, "themeIds": []string{},
		"shifts": []map[string]any{
			{"startsAt": volTime(start), "endsAt": volTime(start.Add(150 * time.Minute)), "places": 2},
			{"startsAt": volTime(start.Add(24 * time.Hour)), "endsAt": volTime(start.Add(26 * time.Hour)), "places": 1},
		}})
	if n == nil {
		t.Fatalf("create need: %+v", ues)
	}
	if n.Status != "DRAFT" || n.Title != title || n.Shifts.TotalCount != 2 || n.PlacesLeft == nil || *n.PlacesLeft != 3 {
		t.Fatalf("new need = %+v", n)
	}
	if n.Organisation.ID != orgID {
		t.Errorf("need organisation = %s, want %s", n.Organisation.ID, orgID)
	}

	// A draft is invisible to volunteers.
	if got := volGetNeed(t, vol, n.ID); got != nil {
		t.Errorf("volunteer sees the draft: %+v", got)
	}
	var pub struct {
		PublishNeed struct {
			Need       *struct{ ID, Status string }
			UserErrors []volUserError
		}
	}
	coord.MustData(t, volPublishMutation, map[string]any{"id": n.ID}, &pub)
	if pub.PublishNeed.Need == nil || pub.PublishNeed.Need.Status != "OPEN" {
		t.Fatalf("publish: %+v", pub.PublishNeed)
	}

	// The volunteer finds it and applies to the first shift.
	seen := volGetNeed(t, vol, n.ID)
	if seen == nil || seen.Status != "OPEN" || len(seen.Shifts.Edges) != 2 {
		t.Fatalf("volunteer's view of the need = %+v", seen)
	}
	first := seen.Shifts.Edges[0].Node
	if st, _ := time.Parse(time.RFC3339, first.StartsAt); !st.Equal(start) {
		t.Errorf("first shift starts %s, want %s", first.StartsAt, volTime(start))
	}
	if first.PlacesLeft != 2 || first.Places != 2 {
		t.Errorf("first shift = %+v", first)
	}
	res := volApply(t, vol, n.ID, first.ID, "Ik kook graag!")
	if res.Application == nil || len(res.UserErrors) > 0 {
		t.Fatalf("apply: %+v", res.UserErrors)
	}
	app := res.Application
	if app.Status != "PENDING" || app.Message != "Ik kook graag!" || app.Shift == nil || app.Shift.ID != first.ID ||
		app.Need.ID != n.ID {
		t.Errorf("application = %+v", app)
	}
	if app.Person.Email == nil || *app.Person.Email != "vera@example.org" {
		t.Errorf("the volunteer does not see their own email: %v", app.Person.Email)
	}

	// The volunteer does not see the need's applications; they see their own.
	seen = volGetNeed(t, vol, n.ID)
	if seen.Applications.TotalCount != 0 || len(seen.Applications.Edges) != 0 {
		t.Errorf("volunteer sees %d applications of the need", seen.Applications.TotalCount)
	}
	if len(seen.ViewerApplications) != 1 || seen.ViewerApplications[0].ID != app.ID {
		t.Errorf("viewerApplications = %+v", seen.ViewerApplications)
	}

	// The coordinator sees the application, without the volunteer's email yet.
	mine := volGetNeed(t, coord, n.ID)
	if mine.Applications.TotalCount != 1 || len(mine.Applications.Edges) != 1 {
		t.Fatalf("coordinator sees %d applications", mine.Applications.TotalCount)
	}
	got := mine.Applications.Edges[0].Node
	if got.ID != app.ID || got.Person.DisplayName != "Vera Vrijwilliger" {
		t.Errorf("coordinator's view = %+v", got)
	}
	if got.Person.Email != nil {
		t.Errorf("coordinator sees the email %q before acceptance", *got.Person.Email)
	}

	// The coordinator accepts.
	var acc struct{ AcceptApplication volApplicationPayload }
	coord.MustData(t, volAcceptMutation, map[string]any{"id": app.ID}, &acc)
	if acc.AcceptApplication.Application == nil || acc.AcceptApplication.Application.Status != "ACCEPTED" {
		t.Fatalf("accept: %+v", acc.AcceptApplication)
	}
	hist := acc.AcceptApplication.Application.History
	if len(hist) != 2 || hist[0].Status != "PENDING" || hist[1].Status != "ACCEPTED" ||
		hist[0].By == nil || hist[0].By.DisplayName != "Vera Vrijwilliger" ||
		hist[1].By == nil || hist[1].By.DisplayName != "Coco Coördinator" || hist[1].At == "" {
		t.Errorf("history = %+v", hist)
	}
	mine = volGetNeed(t, coord, n.ID)
	if e := mine.Applications.Edges[0].Node.Person.Email; e == nil || *e != "vera@example.org" {
		t.Errorf("coordinator's view of the email after acceptance = %v, want vera@example.org", e)
	}
	if sh := mine.Shifts.Edges[0].Node; sh.PlacesTaken != 1 || sh.PlacesLeft != 1 {
		t.Errorf("shift after acceptance = %+v", sh)
	}
	if mine.PlacesLeft == nil || *mine.PlacesLeft != 2 {
		t.Errorf("need places left = %v, want 2", mine.PlacesLeft)
	}

	// The volunteer is told, in the language of the request.
	for _, lang := range []string{"fr", "en", "nl"} {
		vol.Language = lang
		var found *volNotification
		for _, nt := range volNotifications(t, vol) {
			if nt.Kind == "APPLICATION_ACCEPTED" {
				found = &nt
			}
		}
		if found == nil {
			t.Fatalf("%s: no APPLICATION_ACCEPTED notification", lang)
		}
		want := volLocale(t, lang)("notification_application_accepted", "Need", title)
		if found.Text != want {
			t.Errorf("%s: notification text = %q, want %q", lang, found.Text, want)
		}
		if found.Application == nil || found.Application.ID != app.ID || found.Need == nil || found.Need.ID != n.ID {
			t.Errorf("%s: notification links = %+v", lang, found)
		}
	}
	vol.Language = ""

	// The coordinator was told about the application.
	var received bool
	for _, nt := range volNotifications(t, coord) {
		if nt.Kind == "APPLICATION_RECEIVED" && nt.Application != nil && nt.Application.ID == app.ID {
			received = true
		}
	}
	if !received {
		t.Error("coordinator has no APPLICATION_RECEIVED notification")
	}

	// myApplications lists it.
	var my struct {
		MyApplications struct {
			Edges      []struct{ Node volApplication }
			TotalCount int
		}
	}
	vol.MustData(t, volMyApplicationsQuery, nil, &my)
	if my.MyApplications.TotalCount != 1 || len(my.MyApplications.Edges) != 1 {
		t.Fatalf("myApplications = %+v", my.MyApplications)
	}
	if a := my.MyApplications.Edges[0].Node; a.ID != app.ID || a.Status != "ACCEPTED" || a.Need.Title != title {
		t.Errorf("myApplications node = %+v", a)
	}
	// Someone else's myApplications is empty.
	other := p.Register(t, "omar@example.org", "Omar")
	other.MustData(t, volMyApplicationsQuery, nil, &my)
	if my.MyApplications.TotalCount != 0 {
		t.Errorf("another person's myApplications has %d", my.MyApplications.TotalCount)
	}
}

func TestVolunteeringUserErrorsFollowAcceptLanguage(t *testing.T) {
	t.Parallel()
	p, _, coord, orgID := volSetup(t)
	vol := p.Register(t, "vera@example.org", "Vera")
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Boeken sorteren", 3, true)
	if res := volApply(t, vol, needID, shiftID, ""); res.Application == nil || res.Application.Status != "ACCEPTED" {
		t.Fatalf("apply: %+v", res)
	}
	for _, lang := range []string{"nl", "fr", "en", "ar"} {
		vol.Language = lang
		res := volApply(t, vol, needID, shiftID, "")
		if res.Application != nil {
			t.Errorf("%s: applying twice gave an application", lang)
		}
		volWantUserError(t, res.UserErrors, []string{"input", "shiftId"}, "INVALID_STATE", volLocale(t, lang)("already_applied"))
	}
	if got := volCount(t, p, `SELECT count(*) FROM applications`); got != 1 {
		t.Errorf("%d applications, want 1", got)
	}

	// Bad input on createNeed: clear messages in the request's language, nothing written.
	for _, lang := range []string{"en", "fr"} {
		coord.Language = lang
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		n, ues := volCreateNeed(t, coord, map[string]any{"organisationId": orgID, "title": "", "schedule": "ONE_OFF",
			"description": strings.Repeat("x", 6000), "location": map[string]any{"latitude": 100, "longitude": 4.4},
			"shifts": []map[string]any{{"startsAt": volTime(start), "endsAt": volTime(start.Add(-time.Hour)), "places": 10000}}})
		if n != nil {
			t.Errorf("%s: bad input created a need", lang)
		}
		msg := volLocale(t, lang)
		volWantUserError(t, ues, []string{"input", "title"}, "REQUIRED", msg("required"))
		volWantUserError(t, ues, []string{"input", "description"}, "TOO_LONG", msg("too_long", "Max", "5000"))
		volWantUserError(t, ues, []string{"input", "location"}, "OUT_OF_RANGE", msg("invalid_coordinates"))
		volWantUserError(t, ues, []string{"input", "shifts", "0", "endsAt"}, "INVALID", msg("end_before_start"))
		volWantUserError(t, ues, []string{"input", "shifts", "0", "places"}, "OUT_OF_RANGE", "")
	}
	if got := volCount(t, p, `SELECT count(*) FROM needs`); got != 1 {
		t.Errorf("%d needs, want 1 (bad input writes nothing)", got)
	}
	if got := volCount(t, p, `SELECT count(*) FROM shifts`); got != 1 {
		t.Errorf("%d shifts, want 1", got)
	}
}

func TestVolunteeringForbiddenThroughGraphQL(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	vol := p.Register(t, "vera@example.org", "Vera")
	needID, shiftID := volPublishedNeed(t, coord, orgID, "Tuin wieden", 2, false)
	res := volApply(t, vol, needID, shiftID, "")
	if res.Application == nil {
		t.Fatalf("apply: %+v", res.UserErrors)
	}
	appID := res.Application.ID

	// A coordinator of another (approved) organisation.
	other := p.Register(t, "other@example.org", "Other Coordinator")
	var out struct {
		CreateOrganisation struct{ Organisation *struct{ ID string } }
	}
	other.MustData(t, `mutation { createOrganisation(input: { kind: NON_PROFIT, name: "Andere vzw" }) { organisation { id } } }`, nil, &out)
	admin.MustData(t, `mutation($id: ID!) { approveOrganisation(input: { organisationId: $id }) { organisation { status } } }`,
		map[string]any{"id": out.CreateOrganisation.Organisation.ID}, nil)

	volWantTopLevel(t, other.Do(t, volAcceptMutation, map[string]any{"id": appID}), "FORBIDDEN")
	volWantTopLevel(t, vol.Do(t, volAcceptMutation, map[string]any{"id": appID}), "FORBIDDEN")
	volWantTopLevel(t, other.Do(t, volWithdrawMutation, map[string]any{"id": appID}), "FORBIDDEN")
	volWantTopLevel(t, other.Do(t, `mutation($id: ID!) { updateNeed(input: { needId: $id, title: "Overgenomen" }) {
		need { id } userErrors { code } } }`, map[string]any{"id": needID}), "FORBIDDEN")
	volWantTopLevel(t, other.Do(t, `mutation($id: ID!) { closeNeed(input: { needId: $id, cancel: true }) {
		need { id } userErrors { code } } }`, map[string]any{"id": needID}), "FORBIDDEN")
	volWantTopLevel(t, p.Client().Do(t, volApplyMutation, map[string]any{"in": map[string]any{"needId": needID, "shiftId": shiftID}}),
		"UNAUTHENTICATED")

	// The coordinator of another organisation sees no applications and no email.
	if n := volGetNeed(t, other, needID); n == nil || n.Applications.TotalCount != 0 {
		t.Errorf("another organisation's coordinator sees the applications: %+v", n)
	}
	var status string
	if err := p.DB.Get(&status, `SELECT status FROM applications`); err != nil || status != "PENDING" {
		t.Errorf("application status = %q (%v), want PENDING", status, err)
	}
	var title string
	if err := p.DB.Get(&title, `SELECT title FROM needs`); err != nil || title != "Tuin wieden" {
		t.Errorf("need title = %q (%v)", title, err)
	}

	// Withdrawing, then accepting the withdrawn application, is a user error.
	var wd struct{ WithdrawApplication volApplicationPayload }
	vol.MustData(t, volWithdrawMutation, map[string]any{"id": appID}, &wd)
	if wd.WithdrawApplication.Application == nil || wd.WithdrawApplication.Application.Status != "WITHDRAWN" {
		t.Fatalf("withdraw: %+v", wd.WithdrawApplication)
	}
	coord.Language = "en"
	var acc struct{ AcceptApplication volApplicationPayload }
	coord.MustData(t, volAcceptMutation, map[string]any{"id": appID}, &acc)
	volWantUserError(t, acc.AcceptApplication.UserErrors, []string{"input", "applicationId"}, "INVALID_STATE",
		volLocale(t, "en")("cannot_accept"))
}
