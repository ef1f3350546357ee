package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// ---------------------------------------------------------------------------------------
// Helpers (prefixed "orgs" so that they do not clash with other test files of the package).

const orgsFields = `id kind status name description website logoUrl contactEmail viewerRole reviewedAt
	address { street postcode city } district { key name } location { latitude longitude }
	themes { key } languages { code } accessibility members { role person { displayName } }`

type orgsOrg struct {
	ID, Kind, Status, Name, Description string
	Website, LogoURL, ContactEmail      *string
	ViewerRole                          *string
	ReviewedAt                          *string
	Address                             struct{ Street, Postcode, City string }
	District                            *struct{ Key, Name string }
	Location                            *struct{ Latitude, Longitude float64 }
	Themes                              []struct{ Key string }
	Languages                           []struct{ Code string }
	Accessibility                       []string
	Members                             []struct {
		Role   string
		Person struct{ DisplayName string }
	}
}

type orgsUserError struct {
	Field   []string
	Code    string
	Message string
}

type orgsPayload struct {
	Organisation *orgsOrg
	UserErrors   []orgsUserError
}

type orgsConnection struct {
	Edges []struct {
		Cursor string
		Node   orgsOrg
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	TotalCount int
}

func (c orgsConnection) names() []string {
	out := make([]string, 0, len(c.Edges))
	for _, e := range c.Edges {
		out = append(out, e.Node.Name)
	}
	return out
}

const (
	orgsCreateMutation = `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) {
		organisation { ` + orgsFields + ` } userErrors { field code message } } }`
	orgsUpdateMutation = `mutation($in: UpdateOrganisationInput!) { updateOrganisation(input: $in) {
		organisation { ` + orgsFields + ` } userErrors { field code message } } }`
	orgsReviewMutation = `mutation($in: ApproveOrganisationInput!) { approveOrganisation(input: $in) {
		organisation { ` + orgsFields + ` } userErrors { field code message } } }`
	orgsGetQuery  = `query($id: ID!) { organisation(id: $id) { ` + orgsFields + ` } }`
	orgsListQuery = `query($filter: OrganisationFilter, $first: Int, $after: String) {
		organisations(filter: $filter, first: $first, after: $after) {
			edges { cursor node { id name status kind } }
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			totalCount } }`
	orgsAddMemberMutation = `mutation($in: AddOrganisationMemberInput!) { addOrganisationMember(input: $in) {
		membership { role organisation { id name } person { displayName } } userErrors { field code message } } }`
	orgsRolesQuery = `{ me { roles } }`
)

// orgsPlatform starts a platform and returns it with a signed-in administrator.
func orgsPlatform(t *testing.T) (*testutil.Platform, *testutil.Client) {
	t.Helper()
	p := testutil.NewPlatform(t)
	admin := p.Register(t, "admin@example.org", "Admin")
	p.MakeAdmin(t, "admin@example.org")
	return p, admin
}

func orgsCreate(t *testing.T, c *testutil.Client, in map[string]any) orgsPayload {
	t.Helper()
	var out struct{ CreateOrganisation orgsPayload }
	c.MustData(t, orgsCreateMutation, map[string]any{"in": in}, &out)
	return out.CreateOrganisation
}

func orgsMustCreate(t *testing.T, c *testutil.Client, in map[string]any) *orgsOrg {
	t.Helper()
	res := orgsCreate(t, c, in)
	if res.Organisation == nil || len(res.UserErrors) > 0 {
		t.Fatalf("create organisation %v: %+v", in, res.UserErrors)
	}
	return res.Organisation
}

func orgsUpdate(t *testing.T, c *testutil.Client, in map[string]any) orgsPayload {
	t.Helper()
	var out struct{ UpdateOrganisation orgsPayload }
	c.MustData(t, orgsUpdateMutation, map[string]any{"in": in}, &out)
	return out.UpdateOrganisation
}

func orgsReview(t *testing.T, c *testutil.Client, id string, approve bool) orgsPayload {
	t.Helper()
	var out struct{ ApproveOrganisation orgsPayload }
	c.MustData(t, orgsReviewMutation, map[string]any{"in": map[string]any{"organisationId": id, "approve": approve}}, &out)
	return out.ApproveOrganisation
}

func orgsMustApprove(t *testing.T, admin *testutil.Client, id string) {
	t.Helper()
	res := orgsReview(t, admin, id, true)
	if res.Organisation == nil || res.Organisation.Status != "APPROVED" {
		t.Fatalf("approve %s: %+v", id, res)
	}
}

func orgsGet(t *testing.T, c *testutil.Client, id string) *orgsOrg {
	t.Helper()
	var out struct{ Organisation *orgsOrg }
	c.MustData(t, orgsGetQuery, map[string]any{"id": id}, &out)
	return out.Organisation
}

func orgsList(t *testing.T, c *testutil.Client, filter map[string]any, first int, after *string) orgsConnection {
	t.Helper()
	vars := map[string]any{"filter": filter, "first": first}
	if after != nil {
		vars["after"] = *after
	}
	var out struct{ Organisations orgsConnection }
	c.MustData(t, orgsListQuery, vars, &out)
	return out.Organisations
}

func orgsAddMember(t *testing.T, c *testutil.Client, orgID, email, role string) *testutil.Response {
	t.Helper()
	in := map[string]any{"organisationId": orgID, "email": email}
	if role != "" {
		in["role"] = role
	}
	return c.Do(t, orgsAddMemberMutation, map[string]any{"in": in})
}

// orgsWantTopLevel checks that a response failed as a whole with a top-level error code
// (not a user error, not a server error).
func orgsWantTopLevel(t *testing.T, r *testutil.Response, code string) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("HTTP status %d, want a GraphQL error %s", r.Status, code)
	}
	if got := r.ErrorCode(); got != code {
		t.Fatalf("error code = %q, want %q (errors: %+v, data: %s)", got, code, r.Errors, r.Data)
	}
}

func orgsWantUserError(t *testing.T, ues []orgsUserError, field []string, code string) {
	t.Helper()
	for _, e := range ues {
		if slices.Equal(e.Field, field) && e.Code == code {
			if e.Message == "" || e.Message == string(code) {
				t.Errorf("user error %v %s has no readable message: %q", field, code, e.Message)
			}
			return
		}
	}
	t.Errorf("user errors = %+v, want %s on %v", ues, code, field)
}

func orgsCount(t *testing.T, p *testutil.Platform) int {
	t.Helper()
	var n int
	if err := p.DB.Get(&n, `SELECT count(*) FROM organisations`); err != nil {
		t.Fatal(err)
	}
	return n
}

func orgsMemberCount(t *testing.T, p *testutil.Platform) int {
	t.Helper()
	var n int
	if err := p.DB.Get(&n, `SELECT count(*) FROM organisation_members`); err != nil {
		t.Fatal(err)
	}
	return n
}

// orgsKey returns the database key of an organisation's global ID.
func orgsKey(t *testing.T, id string) string {
	t.Helper()
	k, err := relay.FromID("Organisation", id)
	if err != nil {
		t.Fatalf("decode organisation ID %q: %v", id, err)
	}
	return k
}

// orgsRowJSON returns an organisation's whole row, to check that nothing was written.
func orgsRowJSON(t *testing.T, p *testutil.Platform, id string) string {
	t.Helper()
	var s string
	if err := p.DB.Get(&s, `SELECT row_to_json(o)::text FROM organisations o WHERE id = $1`, orgsKey(t, id)); err != nil {
		t.Fatal(err)
	}
	return s
}

type orgsRow struct {
	Name, Kind, Status, Description, District string
	Themes, Languages, Access                 []string
}

// orgsInsert writes an organisation straight into the database (fast set-up for
// listing tests) and returns its global ID.
func orgsInsert(t *testing.T, p *testutil.Platform, r orgsRow) string {
	t.Helper()
	if r.Kind == "" {
		r.Kind = "NON_PROFIT"
	}
	if r.Status == "" {
		r.Status = "APPROVED"
	}
	arr := func(s []string) pq.StringArray { return pq.StringArray(append([]string{}, s...)) }
	var id string
	err := p.DB.Get(&id, `INSERT INTO organisations (kind, status, name, description, district_key, themes, languages, accessibility)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8) RETURNING id`,
		r.Kind, r.Status, r.Name, r.Description, r.District, arr(r.Themes), arr(r.Languages), arr(r.Access))
	if err != nil {
		t.Fatalf("insert organisation %q: %v", r.Name, err)
	}
	return relay.ID("Organisation", id)
}

func orgsRoles(t *testing.T, c *testutil.Client) []string {
	t.Helper()
	var out struct{ Me struct{ Roles []string } }
	c.MustData(t, orgsRolesQuery, nil, &out)
	return out.Me.Roles
}

func orgsSorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// ---------------------------------------------------------------------------------------
// createOrganisation and visibility

func TestCreateOrganisationAnonymouslyIsUnauthenticatedAndWritesNothing(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	r := p.Client().Do(t, orgsCreateMutation, map[string]any{"in": map[string]any{"kind": "NON_PROFIT", "name": "Buurthuis"}})
	orgsWantTopLevel(t, r, "UNAUTHENTICATED")
	if len(r.Errors[0].Path) == 0 || r.Errors[0].Path[0] != "createOrganisation" {
		t.Errorf("error path = %v, want [createOrganisation]", r.Errors[0].Path)
	}
	if n := orgsCount(t, p); n != 0 {
		t.Errorf("%d organisations written, want 0", n)
	}
}

func TestNewOrganisationIsPendingAndVisibleOnlyToItsMembersAndAdministrators(t *testing.T) {
	t.Parallel()
	p, admin := orgsPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	bob := p.Register(t, "bob@example.org", "Bob")
	anon := p.Client()

	org := orgsMustCreate(t, alice, map[string]any{"kind": "NEIGHBOURHOOD_CENTRE", "name": "Buurthuis De Ploeg"})
	if org.Status != "PENDING" {
		t.Errorf("status = %s, want PENDING", org.Status)
	}
	if org.ViewerRole == nil || *org.ViewerRole != "ADMIN" {
		t.Errorf("creator's viewerRole = %v, want ADMIN", org.ViewerRole)
	}
	if len(org.Members) != 1 || org.Members[0].Role != "ADMIN" || org.Members[0].Person.DisplayName != "Alice" {
		t.Errorf("members = %+v, want Alice as ADMIN", org.Members)
	}
	if org.ReviewedAt != nil {
		t.Errorf("reviewedAt = %v for a pending organisation", *org.ReviewedAt)
	}

	t.Run("organisation(id)", func(t *testing.T) {
		for _, tt := range []struct {
			who     string
			c       *testutil.Client
			visible bool
		}{
			{"anonymous", anon, false},
			{"another person", bob, false},
			{"creator", alice, true},
			{"administrator", admin, true},
		} {
			got := orgsGet(t, tt.c, org.ID)
			if (got != nil) != tt.visible {
				t.Errorf("%s: organisation = %+v, want visible=%v", tt.who, got, tt.visible)
			}
		}
	})

	t.Run("public listing leaves it out", func(t *testing.T) {
		for _, c := range []*testutil.Client{anon, bob, alice, admin} {
			if got := orgsList(t, c, nil, 20, nil); got.TotalCount != 0 || len(got.Edges) != 0 {
				t.Errorf("public listing = %v (total %d), want empty", got.names(), got.TotalCount)
			}
		}
	})

	t.Run("administrator lists pending", func(t *testing.T) {
		got := orgsList(t, admin, map[string]any{"status": "PENDING"}, 20, nil)
		if !slices.Equal(got.names(), []string{"Buurthuis De Ploeg"}) || got.TotalCount != 1 {
			t.Errorf("pending for admin = %v (total %d)", got.names(), got.TotalCount)
		}
	})

	t.Run("non-administrators may not list pending", func(t *testing.T) {
		q := `{ organisations(filter: {status: PENDING}) { totalCount edges { node { name } } } }`
		orgsWantTopLevel(t, bob.Do(t, q, nil), "FORBIDDEN")
		orgsWantTopLevel(t, alice.Do(t, q, nil), "FORBIDDEN")
		orgsWantTopLevel(t, anon.Do(t, q, nil), "UNAUTHENTICATED")
	})

	t.Run("mine", func(t *testing.T) {
		got := orgsList(t, alice, map[string]any{"mine": true}, 20, nil)
		if !slices.Equal(got.names(), []string{"Buurthuis De Ploeg"}) || got.Edges[0].Node.Status != "PENDING" {
			t.Errorf("mine for creator = %+v", got.Edges)
		}
		if got := orgsList(t, bob, map[string]any{"mine": true}, 20, nil); len(got.Edges) != 0 || got.TotalCount != 0 {
			t.Errorf("mine for a non-member = %v", got.names())
		}
		orgsWantTopLevel(t, anon.Do(t, `{ organisations(filter: {mine: true}) { totalCount } }`, nil), "UNAUTHENTICATED")
	})

	t.Run("administrator who is no member", func(t *testing.T) {
		got := orgsGet(t, admin, org.ID)
		if got.ViewerRole != nil {
			t.Errorf("administrator's viewerRole = %v, want null", *got.ViewerRole)
		}
		if len(got.Members) != 1 {
			t.Errorf("administrator sees members %+v, want Alice", got.Members)
		}
	})
}

// ---------------------------------------------------------------------------------------
// approveOrganisation

func TestApproveOrganisationIsForAdministratorsAndPublishesIt(t *testing.T) {
	t.Parallel()
	p, admin := orgsPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	bob := p.Register(t, "bob@example.org", "Bob")
	anon := p.Client()
	org := orgsMustCreate(t, alice, map[string]any{"kind": "SCHOOL", "name": "Basisschool De Wereld"})
	in := map[string]any{"in": map[string]any{"organisationId": org.ID}}

	t.Run("non-administrators are refused", func(t *testing.T) {
		orgsWantTopLevel(t, bob.Do(t, orgsReviewMutation, in), "FORBIDDEN")
		orgsWantTopLevel(t, alice.Do(t, orgsReviewMutation, in), "FORBIDDEN") // its own admin is no platform administrator
		orgsWantTopLevel(t, anon.Do(t, orgsReviewMutation, in), "UNAUTHENTICATED")
		if got := orgsGet(t, admin, org.ID); got.Status != "PENDING" {
			t.Errorf("status after refused approvals = %s, want PENDING", got.Status)
		}
	})

	t.Run("administrator approves", func(t *testing.T) {
		res := orgsReview(t, admin, org.ID, true)
		if len(res.UserErrors) != 0 || res.Organisation == nil || res.Organisation.Status != "APPROVED" || res.Organisation.ReviewedAt == nil {
			t.Fatalf("approve = %+v", res)
		}
		got := orgsGet(t, anon, org.ID)
		if got == nil || got.Status != "APPROVED" {
			t.Fatalf("anonymous sees %+v after approval", got)
		}
		if l := orgsList(t, anon, nil, 20, nil); !slices.Equal(l.names(), []string{"Basisschool De Wereld"}) || l.TotalCount != 1 {
			t.Errorf("public listing after approval = %v", l.names())
		}
	})

	t.Run("members stay hidden from non-members once public", func(t *testing.T) {
		for who, c := range map[string]*testutil.Client{"anonymous": anon, "another person": bob} {
			got := orgsGet(t, c, org.ID)
			if got == nil {
				t.Fatalf("%s cannot see an approved organisation", who)
			}
			if len(got.Members) != 0 || got.ViewerRole != nil {
				t.Errorf("%s sees members %+v / viewerRole %v, want none", who, got.Members, got.ViewerRole)
			}
		}
		if got := orgsGet(t, alice, org.ID); len(got.Members) != 1 {
			t.Errorf("member sees members %+v", got.Members)
		}
	})

	t.Run("approving again is an invalid state", func(t *testing.T) {
		res := orgsReview(t, admin, org.ID, true)
		if res.Organisation != nil {
			t.Errorf("organisation returned with the user error: %+v", res.Organisation)
		}
		orgsWantUserError(t, res.UserErrors, []string{"input", "organisationId"}, "INVALID_STATE")
	})

	t.Run("unknown and malformed IDs", func(t *testing.T) {
		missing := relay.ID("Organisation", "00000000-0000-4000-8000-000000000000")
		orgsWantUserError(t, orgsReview(t, admin, missing, true).UserErrors, []string{"input", "organisationId"}, "NOT_FOUND")
		orgsWantUserError(t, orgsReview(t, admin, "not an id", true).UserErrors, []string{"input", "organisationId"}, "INVALID")
		person := relay.ID("Person", orgsKey(t, org.ID))
		orgsWantUserError(t, orgsReview(t, admin, person, true).UserErrors, []string{"input", "organisationId"}, "INVALID")
	})
}

func TestRejectOrganisationHidesIt(t *testing.T) {
	t.Parallel()
	p, admin := orgsPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	anon := p.Client()
	pending := orgsMustCreate(t, alice, map[string]any{"kind": "OTHER", "name": "Twijfelachtig Initiatief"})
	published := orgsMustCreate(t, alice, map[string]any{"kind": "OTHER", "name": "Ooit Goedgekeurd"})
	orgsMustApprove(t, admin, published.ID)

	for _, o := range []*orgsOrg{pending, published} {
		res := orgsReview(t, admin, o.ID, false)
		if len(res.UserErrors) != 0 || res.Organisation == nil || res.Organisation.Status != "REJECTED" {
			t.Fatalf("reject %s = %+v", o.Name, res)
		}
		if got := orgsGet(t, anon, o.ID); got != nil {
			t.Errorf("anonymous still sees rejected %s", o.Name)
		}
		if got := orgsGet(t, alice, o.ID); got == nil || got.Status != "REJECTED" {
			t.Errorf("member sees %+v, want the rejected organisation", got)
		}
	}
	if l := orgsList(t, anon, nil, 20, nil); l.TotalCount != 0 {
		t.Errorf("public listing after rejection = %v", l.names())
	}
	if l := orgsList(t, admin, map[string]any{"status": "REJECTED"}, 20, nil); l.TotalCount != 2 {
		t.Errorf("rejected for admin = %v, want both", l.names())
	}
	orgsWantUserError(t, orgsReview(t, admin, pending.ID, false).UserErrors, []string{"input", "organisationId"}, "INVALID_STATE")
}

// ---------------------------------------------------------------------------------------
// updateOrganisation authorisation

func TestUpdateOrganisationIsForItsMembersAndAdministrators(t *testing.T) {
	t.Parallel()
	p, admin := orgsPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	carol := p.Register(t, "carol@example.org", "Carol")
	dave := p.Register(t, "dave@example.org", "Dave")
	orgA := orgsMustCreate(t, alice, map[string]any{"kind": "NON_PROFIT", "name": "Organisatie A"})
	orgB := orgsMustCreate(t, carol, map[string]any{"kind": "SCHOOL", "name": "Organisatie B"})
	orgC := orgsMustCreate(t, carol, map[string]any{"kind": "SCHOOL", "name": "Organisatie C (pending)"})
	orgsMustApprove(t, admin, orgA.ID)
	orgsMustApprove(t, admin, orgB.ID)
	if r := orgsAddMember(t, alice, orgA.ID, "dave@example.org", "COORDINATOR"); len(r.Errors) > 0 {
		t.Fatalf("add dave: %+v", r.Errors)
	}

	tests := []struct {
		name     string
		c        *testutil.Client
		org      *orgsOrg
		wantCode string // "" when the update must succeed
	}{
		{"coordinator of A updates approved B", dave, orgB, "FORBIDDEN"},
		{"admin of A updates approved B", alice, orgB, "FORBIDDEN"},
		{"coordinator of A updates pending C", dave, orgC, "NOT_FOUND"},
		{"anonymous updates A", p.Client(), orgA, "UNAUTHENTICATED"},
		{"coordinator of A updates A", dave, orgA, ""},
		{"admin of A updates A", alice, orgA, ""},
		{"administrator updates B", admin, orgB, ""},
		{"administrator updates pending C", admin, orgC, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := orgsRowJSON(t, p, tt.org.ID)
			desc := fmt.Sprintf("Bijgewerkt (%d)", i)
			r := tt.c.Do(t, orgsUpdateMutation, map[string]any{"in": map[string]any{"organisationId": tt.org.ID, "description": desc}})
			if tt.wantCode != "" {
				orgsWantTopLevel(t, r, tt.wantCode)
				if after := orgsRowJSON(t, p, tt.org.ID); after != before {
					t.Errorf("refused update changed the row:\n%s\n%s", before, after)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			var got string
			if err := p.DB.Get(&got, `SELECT description FROM organisations WHERE id = $1`, orgsKey(t, tt.org.ID)); err != nil {
				t.Fatal(err)
			}
			if got != desc {
				t.Errorf("description = %q, want %q", got, desc)
			}
		})
	}
}

// ---------------------------------------------------------------------------------------
// Input validation

type orgsBadInput struct {
	name  string
	set   map[string]any
	field []string
	code  string
}

func orgsBadInputs() []orgsBadInput {
	in := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	return []orgsBadInput{
		{"empty name", in("name", ""), []string{"input", "name"}, "REQUIRED"},
		{"blank name", in("name", "   "), []string{"input", "name"}, "REQUIRED"},
		{"one-letter name", in("name", "A"), []string{"input", "name"}, "TOO_SHORT"},
		{"121-character name", in("name", strings.Repeat("n", 121)), []string{"input", "name"}, "TOO_LONG"},
		{"name with a control character", in("name", "Buurt\x00huis"), []string{"input", "name"}, "INVALID"},
		{"6000-character description", in("description", strings.Repeat("d", 6000)), []string{"input", "description"}, "TOO_LONG"},
		{"ftp website", in("website", "ftp://x"), []string{"input", "website"}, "INVALID"},
		{"website that is no URL", in("website", "not a url"), []string{"input", "website"}, "INVALID"},
		{"website without host", in("website", "https://"), []string{"input", "website"}, "INVALID"},
		{"javascript logo URL", in("logoUrl", "javascript:alert(1)"), []string{"input", "logoUrl"}, "INVALID"},
		{"latitude 91", in("location", map[string]any{"latitude": 91, "longitude": 4.4}), []string{"input", "location"}, "OUT_OF_RANGE"},
		{"latitude -90.5", in("location", map[string]any{"latitude": -90.5, "longitude": 4.4}), []string{"input", "location"}, "OUT_OF_RANGE"},
		{"longitude 200", in("location", map[string]any{"latitude": 51.2, "longitude": 200}), []string{"input", "location"}, "OUT_OF_RANGE"},
		{"unknown theme", in("themeIds", []string{relay.ID("Theme", "no-such-theme")}), []string{"input", "themeIds"}, "UNKNOWN_REFERENCE"},
		{"malformed theme ID", in("themeIds", []string{"%%% not an id"}), []string{"input", "themeIds"}, "INVALID"},
		{"district ID given as theme ID", in("themeIds", []string{relay.ID("District", "borgerhout")}), []string{"input", "themeIds"}, "INVALID"},
		{"unknown district", in("districtId", relay.ID("District", "atlantis")), []string{"input", "districtId"}, "UNKNOWN_REFERENCE"},
		{"malformed district ID", in("districtId", "!!"), []string{"input", "districtId"}, "INVALID"},
		{"unknown language", in("languages", []string{"nl", "xx"}), []string{"input", "languages"}, "UNKNOWN_REFERENCE"},
		{"invalid contact email", in("contactEmail", "not-an-email"), []string{"input", "contactEmail"}, "INVALID_EMAIL"},
		{"contact email with a display name", in("contactEmail", "Alice <alice@example.org>"), []string{"input", "contactEmail"}, "INVALID_EMAIL"},
		{"11-character postcode", in("address", map[string]any{"postcode": "21400000000"}), []string{"input", "address", "postcode"}, "TOO_LONG"},
	}
}

func TestCreateOrganisationRejectsBadInputWithFieldPathsAndWritesNothing(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	for _, tt := range orgsBadInputs() {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"kind": "NON_PROFIT", "name": "Buurthuis De Ploeg"}
			for k, v := range tt.set {
				in[k] = v
			}
			res := orgsCreate(t, alice, in)
			if res.Organisation != nil {
				t.Errorf("organisation created despite bad input: %+v", res.Organisation)
			}
			if len(res.UserErrors) != 1 {
				t.Errorf("user errors = %+v, want exactly one", res.UserErrors)
			}
			orgsWantUserError(t, res.UserErrors, tt.field, tt.code)
			if n := orgsCount(t, p); n != 0 {
				t.Fatalf("%d organisations written", n)
			}
			if n := orgsMemberCount(t, p); n != 0 {
				t.Fatalf("%d memberships written", n)
			}
		})
	}

	t.Run("every bad field is reported at once", func(t *testing.T) {
		res := orgsCreate(t, alice, map[string]any{"kind": "NON_PROFIT", "name": "", "website": "ftp://x",
			"location": map[string]any{"latitude": 91, "longitude": 0}, "contactEmail": "nope"})
		for _, want := range []struct {
			field, code string
		}{{"name", "REQUIRED"}, {"website", "INVALID"}, {"location", "OUT_OF_RANGE"}, {"contactEmail", "INVALID_EMAIL"}} {
			orgsWantUserError(t, res.UserErrors, []string{"input", want.field}, want.code)
		}
		if n := orgsCount(t, p); n != 0 {
			t.Fatalf("%d organisations written", n)
		}
	})

	t.Run("values at the limits are accepted", func(t *testing.T) {
		res := orgsCreate(t, alice, map[string]any{"kind": "NON_PROFIT", "name": strings.Repeat("n", 120),
			"description": strings.Repeat("d", 5000), "website": "http://example.org/pad?x=1",
			"location": map[string]any{"latitude": -90, "longitude": 180}, "languages": []string{"vgt", "nl"},
			"contactEmail": "info@example.org", "themeIds": []string{relay.ID("Theme", "care")}})
		if len(res.UserErrors) > 0 || res.Organisation == nil {
			t.Fatalf("user errors = %+v", res.UserErrors)
		}
		if l := res.Organisation.Location; l == nil || l.Latitude != -90 || l.Longitude != 180 {
			t.Errorf("location = %+v", l)
		}
	})
}

func TestUpdateOrganisationRejectsBadInputWithFieldPathsAndWritesNothing(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	org := orgsMustCreate(t, alice, map[string]any{"kind": "NON_PROFIT", "name": "Buurthuis De Ploeg",
		"website": "https://ploeg.example", "contactEmail": "info@ploeg.example"})
	before := orgsRowJSON(t, p, org.ID)
	for _, tt := range orgsBadInputs() {
		t.Run(tt.name, func(t *testing.T) {
			// A valid change next to the bad one must not be written either.
			in := map[string]any{"organisationId": org.ID, "openingHours": "ma-vr 9-17"}
			for k, v := range tt.set {
				in[k] = v
			}
			res := orgsUpdate(t, alice, in)
			if res.Organisation != nil {
				t.Errorf("organisation returned despite bad input: %+v", res.Organisation)
			}
			orgsWantUserError(t, res.UserErrors, tt.field, tt.code)
			if after := orgsRowJSON(t, p, org.ID); after != before {
				t.Fatalf("row changed by a refused update:\n%s\n%s", before, after)
			}
		})
	}
	t.Run("malformed organisation ID", func(t *testing.T) {
		res := orgsUpdate(t, alice, map[string]any{"organisationId": "???", "name": "Nieuw"})
		orgsWantUserError(t, res.UserErrors, []string{"input", "organisationId"}, "INVALID")
	})
	t.Run("a valid update leaves omitted fields alone", func(t *testing.T) {
		res := orgsUpdate(t, alice, map[string]any{"organisationId": org.ID, "themeIds": []string{relay.ID("Theme", "care")},
			"languages": []string{"nl", "ar"}, "address": map[string]any{"postcode": "2140"}})
		if len(res.UserErrors) > 0 || res.Organisation == nil {
			t.Fatalf("update: %+v", res.UserErrors)
		}
		res = orgsUpdate(t, alice, map[string]any{"organisationId": org.ID, "name": "Buurthuis De Ploeg Borgerhout"})
		if len(res.UserErrors) > 0 || res.Organisation == nil {
			t.Fatalf("update: %+v", res.UserErrors)
		}
		o := res.Organisation
		if o.Name != "Buurthuis De Ploeg Borgerhout" || o.Website == nil || *o.Website != "https://ploeg.example" ||
			o.ContactEmail == nil || *o.ContactEmail != "info@ploeg.example" || len(o.Themes) != 1 || o.Themes[0].Key != "care" ||
			len(o.Languages) != 2 || o.Address.Postcode != "2140" || o.Kind != "NON_PROFIT" {
			t.Errorf("after a name-only update: %+v", o)
		}
	})
}

func TestOrganisationDistrictIsDerivedFromPostcodeWhenNotGiven(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	tests := []struct {
		name     string
		in       map[string]any
		wantKey  string // "" for no district
		wantName string
	}{
		{"postcode 2140", map[string]any{"address": map[string]any{"postcode": "2140"}}, "borgerhout", "Borgerhout"},
		{"postcode 2600", map[string]any{"address": map[string]any{"postcode": "2600"}}, "berchem", "Berchem"},
		{"postcode of the city centre", map[string]any{"address": map[string]any{"postcode": "2018"}}, "antwerpen", "Antwerpen"},
		{"explicit district wins", map[string]any{"address": map[string]any{"postcode": "2140"}, "districtId": relay.ID("District", "deurne")}, "deurne", "Deurne"},
		{"postcode outside Antwerp", map[string]any{"address": map[string]any{"postcode": "9000", "city": "Gent"}}, "", ""},
		{"no address", map[string]any{}, "", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"kind": "CULTURAL", "name": fmt.Sprintf("Cultuurhuis %d", i)}
			for k, v := range tt.in {
				in[k] = v
			}
			o := orgsMustCreate(t, alice, in)
			switch {
			case tt.wantKey == "" && o.District != nil:
				t.Errorf("district = %+v, want none", o.District)
			case tt.wantKey != "" && (o.District == nil || o.District.Key != tt.wantKey || o.District.Name != tt.wantName):
				t.Errorf("district = %+v, want %s", o.District, tt.wantKey)
			}
			if o.Address.City == "" {
				t.Errorf("city is empty, want a default")
			}
		})
	}
}

// ---------------------------------------------------------------------------------------
// addOrganisationMember and roles

func TestAddOrganisationMember(t *testing.T) {
	t.Parallel()
	p, admin := orgsPlatform(t)
	alice := p.Register(t, "alice@example.org", "Alice")
	bob := p.Register(t, "bob@example.org", "Bob")
	p.Register(t, "carol@example.org", "Carol")
	p.Register(t, "dave@example.org", "Dave")
	erin := p.Register(t, "erin@example.org", "Erin")
	org := orgsMustCreate(t, alice, map[string]any{"kind": "NON_PROFIT", "name": "Buurtwerk"})

	type memberPayload struct {
		AddOrganisationMember struct {
			Membership *struct {
				Role         string
				Organisation struct{ ID, Name string }
				Person       struct{ DisplayName string }
			}
			UserErrors []orgsUserError
		}
	}
	decode := func(t *testing.T, r *testutil.Response) memberPayload {
		t.Helper()
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		var out memberPayload
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	t.Run("organisation admin adds a registered person as coordinator by default", func(t *testing.T) {
		out := decode(t, orgsAddMember(t, alice, org.ID, "bob@example.org", ""))
		m := out.AddOrganisationMember.Membership
		if m == nil || m.Role != "COORDINATOR" || m.Person.DisplayName != "Bob" || m.Organisation.ID != org.ID {
			t.Fatalf("membership = %+v, user errors %+v", m, out.AddOrganisationMember.UserErrors)
		}
		if got := orgsGet(t, bob, org.ID); got == nil || got.ViewerRole == nil || *got.ViewerRole != "COORDINATOR" {
			t.Errorf("new member sees %+v", got)
		}
		if roles := orgsRoles(t, bob); !slices.Contains(roles, "COORDINATOR") || !slices.Contains(roles, "VOLUNTEER") || slices.Contains(roles, "MERCHANT") {
			t.Errorf("new member's roles = %v, want VOLUNTEER and COORDINATOR", roles)
		}
	})

	t.Run("a coordinator cannot add members", func(t *testing.T) {
		before := orgsMemberCount(t, p)
		orgsWantTopLevel(t, orgsAddMember(t, bob, org.ID, "carol@example.org", ""), "FORBIDDEN")
		// Nor probe whether an email has an account.
		orgsWantTopLevel(t, orgsAddMember(t, bob, org.ID, "nobody@example.org", ""), "FORBIDDEN")
		if after := orgsMemberCount(t, p); after != before {
			t.Errorf("memberships %d -> %d", before, after)
		}
	})

	t.Run("unknown email", func(t *testing.T) {
		out := decode(t, orgsAddMember(t, alice, org.ID, "nobody@example.org", ""))
		if out.AddOrganisationMember.Membership != nil {
			t.Errorf("membership for an unknown email: %+v", out.AddOrganisationMember.Membership)
		}
		orgsWantUserError(t, out.AddOrganisationMember.UserErrors, []string{"input", "email"}, "NOT_FOUND")
	})

	t.Run("adding twice", func(t *testing.T) {
		before := orgsMemberCount(t, p)
		out := decode(t, orgsAddMember(t, alice, org.ID, "bob@example.org", "ADMIN"))
		if out.AddOrganisationMember.Membership != nil {
			t.Errorf("membership returned when already a member: %+v", out.AddOrganisationMember.Membership)
		}
		orgsWantUserError(t, out.AddOrganisationMember.UserErrors, []string{"input", "email"}, "ALREADY_MEMBER")
		var role string
		if err := p.DB.Get(&role, `SELECT m.role FROM organisation_members m JOIN people p ON p.id = m.person_id WHERE p.email = 'bob@example.org'`); err != nil {
			t.Fatal(err)
		}
		if role != "COORDINATOR" || orgsMemberCount(t, p) != before {
			t.Errorf("adding twice changed memberships (role %s)", role)
		}
	})

	t.Run("email is matched regardless of case and spaces; admin role can manage", func(t *testing.T) {
		out := decode(t, orgsAddMember(t, alice, org.ID, "  CAROL@Example.org ", "ADMIN"))
		if m := out.AddOrganisationMember.Membership; m == nil || m.Role != "ADMIN" || m.Person.DisplayName != "Carol" {
			t.Fatalf("membership = %+v, user errors %+v", m, out.AddOrganisationMember.UserErrors)
		}
		carol := p.Client()
		var login struct {
			Login struct{ Session *struct{ Token string } }
		}
		carol.MustData(t, `mutation { login(input: {email: "carol@example.org", password: "Correct-horse-battery-9"}) { session { token } } }`, nil, &login)
		if login.Login.Session == nil {
			t.Fatal("carol cannot log in")
		}
		carol.Token = login.Login.Session.Token
		if m := decode(t, orgsAddMember(t, carol, org.ID, "dave@example.org", "")).AddOrganisationMember.Membership; m == nil {
			t.Error("a member with the ADMIN role cannot add members")
		}
	})

	t.Run("non-member of an approved organisation is forbidden", func(t *testing.T) {
		orgsMustApprove(t, admin, org.ID)
		orgsWantTopLevel(t, orgsAddMember(t, erin, org.ID, "erin@example.org", ""), "FORBIDDEN")
	})

	t.Run("non-member of a pending organisation does not learn it exists", func(t *testing.T) {
		hidden := orgsMustCreate(t, alice, map[string]any{"kind": "NON_PROFIT", "name": "Nog Geheim"})
		out := decode(t, orgsAddMember(t, erin, hidden.ID, "erin@example.org", ""))
		orgsWantUserError(t, out.AddOrganisationMember.UserErrors, []string{"input", "organisationId"}, "NOT_FOUND")
	})

	t.Run("platform administrator adds members to any organisation", func(t *testing.T) {
		out := decode(t, orgsAddMember(t, admin, org.ID, "erin@example.org", "COORDINATOR"))
		if out.AddOrganisationMember.Membership == nil {
			t.Errorf("administrator could not add a member: %+v", out.AddOrganisationMember.UserErrors)
		}
	})
}

func TestMembershipRolesFollowOrganisationKind(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	shopkeeper := p.Register(t, "winkel@example.org", "Winkelier")
	staff := p.Register(t, "staff@example.org", "Personeel")
	volunteer := p.Register(t, "vrijwilliger@example.org", "Vrijwilliger")
	shop := orgsMustCreate(t, shopkeeper, map[string]any{"kind": "MERCHANT", "name": "Bakkerij Het Warme Hart"})
	if r := orgsAddMember(t, shopkeeper, shop.ID, "staff@example.org", ""); len(r.Errors) > 0 {
		t.Fatalf("add staff: %+v", r.Errors)
	}
	tests := []struct {
		who  string
		c    *testutil.Client
		want []string
	}{
		{"merchant's creator", shopkeeper, []string{"MERCHANT", "VOLUNTEER"}},
		{"merchant's staff", staff, []string{"MERCHANT", "VOLUNTEER"}},
		{"person without memberships", volunteer, []string{"VOLUNTEER"}},
	}
	for _, tt := range tests {
		if got := orgsSorted(orgsRoles(t, tt.c)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: roles = %v, want %v", tt.who, got, tt.want)
		}
	}
	// Also a member of a non-merchant: both roles.
	orgsMustCreate(t, staff, map[string]any{"kind": "SPORTS_CLUB", "name": "Voetbalclub"})
	if got := orgsSorted(orgsRoles(t, staff)); !slices.Equal(got, []string{"COORDINATOR", "MERCHANT", "VOLUNTEER"}) {
		t.Errorf("member of a merchant and a club: roles = %v", got)
	}
}

// ---------------------------------------------------------------------------------------
// Listing: pagination

func TestOrganisationsPaginationVisitsEveryOrganisationOnceInNameOrder(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	want := map[string]string{} // id -> name
	for i := 0; i < 25; i++ {
		n := 2 * i
		if i == 7 {
			n = 12 // two organisations with the same name, straddling the first page boundary
		}
		name := fmt.Sprintf("Vereniging %02d", n)
		if i%3 == 0 {
			name = strings.ToLower(name) // order ignores case
		}
		want[orgsInsert(t, p, orgsRow{Name: name})] = name
	}
	orgsInsert(t, p, orgsRow{Name: "Vereniging 07 (pending)", Status: "PENDING"})
	orgsInsert(t, p, orgsRow{Name: "Vereniging 09 (rejected)", Status: "REJECTED"})
	anon := p.Client()

	for _, size := range []int{7, 5, 1, 25, 100} {
		t.Run(fmt.Sprintf("first %d", size), func(t *testing.T) {
			seen := map[string]bool{}
			var order []string
			var after *string
			wantPages := (25 + size - 1) / size
			for page := 1; ; page++ {
				if page > wantPages {
					t.Fatalf("more than %d pages", wantPages)
				}
				c := orgsList(t, anon, nil, size, after)
				if c.TotalCount != 25 {
					t.Errorf("page %d: totalCount = %d, want 25", page, c.TotalCount)
				}
				wantLen := min(size, 25-(page-1)*size)
				if len(c.Edges) != wantLen {
					t.Fatalf("page %d: %d edges, want %d", page, len(c.Edges), wantLen)
				}
				if c.PageInfo.HasNextPage != (page < wantPages) {
					t.Errorf("page %d of %d: hasNextPage = %v", page, wantPages, c.PageInfo.HasNextPage)
				}
				if c.PageInfo.HasPreviousPage != (page > 1) {
					t.Errorf("page %d: hasPreviousPage = %v", page, c.PageInfo.HasPreviousPage)
				}
				if c.PageInfo.StartCursor == nil || *c.PageInfo.StartCursor != c.Edges[0].Cursor ||
					c.PageInfo.EndCursor == nil || *c.PageInfo.EndCursor != c.Edges[len(c.Edges)-1].Cursor {
					t.Errorf("page %d: start/end cursors do not match the edges", page)
				}
				for _, e := range c.Edges {
					if seen[e.Node.ID] {
						t.Errorf("%s (%s) seen twice", e.Node.Name, e.Node.ID)
					}
					seen[e.Node.ID] = true
					if _, ok := want[e.Node.ID]; !ok {
						t.Errorf("unexpected organisation %s (%s)", e.Node.Name, e.Node.Status)
					}
					order = append(order, e.Node.Name)
				}
				if !c.PageInfo.HasNextPage {
					break
				}
				after = c.PageInfo.EndCursor
			}
			if len(seen) != 25 {
				t.Errorf("saw %d organisations, want 25", len(seen))
			}
			if !sort.SliceIsSorted(order, func(i, j int) bool { return strings.ToLower(order[i]) < strings.ToLower(order[j]) }) {
				t.Errorf("not in name order: %v", order)
			}
		})
	}
}

func TestOrganisationsCursorDoesNotSkipOrRepeatWhenOrganisationsAreApprovedBetweenPages(t *testing.T) {
	t.Parallel()
	p, admin := orgsPlatform(t)
	var all []string
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("Club %02d", 2*i) // Club 00, Club 02, ... Club 48
		orgsInsert(t, p, orgsRow{Name: name})
		all = append(all, name)
	}
	early := orgsInsert(t, p, orgsRow{Name: "Club 05", Status: "PENDING"}) // before the first page's end
	middle := orgsInsert(t, p, orgsRow{Name: "Club 31", Status: "PENDING"})
	last := orgsInsert(t, p, orgsRow{Name: "Zwemclub", Status: "PENDING"})
	anon := p.Client()

	first := orgsList(t, anon, nil, 7, nil)
	if got, want := first.names(), all[:7]; !slices.Equal(got, want) {
		t.Fatalf("first page = %v, want %v", got, want)
	}
	for _, id := range []string{early, middle, last} {
		orgsMustApprove(t, admin, id)
	}
	var rest []string
	after := first.PageInfo.EndCursor
	for page := 2; ; page++ {
		if page > 10 {
			t.Fatal("too many pages")
		}
		c := orgsList(t, anon, nil, 7, after)
		if c.TotalCount != 28 {
			t.Errorf("page %d: totalCount = %d, want 28", page, c.TotalCount)
		}
		rest = append(rest, c.names()...)
		if !c.PageInfo.HasNextPage {
			break
		}
		after = c.PageInfo.EndCursor
	}
	want := slices.Concat(all[7:16], []string{"Club 31"}, all[16:], []string{"Zwemclub"})
	if !slices.Equal(rest, want) {
		t.Errorf("later pages =\n%v\nwant\n%v", rest, want)
	}
}

func TestOrganisationsPageSizeIsCappedAt100(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	if _, err := p.DB.Exec(`INSERT INTO organisations (kind, status, name)
		SELECT 'OTHER', 'APPROVED', 'Organisatie ' || lpad(g::text, 3, '0') FROM generate_series(1, 105) g`); err != nil {
		t.Fatal(err)
	}
	c := orgsList(t, p.Client(), nil, 1000, nil)
	if len(c.Edges) != 100 || !c.PageInfo.HasNextPage || c.TotalCount != 105 {
		t.Errorf("first: 1000 gave %d edges, hasNextPage %v, totalCount %d; want 100, true, 105",
			len(c.Edges), c.PageInfo.HasNextPage, c.TotalCount)
	}
	next := orgsList(t, p.Client(), nil, 1000, c.PageInfo.EndCursor)
	if len(next.Edges) != 5 || next.PageInfo.HasNextPage {
		t.Errorf("second page: %d edges, hasNextPage %v; want 5, false", len(next.Edges), next.PageInfo.HasNextPage)
	}
	var def struct {
		Organisations struct{ Edges []struct{ Cursor string } }
	}
	p.Client().MustData(t, `{ organisations { edges { cursor } } }`, nil, &def)
	if len(def.Organisations.Edges) != 20 {
		t.Errorf("default page size = %d, want 20", len(def.Organisations.Edges))
	}
}

func TestOrganisationsRejectsForgedCursorsAsBadInput(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	orgsInsert(t, p, orgsRow{Name: "Eerste"})
	orgsInsert(t, p, orgsRow{Name: "Tweede"})
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct{ name, cursor string }{
		{"not base64", "!!! not a cursor !!!"},
		{"base64 of no JSON", b64("not json")},
		{"JSON of the wrong shape", b64(`[1,2,3]`)},
		{"wrong field types", b64(`{"n":1,"i":2}`)},
		{"JSON null", b64(`null`)},
		{"empty object", b64(`{}`)},
		{"ID that is no UUID", b64(`{"n":"eerste","i":"not-a-uuid"}`)},
		{"ID with SQL", b64(`{"n":"eerste","i":"'; DROP TABLE organisations; --"}`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := p.Client().Do(t, orgsListQuery, map[string]any{"first": 5, "after": tt.cursor})
			orgsWantTopLevel(t, r, "BAD_USER_INPUT")
		})
	}
	if n := orgsCount(t, p); n != 2 {
		t.Errorf("%d organisations left, want 2", n)
	}
}

// ---------------------------------------------------------------------------------------
// Listing: filters and search

func TestOrganisationsFilters(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	orgsInsert(t, p, orgsRow{Name: "A Zorgcentrum", Kind: "NON_PROFIT", District: "borgerhout", Themes: []string{"care"},
		Languages: []string{"nl", "ar"}, Access: []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED"}})
	orgsInsert(t, p, orgsRow{Name: "B School", Kind: "SCHOOL", District: "berchem", Themes: []string{"youth", "education"},
		Languages: []string{"fr"}, Access: []string{"WHEELCHAIR_ACCESSIBLE"}})
	orgsInsert(t, p, orgsRow{Name: "C Boekhandel", Kind: "MERCHANT", District: "borgerhout", Themes: []string{"education"},
		Languages: []string{"nl"}})
	orgsInsert(t, p, orgsRow{Name: "D Taalschool", Kind: "SCHOOL", Themes: []string{}, Languages: []string{"en", "ar"},
		Access: []string{"FIRST_TIMER_FRIENDLY"}})
	// A pending organisation that matches every filter must never be listed.
	orgsInsert(t, p, orgsRow{Name: "E Verborgen", Kind: "SCHOOL", Status: "PENDING", District: "borgerhout",
		Themes: []string{"care", "education"}, Languages: []string{"nl", "ar", "fr"},
		Access: []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED", "FIRST_TIMER_FRIENDLY"}})
	district := func(k string) string { return relay.ID("District", k) }
	theme := func(k string) string { return relay.ID("Theme", k) }

	tests := []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"no filter", nil, []string{"A Zorgcentrum", "B School", "C Boekhandel", "D Taalschool"}},
		{"one district", map[string]any{"districtIds": []string{district("borgerhout")}}, []string{"A Zorgcentrum", "C Boekhandel"}},
		{"two districts", map[string]any{"districtIds": []string{district("borgerhout"), district("berchem")}}, []string{"A Zorgcentrum", "B School", "C Boekhandel"}},
		{"district without organisations", map[string]any{"districtIds": []string{district("ekeren")}}, nil},
		{"malformed district ID", map[string]any{"districtIds": []string{"garbage"}}, nil},
		{"one kind", map[string]any{"kinds": []string{"SCHOOL"}}, []string{"B School", "D Taalschool"}},
		{"two kinds", map[string]any{"kinds": []string{"SCHOOL", "MERCHANT"}}, []string{"B School", "C Boekhandel", "D Taalschool"}},
		{"one theme", map[string]any{"themeIds": []string{theme("education")}}, []string{"B School", "C Boekhandel"}},
		{"any of two themes", map[string]any{"themeIds": []string{theme("care"), theme("youth")}}, []string{"A Zorgcentrum", "B School"}},
		{"one language", map[string]any{"languages": []string{"ar"}}, []string{"A Zorgcentrum", "D Taalschool"}},
		{"any of two languages", map[string]any{"languages": []string{"fr", "en"}}, []string{"B School", "D Taalschool"}},
		{"one accessibility fact", map[string]any{"accessibility": []string{"WHEELCHAIR_ACCESSIBLE"}}, []string{"A Zorgcentrum", "B School"}},
		{"all of two accessibility facts", map[string]any{"accessibility": []string{"WHEELCHAIR_ACCESSIBLE", "NO_DUTCH_NEEDED"}}, []string{"A Zorgcentrum"}},
		{"district and theme", map[string]any{"districtIds": []string{district("borgerhout")}, "themeIds": []string{theme("education")}}, []string{"C Boekhandel"}},
		{"kind and language", map[string]any{"kinds": []string{"SCHOOL"}, "languages": []string{"ar"}}, []string{"D Taalschool"}},
		{"district, accessibility and language", map[string]any{"districtIds": []string{district("borgerhout")},
			"accessibility": []string{"WHEELCHAIR_ACCESSIBLE"}, "languages": []string{"nl"}}, []string{"A Zorgcentrum"}},
		{"kind and district that exclude each other", map[string]any{"kinds": []string{"MERCHANT"}, "districtIds": []string{district("berchem")}}, nil},
		{"all filters together", map[string]any{"districtIds": []string{district("berchem")}, "kinds": []string{"SCHOOL"},
			"themeIds": []string{theme("youth")}, "languages": []string{"fr"}, "accessibility": []string{"WHEELCHAIR_ACCESSIBLE"}, "search": "school"},
			[]string{"B School"}},
	}
	anon := p.Client()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := orgsList(t, anon, tt.filter, 50, nil)
			if got := c.names(); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("names = %v, want %v", got, tt.want)
			}
			if c.TotalCount != len(tt.want) {
				t.Errorf("totalCount = %d, want %d", c.TotalCount, len(tt.want))
			}
		})
	}
}

func TestOrganisationsSearchIgnoresAccentsAndCaseAndForgivesSmallTypos(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	orgsInsert(t, p, orgsRow{Name: "Café De Kroon", Description: "Koffie en gezelschap voor iedereen"})
	orgsInsert(t, p, orgsRow{Name: "Buurthuis Het Anker", Description: "Ontmoetingsplek in Borgerhout"})
	orgsInsert(t, p, orgsRow{Name: "Sportclub Olympia", Description: "Voetbal en basketbal"})
	orgsInsert(t, p, orgsRow{Name: "Café Verborgen", Description: "Nog niet goedgekeurd", Status: "PENDING"})
	all := []string{"Buurthuis Het Anker", "Café De Kroon", "Sportclub Olympia"}

	tests := []struct {
		search string
		want   []string
	}{
		{"cafe", []string{"Café De Kroon"}},
		{"CAFÉ", []string{"Café De Kroon"}},
		{"Cafe kroon", []string{"Café De Kroon"}},
		{"buurthuis", []string{"Buurthuis Het Anker"}},
		{"buurthius", []string{"Buurthuis Het Anker"}}, // typo
		{"BUURTHIUS anker", []string{"Buurthuis Het Anker"}},
		{"ontmoetingsplek", []string{"Buurthuis Het Anker"}}, // in the description
		{"basketbal", []string{"Sportclub Olympia"}},
		{"voetbal cafe", nil}, // every word must match
		{"zwembad", nil},
		{"verborgen", nil}, // pending organisations are not found
		{"   ", all},
	}
	anon := p.Client()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.search), func(t *testing.T) {
			c := orgsList(t, anon, map[string]any{"search": tt.search}, 50, nil)
			if got := c.names(); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("search %q = %v, want %v", tt.search, got, tt.want)
			}
			if c.TotalCount != len(tt.want) {
				t.Errorf("search %q: totalCount = %d, want %d", tt.search, c.TotalCount, len(tt.want))
			}
		})
	}
}

// A search text is words, not a LIKE pattern: "%" and "_" must not match everything.
func TestOrganisationsSearchTreatsLikeWildcardsAsPlainCharacters(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	orgsInsert(t, p, orgsRow{Name: "Café De Kroon", Description: "Koffie en gezelschap"})
	orgsInsert(t, p, orgsRow{Name: "Buurthuis Het Anker", Description: "Ontmoetingsplek"})
	orgsInsert(t, p, orgsRow{Name: "Kringwinkel 50% korting", Description: "Tweedehands"})
	tests := []struct {
		search string
		want   []string
	}{
		{"%", []string{"Kringwinkel 50% korting"}},
		{"_", nil},
	}
	for _, tt := range tests {
		c := orgsList(t, p.Client(), map[string]any{"search": tt.search}, 50, nil)
		if got := c.names(); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("search %q = %v, want %v", tt.search, got, tt.want)
		}
	}
}
