package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// acctPassword is the password testutil.Register gives every account.
const acctPassword = "Correct-horse-battery-9"

type acctUserError struct {
	Field   []string `json:"field"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
}

type acctDistrict struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

type acctPerson struct {
	ID                string        `json:"id"`
	Email             *string       `json:"email"`
	DisplayName       string        `json:"displayName"`
	PreferredLanguage string        `json:"preferredLanguage"`
	Roles             []string      `json:"roles"`
	District          *acctDistrict `json:"district"`
	BirthDate         *string       `json:"birthDate"`
	Phone             *string       `json:"phone"`
}

type acctSession struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type acctAuth struct {
	Person     *acctPerson     `json:"person"`
	Session    *acctSession    `json:"session"`
	UserErrors []acctUserError `json:"userErrors"`
}

const acctPersonFields = `id email displayName preferredLanguage roles district { id key } birthDate phone`

const (
	acctRegisterOp = `mutation($in: RegisterInput!) { register(input: $in) {
		person { ` + acctPersonFields + ` } session { token expiresAt } userErrors { field code message } } }`
	acctLoginOp = `mutation($in: LoginInput!) { login(input: $in) {
		person { ` + acctPersonFields + ` } session { token expiresAt } userErrors { field code message } } }`
	acctMeOp             = `{ me { ` + acctPersonFields + ` } }`
	acctChangePasswordOp = `mutation($in: ChangePasswordInput!) { changePassword(input: $in) {
		session { token expiresAt } userErrors { field code message } } }`
	acctUpdateMeOp = `mutation($in: UpdateMeInput!) { updateMe(input: $in) {
		person { ` + acctPersonFields + ` } userErrors { field code message } } }`
	acctGrantRoleOp = `mutation($in: GrantRoleInput!) { grantRole(input: $in) {
		person { ` + acctPersonFields + ` } userErrors { field code message } } }`
)

// acctField decodes data.<name> of a response that must have no top-level errors.
func acctField(t testing.TB, r *testutil.Response, name string, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors (HTTP %d): %+v", r.Status, r.Errors)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &m); err != nil {
		t.Fatalf("decode data: %v\n%s", err, r.Data)
	}
	raw, ok := m[name]
	if !ok {
		t.Fatalf("no data.%s in %s", name, r.Data)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode data.%s: %v\n%s", name, err, raw)
	}
}

func acctRegister(t testing.TB, c *testutil.Client, in map[string]any) acctAuth {
	t.Helper()
	var out acctAuth
	acctField(t, c.Do(t, acctRegisterOp, map[string]any{"in": in}), "register", &out)
	return out
}

func acctLogin(t testing.TB, c *testutil.Client, email, password string) (acctAuth, *testutil.Response) {
	t.Helper()
	r := c.Do(t, acctLoginOp, map[string]any{"in": map[string]any{"email": email, "password": password}})
	var out acctAuth
	if len(r.Errors) == 0 {
		acctField(t, r, "login", &out)
	}
	return out, r
}

// acctMustLogin logs in and returns a client that uses the new session.
func acctMustLogin(t testing.TB, p *testutil.Platform, email, password string) *testutil.Client {
	t.Helper()
	c := p.Client()
	out, r := acctLogin(t, c, email, password)
	if len(r.Errors) > 0 || out.Session == nil {
		t.Fatalf("login %s: errors %+v, userErrors %+v", email, r.Errors, out.UserErrors)
	}
	c.Token = out.Session.Token
	return c
}

func acctMe(t testing.TB, c *testutil.Client) *acctPerson {
	t.Helper()
	var p *acctPerson
	acctField(t, c.Do(t, acctMeOp, nil), "me", &p)
	return p
}

// acctCodes renders user errors as sorted `["input" "email"] INVALID_EMAIL` lines, so that
// the whole field path and the code are compared exactly.
func acctCodes(ues []acctUserError) []string {
	out := make([]string, 0, len(ues))
	for _, e := range ues {
		out = append(out, fmt.Sprintf("%q %s", e.Field, e.Code))
	}
	slices.Sort(out)
	return out
}

func acctFC(code string, path ...string) string { return fmt.Sprintf("%q %s", path, code) }

func acctWantCodes(t testing.TB, got []acctUserError, want ...string) {
	t.Helper()
	slices.Sort(want)
	if g := acctCodes(got); !slices.Equal(g, want) {
		t.Errorf("userErrors = %v, want %v (full: %+v)", g, want, got)
	}
}

// acctWantRefused checks a request refused by the middleware before GraphQL runs.
func acctWantRefused(t testing.TB, r *testutil.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.ErrorCode() != code || len(r.Errors) != 1 {
		t.Errorf("got HTTP %d, errors %+v; want HTTP %d with one error %s", r.Status, r.Errors, status, code)
	}
	if len(r.Data) != 0 && string(r.Data) != "null" {
		t.Errorf("refused request returned data %s", r.Data)
	}
}

// acctWantTopLevel checks a GraphQL error raised while executing (HTTP 200).
func acctWantTopLevel(t testing.TB, r *testutil.Response, code string) {
	t.Helper()
	if r.Status != http.StatusOK || r.ErrorCode() != code {
		t.Errorf("got HTTP %d, errors %+v; want HTTP 200 with top-level error %s", r.Status, r.Errors, code)
	}
}

func acctCount(t testing.TB, p *testutil.Platform, query string, args ...any) int {
	t.Helper()
	var n int
	if err := p.DB.Get(&n, query, args...); err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}

func acctPersonUUID(t testing.TB, p *testutil.Platform, email string) string {
	t.Helper()
	var id string
	if err := p.DB.Get(&id, `SELECT id FROM people WHERE lower(email) = lower($1)`, email); err != nil {
		t.Fatalf("person %s: %v", email, err)
	}
	return id
}

func acctHasSessionCookie(h http.Header) bool {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "hh_session" && c.Value != "" {
			return true
		}
	}
	return false
}

// acctLocale reads a message catalogue and fills {{.Min}}/{{.Max}}/{{.Seconds}} placeholders.
func acctLocale(t testing.TB, lang string) func(key string, args ...string) string {
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

// acctSend posts a GraphQL request without a testing.TB, for use from other goroutines.
func acctSend(c *testutil.Client, query string, vars map[string]any) (*testutil.Response, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := &testutil.Response{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(b, out); err != nil {
		return nil, fmt.Errorf("decode (HTTP %d): %w: %s", resp.StatusCode, err, b)
	}
	return out, nil
}

func TestRegisterRejectsInvalidInputWithExactCodesAndWritesNothing(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	tooLongEmail := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".be" // 255 characters
	if len(tooLongEmail) != 255 {
		t.Fatalf("test setup: email has %d characters", len(tooLongEmail))
	}
	const goodEmail, goodName = "lotte@example.be", "Lotte"
	tests := []struct {
		name                         string
		email, password, displayName string
		want                         []string
	}{
		{"empty email is required", "", acctPassword, goodName, []string{acctFC("REQUIRED", "input", "email")}},
		{"blank email is required", "   ", acctPassword, goodName, []string{acctFC("REQUIRED", "input", "email")}},
		{"email without at sign", "no-at", acctPassword, goodName, []string{acctFC("INVALID_EMAIL", "input", "email")}},
		{"email without dot in domain", "a@b", acctPassword, goodName, []string{acctFC("INVALID_EMAIL", "input", "email")}},
		{"email with a space", "a b@c.be", acctPassword, goodName, []string{acctFC("INVALID_EMAIL", "input", "email")}},
		{"email with trailing dot", "a@b.", acctPassword, goodName, []string{acctFC("INVALID_EMAIL", "input", "email")}},
		{"email with a display name", "Jan <jan@example.be>", acctPassword, goodName, []string{acctFC("INVALID_EMAIL", "input", "email")}},
		{"email of 255 characters", tooLongEmail, acctPassword, goodName, []string{acctFC("TOO_LONG", "input", "email")}},
		{"password of 5 characters", goodEmail, "abc12", goodName, []string{acctFC("TOO_SHORT", "input", "password")}},
		{"empty password", goodEmail, "", goodName, []string{acctFC("TOO_SHORT", "input", "password")}},
		{"password of 129 characters", goodEmail, strings.Repeat("Xy7-", 32) + "Z", goodName, []string{acctFC("TOO_LONG", "input", "password")}},
		{"common password password123", goodEmail, "password123", goodName, []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"common password qwertyuiop", goodEmail, "qwertyuiop", goodName, []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"common password iloveyou", goodEmail, "iloveyou", goodName, []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"common password in leet speak", goodEmail, "P@ssw0rd", goodName, []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"common password azertyuiop", goodEmail, "azertyuiop", goodName, []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"password made of the email", "wouter.vanderstraeten@example.be", "wouter.vanderstraeten", "Wouter", []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"password made of the display name", goodEmail, "Wouter Vanderstraeten", "Wouter Vanderstraeten", []string{acctFC("WEAK_PASSWORD", "input", "password")}},
		{"empty display name", goodEmail, acctPassword, "", []string{acctFC("REQUIRED", "input", "displayName")}},
		{"blank display name", goodEmail, acctPassword, "  \t ", []string{acctFC("REQUIRED", "input", "displayName")}},
		{"display name of 81 characters", goodEmail, acctPassword, strings.Repeat("n", 81), []string{acctFC("TOO_LONG", "input", "displayName")}},
		{"display name with a control character", goodEmail, acctPassword, "Lot\x07te", []string{acctFC("INVALID", "input", "displayName")}},
		{"every error at once", "no-at", "abc12", "", []string{
			acctFC("INVALID_EMAIL", "input", "email"), acctFC("TOO_SHORT", "input", "password"), acctFC("REQUIRED", "input", "displayName")}},
		{"email and weak password at once", "a@b", "password123", goodName, []string{
			acctFC("INVALID_EMAIL", "input", "email"), acctFC("WEAK_PASSWORD", "input", "password")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			people, sessions := acctCount(t, p, `SELECT count(*) FROM people`), acctCount(t, p, `SELECT count(*) FROM sessions`)
			r := p.Client().Do(t, acctRegisterOp, map[string]any{"in": map[string]any{
				"email": tt.email, "password": tt.password, "displayName": tt.displayName}})
			var out acctAuth
			acctField(t, r, "register", &out)
			acctWantCodes(t, out.UserErrors, tt.want...)
			for _, e := range out.UserErrors {
				if e.Message == "" {
					t.Errorf("user error %v has no message", e.Field)
				}
			}
			if out.Person != nil || out.Session != nil {
				t.Errorf("refused registration returned person %+v, session %+v", out.Person, out.Session)
			}
			if acctHasSessionCookie(r.Header) {
				t.Errorf("refused registration set a session cookie: %v", r.Header.Values("Set-Cookie"))
			}
			if n := acctCount(t, p, `SELECT count(*) FROM people`); n != people {
				t.Errorf("people: %d before, %d after", people, n)
			}
			if n := acctCount(t, p, `SELECT count(*) FROM sessions`); n != sessions {
				t.Errorf("sessions: %d before, %d after", sessions, n)
			}
		})
	}
}

func TestRegisterNormalisesInputAndStartsASession(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	c := p.Client()
	c.Language = "fr-BE,fr;q=0.9"
	start := time.Now()
	out := acctRegister(t, c, map[string]any{"email": "  Anna.Peeters@Example.BE ", "password": acctPassword, "displayName": "  Anna  "})
	if len(out.UserErrors) != 0 || out.Person == nil || out.Session == nil {
		t.Fatalf("register: %+v", out)
	}
	pp := out.Person
	if pp.Email == nil || *pp.Email != "anna.peeters@example.be" || pp.DisplayName != "Anna" {
		t.Errorf("person = email %v, name %q; want the email lower-cased and trimmed, the name trimmed", pp.Email, pp.DisplayName)
	}
	if pp.PreferredLanguage != "FR" {
		t.Errorf("preferredLanguage = %s, want FR (the request language when none is given)", pp.PreferredLanguage)
	}
	if !slices.Equal(pp.Roles, []string{"VOLUNTEER"}) {
		t.Errorf("roles = %v, want [VOLUNTEER]", pp.Roles)
	}
	ttl := p.Config.SessionTTL
	if got := out.Session.ExpiresAt; got.Before(start.Add(ttl-time.Minute)) || got.After(time.Now().Add(ttl+time.Minute)) {
		t.Errorf("session expires at %v, want about now + %v", got, ttl)
	}
	c.Token = out.Session.Token
	if m := acctMe(t, c); m == nil || m.ID != pp.ID {
		t.Errorf("me with the registration token = %+v, want %s", m, pp.ID)
	}
	// An explicit language wins over the request's.
	out2 := acctRegister(t, p.Client(), map[string]any{"email": "sami@example.be", "password": acctPassword,
		"displayName": "Sami", "preferredLanguage": "AR"})
	if out2.Person == nil || out2.Person.PreferredLanguage != "AR" {
		t.Errorf("register with preferredLanguage AR: %+v", out2)
	}
}

func TestMessagesFollowAcceptLanguageOrElseThePersonsLanguage(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	tests := []struct{ header, lang string }{
		{"", "nl"},
		{"nl-BE", "nl"},
		{"fr-BE,fr;q=0.9,nl;q=0.5", "fr"},
		{"en-GB,en;q=0.8", "en"},
		{"ar", "ar"},
		{"ar-MA,ar;q=0.9", "ar"},
		{"de-DE", "nl"}, // a language we do not speak falls back to Dutch
	}
	for _, tt := range tests {
		t.Run("header "+tt.header, func(t *testing.T) {
			msg := acctLocale(t, tt.lang)
			c := p.Client()
			c.Language = tt.header
			r := c.Do(t, acctRegisterOp, map[string]any{"in": map[string]any{"email": "no-at", "password": "abc12", "displayName": ""}})
			var out acctAuth
			acctField(t, r, "register", &out)
			want := map[string]string{
				"email":       msg("invalid_email"),
				"password":    msg("password_too_short", "Min", "8"),
				"displayName": msg("required"),
			}
			if len(out.UserErrors) != len(want) {
				t.Fatalf("userErrors = %+v, want %d", out.UserErrors, len(want))
			}
			for _, e := range out.UserErrors {
				if len(e.Field) != 2 || e.Message != want[e.Field[1]] {
					t.Errorf("%v: message %q, want %q", e.Field, e.Message, want[e.Field[len(e.Field)-1]])
				}
			}
			if got := r.Header.Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language = %q, want %q", got, tt.lang)
			}
		})
	}
	t.Run("signed-in person without the header gets their own language", func(t *testing.T) {
		c := p.Register(t, "yasmina@example.be", "Yasmina")
		var upd struct {
			Person     *acctPerson
			UserErrors []acctUserError
		}
		acctField(t, c.Do(t, acctUpdateMeOp, map[string]any{"in": map[string]any{"preferredLanguage": "AR"}}), "updateMe", &upd)
		if upd.Person == nil || upd.Person.PreferredLanguage != "AR" {
			t.Fatalf("updateMe language: %+v", upd)
		}
		tests := []struct{ header, lang string }{{"", "ar"}, {"en", "en"}, {"fr", "fr"}}
		for _, tt := range tests {
			c.Language = tt.header
			acctField(t, c.Do(t, acctUpdateMeOp, map[string]any{"in": map[string]any{"phone": "not a phone"}}), "updateMe", &upd)
			want := acctLocale(t, tt.lang)("invalid_phone")
			if len(upd.UserErrors) != 1 || upd.UserErrors[0].Message != want {
				t.Errorf("header %q: userErrors %+v, want message %q", tt.header, upd.UserErrors, want)
			}
		}
	})
}

func TestRegisterRefusesATakenEmailEvenWhenTwoRegisterAtOnce(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	p.Register(t, "anna@example.be", "Anna")
	msg := acctLocale(t, "nl")
	for _, email := range []string{"anna@example.be", "Anna@Example.BE", "  ANNA@EXAMPLE.BE  "} {
		t.Run(email, func(t *testing.T) {
			out := acctRegister(t, p.Client(), map[string]any{"email": email, "password": "Another-good-passphrase-4", "displayName": "Anna 2"})
			acctWantCodes(t, out.UserErrors, acctFC("EMAIL_TAKEN", "input", "email"))
			if len(out.UserErrors) == 1 && out.UserErrors[0].Message != msg("email_taken") {
				t.Errorf("message = %q, want %q", out.UserErrors[0].Message, msg("email_taken"))
			}
			if out.Person != nil || out.Session != nil {
				t.Errorf("refused registration returned %+v", out)
			}
		})
	}
	if n := acctCount(t, p, `SELECT count(*) FROM people`); n != 1 {
		t.Errorf("people = %d, want 1", n)
	}
	if n := acctCount(t, p, `SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("sessions = %d, want 1 (only the first registration's)", n)
	}
	// Two registrations with the same email at the same time: the database decides.
	t.Run("at the same time", func(t *testing.T) {
		tests := []struct{ name, a, b string }{
			{"same spelling", "twin@example.be", "twin@example.be"},
			{"differing in case", "case@example.be", "CASE@Example.be"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				start := make(chan struct{})
				var wg sync.WaitGroup
				results := make([]*testutil.Response, 2)
				errors := make([]error, 2)
				for i, email := range []string{tt.a, tt.b} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						results[i], errors[i] = acctSend(p.Client(), acctRegisterOp, map[string]any{"in": map[string]any{
							"email": email, "password": acctPassword, "displayName": fmt.Sprintf("Twin %d", i)}})
					}()
				}
				close(start)
				wg.Wait()
				succeeded, taken := 0, 0
				for i, r := range results {
					if errors[i] != nil {
						t.Fatalf("request %d: %v", i, errors[i])
					}
					var out acctAuth
					acctField(t, r, "register", &out)
					switch {
					case out.Session != nil && len(out.UserErrors) == 0:
						succeeded++
					case slices.Equal(acctCodes(out.UserErrors), []string{acctFC("EMAIL_TAKEN", "input", "email")}) && out.Session == nil:
						taken++
					default:
						t.Errorf("request %d: unexpected answer %+v", i, out)
					}
				}
				if succeeded != 1 || taken != 1 {
					t.Errorf("%d succeeded and %d got EMAIL_TAKEN, want 1 and 1", succeeded, taken)
				}
				if n := acctCount(t, p, `SELECT count(*) FROM people WHERE lower(email) = lower($1)`, tt.a); n != 1 {
					t.Errorf("people with %s = %d, want 1", tt.a, n)
				}
				if n := acctCount(t, p, `SELECT count(*) FROM sessions s JOIN people p ON p.id = s.person_id WHERE lower(p.email) = lower($1)`, tt.a); n != 1 {
					t.Errorf("sessions for %s = %d, want 1", tt.a, n)
				}
			})
		}
	})
}

func TestFailedLoginNeverRevealsWhetherTheEmailExists(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	p.Register(t, "dirk@example.be", "Dirk")
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			c := p.Client()
			c.Language = lang
			want := []acctUserError{{Field: []string{"input"}, Code: "INVALID_CREDENTIALS", Message: acctLocale(t, lang)("invalid_credentials")}}
			tests := []struct{ name, email, password string }{
				{"wrong password", "dirk@example.be", "Wrong-horse-battery-9"},
				{"unknown email", "nobody@example.be", acctPassword},
				{"password longer than allowed", "dirk@example.be", strings.Repeat("p", 200)},
			}
			for _, tt := range tests {
				out, r := acctLogin(t, c, tt.email, tt.password)
				if len(r.Errors) > 0 {
					t.Fatalf("%s: top-level errors %+v", tt.name, r.Errors)
				}
				if !acctSameUserErrors(out.UserErrors, want) {
					t.Errorf("%s: userErrors = %+v, want %+v", tt.name, out.UserErrors, want)
				}
				if out.Person != nil || out.Session != nil || acctHasSessionCookie(r.Header) {
					t.Errorf("%s: failed login returned a person, session or cookie: %+v", tt.name, out)
				}
			}
		})
	}
	t.Run("missing email or password", func(t *testing.T) {
		tests := []struct {
			name, email, password string
			want                  []string
		}{
			{"no email", "  ", acctPassword, []string{acctFC("REQUIRED", "input", "email")}},
			{"no password", "dirk@example.be", "", []string{acctFC("REQUIRED", "input", "password")}},
			{"neither", "", "", []string{acctFC("REQUIRED", "input", "email"), acctFC("REQUIRED", "input", "password")}},
		}
		for _, tt := range tests {
			out, r := acctLogin(t, p.Client(), tt.email, tt.password)
			if len(r.Errors) > 0 {
				t.Fatalf("%s: top-level errors %+v", tt.name, r.Errors)
			}
			acctWantCodes(t, out.UserErrors, tt.want...)
		}
	})
	if n := acctCount(t, p, `SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("sessions = %d, want 1 (failed logins make none)", n)
	}
}

func acctKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func acctSameUserErrors(a, b []acctUserError) bool {
	return slices.EqualFunc(a, b, func(x, y acctUserError) bool {
		return slices.Equal(x.Field, y.Field) && x.Code == y.Code && x.Message == y.Message
	})
}

func TestEachLoginStartsANewWorkingSessionStoredOnlyAsAHash(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	reg := p.Register(t, "dirk@example.be", "Dirk")
	self := acctMe(t, reg)
	tokens := map[string]bool{reg.Token: true}
	var clients []*testutil.Client
	for _, email := range []string{"dirk@example.be", "  DIRK@Example.BE "} {
		c := p.Client()
		out, r := acctLogin(t, c, email, acctPassword)
		if len(r.Errors) > 0 || len(out.UserErrors) > 0 || out.Session == nil || out.Person == nil {
			t.Fatalf("login %q: %+v %+v", email, r.Errors, out)
		}
		if out.Person.ID != self.ID || out.Person.Email == nil || *out.Person.Email != "dirk@example.be" {
			t.Errorf("login payload person = %+v, want %s with its email visible", out.Person, self.ID)
		}
		if !acctHasSessionCookie(r.Header) {
			t.Errorf("login did not set the session cookie")
		}
		if tokens[out.Session.Token] {
			t.Errorf("login %q returned a token that was handed out before", email)
		}
		tokens[out.Session.Token] = true
		c.Token = out.Session.Token
		clients = append(clients, c)
	}
	for i, c := range append(clients, reg) {
		if m := acctMe(t, c); m == nil || m.ID != self.ID {
			t.Errorf("session %d: me = %+v, want %s", i, m, self.ID)
		}
	}
	if n := acctCount(t, p, `SELECT count(*) FROM sessions WHERE revoked_at IS NULL`); n != 3 {
		t.Errorf("open sessions = %d, want 3", n)
	}
	// Only a hash of each token is kept, so a copy of the database lets nobody sign in.
	for _, tok := range acctKeys(tokens) {
		if len(tok) < 40 {
			t.Errorf("token %q is shorter than 256 bits in base64", tok)
		}
		// No column of any session row holds the raw token (rows compared as text, bytea as hex).
		if n := acctCount(t, p, `SELECT count(*) FROM sessions s WHERE position($1 in s::text) > 0`, tok); n != 0 {
			t.Errorf("the raw token appears in %d session rows", n)
		}
		if n := acctCount(t, p, `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(tok)); n != 0 {
			t.Errorf("the raw token is stored as token_hash")
		}
		sum := sha256.Sum256([]byte(tok))
		if n := acctCount(t, p, `SELECT count(*) FROM sessions WHERE token_hash = $1`, sum[:]); n != 1 {
			t.Errorf("sessions with the token's SHA-256 = %d, want 1", n)
		}
	}
}

func TestRequestsWithABadSessionAreRefusedAsUnauthenticated(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	tests := []struct {
		name  string
		setup func(t *testing.T) http.Header
	}{
		{"unknown token", func(t *testing.T) http.Header {
			return http.Header{"Authorization": {"Bearer " + strings.Repeat("A", 43)}}
		}},
		{"empty bearer token", func(t *testing.T) http.Header { return http.Header{"Authorization": {"Bearer "}} }},
		{"other scheme", func(t *testing.T) http.Header {
			c := p.Register(t, "basic@example.be", "Basic")
			return http.Header{"Authorization": {"Basic " + c.Token}}
		}},
		{"overlong token", func(t *testing.T) http.Header {
			return http.Header{"Authorization": {"Bearer " + strings.Repeat("x", 5000)}}
		}},
		{"expired session", func(t *testing.T) http.Header {
			c := p.Register(t, "expired@example.be", "Expired")
			if m := acctMe(t, c); m == nil {
				t.Fatalf("fresh session does not work")
			}
			if _, err := p.DB.Exec(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE person_id = $1`,
				acctPersonUUID(t, p, "expired@example.be")); err != nil {
				t.Fatal(err)
			}
			return http.Header{"Authorization": {"Bearer " + c.Token}}
		}},
		{"logged-out session", func(t *testing.T) http.Header {
			c := p.Register(t, "gone@example.be", "Gone")
			var out struct{ LoggedOut bool }
			acctField(t, c.Do(t, `mutation { logout { loggedOut } }`, nil), "logout", &out)
			if !out.LoggedOut {
				t.Fatalf("logout: %+v", out)
			}
			return http.Header{"Authorization": {"Bearer " + c.Token}}
		}},
	}
	msg := acctLocale(t, "nl")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := p.Client()
			c.Header = tt.setup(t)
			r := c.Do(t, acctMeOp, nil)
			acctWantRefused(t, r, http.StatusUnauthorized, "UNAUTHENTICATED")
			if len(r.Errors) == 1 && r.Errors[0].Message != msg("err_unauthenticated") {
				t.Errorf("message = %q, want %q", r.Errors[0].Message, msg("err_unauthenticated"))
			}
		})
	}
}

func TestLogoutEndsThisSessionOrEverySessionOfThePerson(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	tests := []struct {
		name, email, mutation string
		otherStillWorks       bool
	}{
		{"this session only", "one@example.be", `mutation { logout { loggedOut userErrors { code } } }`, true},
		{"explicitly not everywhere", "two@example.be", `mutation { logout(input: {everywhere: false}) { loggedOut userErrors { code } } }`, true},
		{"everywhere", "all@example.be", `mutation { logout(input: {everywhere: true}) { loggedOut userErrors { code } } }`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := p.Register(t, tt.email, "Person")
			b := acctMustLogin(t, p, tt.email, acctPassword)
			c := acctMustLogin(t, p, tt.email, acctPassword)
			r := a.Do(t, tt.mutation, nil)
			var out struct {
				LoggedOut  bool
				UserErrors []acctUserError
			}
			acctField(t, r, "logout", &out)
			if !out.LoggedOut || len(out.UserErrors) != 0 {
				t.Errorf("logout = %+v", out)
			}
			cleared := false
			for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
				if ck.Name == "hh_session" && ck.Value == "" && ck.MaxAge < 0 {
					cleared = true
				}
			}
			if !cleared {
				t.Errorf("logout did not clear the cookie: %v", r.Header.Values("Set-Cookie"))
			}
			acctWantRefused(t, a.Do(t, acctMeOp, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
			for i, other := range []*testutil.Client{b, c} {
				r := other.Do(t, acctMeOp, nil)
				if tt.otherStillWorks {
					if len(r.Errors) > 0 || acctMe(t, other) == nil {
						t.Errorf("other session %d stopped working: %+v", i, r.Errors)
					}
				} else {
					acctWantRefused(t, r, http.StatusUnauthorized, "UNAUTHENTICATED")
				}
			}
		})
	}
	t.Run("anonymous", func(t *testing.T) {
		r := p.Client().Do(t, `mutation { logout { loggedOut } }`, nil)
		acctWantTopLevel(t, r, "UNAUTHENTICATED")
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	const email, newPassword = "wim@example.be", "Seven-lazy-otters-swim"
	c := p.Register(t, email, "Wim")
	other := acctMustLogin(t, p, email, acctPassword)
	hashBefore := ""
	if err := p.DB.Get(&hashBefore, `SELECT password_hash FROM people WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	msg := acctLocale(t, "nl")

	refused := []struct {
		name, current, next string
		want                acctUserError
	}{
		{"wrong current password", "Wrong-horse-battery-9", newPassword,
			acctUserError{[]string{"input", "currentPassword"}, "INVALID_CREDENTIALS", msg("wrong_current_password")}},
		{"weak new password", acctPassword, "password123",
			acctUserError{[]string{"input", "newPassword"}, "WEAK_PASSWORD", msg("password_common")}},
		{"new password made of the email", acctPassword, "wim@example.be",
			acctUserError{[]string{"input", "newPassword"}, "WEAK_PASSWORD", msg("password_common")}},
		{"short new password", acctPassword, "abc12",
			acctUserError{[]string{"input", "newPassword"}, "TOO_SHORT", msg("password_too_short", "Min", "8")}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do(t, acctChangePasswordOp, map[string]any{"in": map[string]any{"currentPassword": tt.current, "newPassword": tt.next}})
			var out struct {
				Session    *acctSession
				UserErrors []acctUserError
			}
			acctField(t, r, "changePassword", &out)
			if out.Session != nil || !acctSameUserErrors(out.UserErrors, []acctUserError{tt.want}) {
				t.Errorf("changePassword = %+v, want only %+v", out, tt.want)
			}
			var hash string
			if err := p.DB.Get(&hash, `SELECT password_hash FROM people WHERE email = $1`, email); err != nil {
				t.Fatal(err)
			}
			if hash != hashBefore {
				t.Errorf("the password hash changed")
			}
			if n := acctCount(t, p, `SELECT count(*) FROM sessions WHERE revoked_at IS NULL`); n != 2 {
				t.Errorf("open sessions = %d, want 2 (nothing ended)", n)
			}
			if acctMe(t, c) == nil || acctMe(t, other) == nil {
				t.Errorf("a session stopped working")
			}
		})
	}

	t.Run("anonymous", func(t *testing.T) {
		r := p.Client().Do(t, acctChangePasswordOp, map[string]any{"in": map[string]any{"currentPassword": acctPassword, "newPassword": newPassword}})
		acctWantTopLevel(t, r, "UNAUTHENTICATED")
	})

	t.Run("right current password", func(t *testing.T) {
		r := c.Do(t, acctChangePasswordOp, map[string]any{"in": map[string]any{"currentPassword": acctPassword, "newPassword": newPassword}})
		var out struct {
			Session    *acctSession
			UserErrors []acctUserError
		}
		acctField(t, r, "changePassword", &out)
		if out.Session == nil || len(out.UserErrors) != 0 {
			t.Fatalf("changePassword = %+v", out)
		}
		if out.Session.Token == c.Token || out.Session.Token == other.Token {
			t.Errorf("changePassword returned an old token")
		}
		if !acctHasSessionCookie(r.Header) {
			t.Errorf("changePassword did not set the new session cookie")
		}
		acctWantRefused(t, c.Do(t, acctMeOp, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
		acctWantRefused(t, other.Do(t, acctMeOp, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
		fresh := p.Client()
		fresh.Token = out.Session.Token
		if m := acctMe(t, fresh); m == nil || m.Email == nil || *m.Email != email {
			t.Errorf("me with the new token = %+v", m)
		}
		if old, _ := acctLogin(t, p.Client(), email, acctPassword); !slices.Equal(acctCodes(old.UserErrors), []string{acctFC("INVALID_CREDENTIALS", "input")}) {
			t.Errorf("login with the old password: %+v", old)
		}
		acctMustLogin(t, p, email, newPassword)
	})
}

// acctCookieRequest sends a request with only the session cookie (no bearer token).
func acctCookieRequest(t *testing.T, method, target, contentType, body string, cookie *http.Cookie, header http.Header) *testutil.Response {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &testutil.Response{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s (%s): HTTP %d, body %s", method, target, contentType, resp.StatusCode, b)
	}
	return out
}

func acctSessionCookie(t *testing.T, h http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "hh_session" {
			return c
		}
	}
	t.Fatalf("no hh_session cookie in %v", h.Values("Set-Cookie"))
	return nil
}

func TestSessionCookieIsHttpOnlyLaxAndWorksOnlyWithCSRFProtection(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	anon := p.Client()
	r := anon.Do(t, acctRegisterOp, map[string]any{"in": map[string]any{"email": "kim@example.be", "password": acctPassword, "displayName": "Kim"}})
	var reg acctAuth
	acctField(t, r, "register", &reg)
	lr := anon.Do(t, acctLoginOp, map[string]any{"in": map[string]any{"email": "kim@example.be", "password": acctPassword}})
	var login acctAuth
	acctField(t, lr, "login", &login)
	for name, h := range map[string]struct {
		header http.Header
		token  string
	}{"register": {r.Header, reg.Session.Token}, "login": {lr.Header, login.Session.Token}} {
		ck := acctSessionCookie(t, h.header)
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Value != h.token {
			t.Errorf("%s cookie = %+v; want HttpOnly, SameSite=Lax, Path=/ and the session token", name, ck)
		}
		if ck.Expires.IsZero() {
			t.Errorf("%s cookie has no expiry (would end with the browser)", name)
		}
	}
	cookie := &http.Cookie{Name: "hh_session", Value: login.Session.Token}
	meBody := `{"query":"{ me { email } }"}`
	getURL := p.URL + "?query=" + url.QueryEscape("{ me { email } }")

	accepted := []struct {
		name, method, target, contentType, body string
		header                                  http.Header
	}{
		{"POST application/json", http.MethodPost, p.URL, "application/json", meBody, nil},
		{"POST application/json with charset", http.MethodPost, p.URL, "application/json; charset=utf-8", meBody, nil},
		{"GET with Apollo-Require-Preflight", http.MethodGet, getURL, "", "", http.Header{"Apollo-Require-Preflight": {"true"}}},
		{"GET with X-Apollo-Operation-Name", http.MethodGet, getURL, "", "", http.Header{"X-Apollo-Operation-Name": {"Me"}}},
	}
	for _, tt := range accepted {
		t.Run("accepted "+tt.name, func(t *testing.T) {
			r := acctCookieRequest(t, tt.method, tt.target, tt.contentType, tt.body, cookie, tt.header)
			var m *struct{ Email *string }
			acctField(t, r, "me", &m)
			if r.Status != http.StatusOK || m == nil || m.Email == nil || *m.Email != "kim@example.be" {
				t.Errorf("HTTP %d, me = %+v; want the cookie's person", r.Status, m)
			}
		})
	}

	refused := []struct{ name, method, target, contentType, body string }{
		{"POST text/plain", http.MethodPost, p.URL, "text/plain", meBody},
		{"POST text/plain with charset", http.MethodPost, p.URL, "text/plain;charset=UTF-8", meBody},
		{"POST form", http.MethodPost, p.URL, "application/x-www-form-urlencoded", "query=" + url.QueryEscape("{ me { email } }")},
		{"POST multipart", http.MethodPost, p.URL, "multipart/form-data; boundary=x", "--x--"},
		{"POST without content type", http.MethodPost, p.URL, "", meBody},
		{"GET without preflight header", http.MethodGet, getURL, "", ""},
	}
	for _, tt := range refused {
		t.Run("refused "+tt.name, func(t *testing.T) {
			r := acctCookieRequest(t, tt.method, tt.target, tt.contentType, tt.body, cookie, nil)
			acctWantRefused(t, r, http.StatusBadRequest, "CSRF_PREVENTION")
		})
	}

	t.Run("text/plain with preflight header is not a CSRF refusal", func(t *testing.T) {
		r := acctCookieRequest(t, http.MethodPost, p.URL, "text/plain", meBody, cookie, http.Header{"Apollo-Require-Preflight": {"true"}})
		if r.ErrorCode() == "CSRF_PREVENTION" {
			t.Errorf("refused as CSRF although the preflight header is present")
		}
	})

	t.Run("stale cookie is cleared and the request goes on anonymously", func(t *testing.T) {
		stale := &http.Cookie{Name: "hh_session", Value: strings.Repeat("B", 43)}
		r := acctCookieRequest(t, http.MethodPost, p.URL, "application/json", meBody, stale, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 || string(r.Data) != `{"me":null}` {
			t.Errorf("HTTP %d, data %s, errors %+v; want anonymous me: null", r.Status, r.Data, r.Errors)
		}
		if ck := acctSessionCookie(t, r.Header); ck.Value != "" || ck.MaxAge >= 0 {
			t.Errorf("stale cookie not cleared: %+v", ck)
		}
	})
}

func acctDistricts(t testing.TB, p *testutil.Platform) []acctDistrict {
	t.Helper()
	var ds []acctDistrict
	acctField(t, p.Client().Do(t, `{ districts { id key } }`, nil), "districts", &ds)
	if len(ds) < 2 {
		t.Fatalf("districts = %+v", ds)
	}
	return ds
}

func TestUpdateMeChangesOnlyTheViewersOwnFieldsAndMeShowsThem(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	c := p.Register(t, "rita@example.be", "Rita")
	ds := acctDistricts(t, p)
	type payload struct {
		Person     *acctPerson
		UserErrors []acctUserError
	}
	update := func(t *testing.T, in map[string]any) payload {
		t.Helper()
		var out payload
		acctField(t, c.Do(t, acctUpdateMeOp, map[string]any{"in": in}), "updateMe", &out)
		return out
	}

	out := update(t, map[string]any{"displayName": "  Rita V.  ", "preferredLanguage": "EN", "districtId": ds[1].ID,
		"phone": "+32 3 123 45 67", "birthDate": "1985-02-28"})
	if len(out.UserErrors) != 0 || out.Person == nil {
		t.Fatalf("updateMe = %+v", out)
	}
	// me shows the viewer's own private fields (email, phone, birth date).
	m := acctMe(t, c)
	if m.DisplayName != "Rita V." || m.PreferredLanguage != "EN" || m.District == nil || m.District.Key != ds[1].Key ||
		m.Phone == nil || *m.Phone != "+32 3 123 45 67" || m.BirthDate == nil || *m.BirthDate != "1985-02-28" ||
		m.Email == nil || *m.Email != "rita@example.be" {
		t.Errorf("me after update = %+v (district %+v), want every change and the private fields", m, m.District)
	}
	if out.Person.DisplayName != m.DisplayName || out.Person.District == nil || out.Person.District.ID != ds[1].ID {
		t.Errorf("payload person %+v differs from me %+v", out.Person, m)
	}

	// Fields left out stay as they are; an empty district ID and phone clear them.
	out = update(t, map[string]any{"districtId": "", "phone": ""})
	m = acctMe(t, c)
	if len(out.UserErrors) != 0 || m.District != nil || m.Phone != nil || m.DisplayName != "Rita V." || m.BirthDate == nil {
		t.Errorf("after clearing district and phone: %+v, me = %+v", out.UserErrors, m)
	}

	before := acctMe(t, c)
	refused := []struct {
		name string
		in   map[string]any
		want []string
	}{
		{"unknown district", map[string]any{"districtId": relay.ID("District", "atlantis")}, []string{acctFC("UNKNOWN_REFERENCE", "input", "districtId")}},
		{"malformed district ID", map[string]any{"districtId": "not an id!"}, []string{acctFC("INVALID", "input", "districtId")}},
		{"ID of another kind as district", map[string]any{"districtId": before.ID}, []string{acctFC("INVALID", "input", "districtId")}},
		{"phone with letters", map[string]any{"phone": "call me"}, []string{acctFC("INVALID", "input", "phone")}},
		{"phone with too few digits", map[string]any{"phone": "12345"}, []string{acctFC("INVALID", "input", "phone")}},
		{"phone with too many digits", map[string]any{"phone": "+32 3 123 45 67 89 01 23"}, []string{acctFC("INVALID", "input", "phone")}},
		{"phone with plus inside", map[string]any{"phone": "03+1234567"}, []string{acctFC("INVALID", "input", "phone")}},
		{"birth date in the future", map[string]any{"birthDate": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}, []string{acctFC("OUT_OF_RANGE", "input", "birthDate")}},
		{"birth date too long ago", map[string]any{"birthDate": "1850-01-01"}, []string{acctFC("OUT_OF_RANGE", "input", "birthDate")}},
		{"empty display name", map[string]any{"displayName": "  "}, []string{acctFC("REQUIRED", "input", "displayName")}},
		{"valid name with bad phone changes nothing", map[string]any{"displayName": "Changed", "phone": "nope"}, []string{acctFC("INVALID", "input", "phone")}},
		{"valid district with bad name changes nothing", map[string]any{"districtId": ds[0].ID, "displayName": ""}, []string{acctFC("REQUIRED", "input", "displayName")}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			out := update(t, tt.in)
			acctWantCodes(t, out.UserErrors, tt.want...)
			if out.Person != nil {
				t.Errorf("refused update returned a person")
			}
			after := acctMe(t, c)
			if after.DisplayName != before.DisplayName || (after.District == nil) != (before.District == nil) ||
				(after.Phone == nil) != (before.Phone == nil) || *after.BirthDate != *before.BirthDate {
				t.Errorf("refused update changed me: before %+v, after %+v", before, after)
			}
		})
	}

	t.Run("anonymous", func(t *testing.T) {
		r := p.Client().Do(t, acctUpdateMeOp, map[string]any{"in": map[string]any{"displayName": "Nobody"}})
		acctWantTopLevel(t, r, "UNAUTHENTICATED")
		if string(r.Data) != "null" {
			t.Errorf("data = %s, want null", r.Data)
		}
		r = p.Client().Do(t, acctMeOp, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 || string(r.Data) != `{"me":null}` {
			t.Errorf("anonymous me: HTTP %d, data %s, errors %+v; want me: null", r.Status, r.Data, r.Errors)
		}
	})
}

func TestGrantRole(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	admin := p.Register(t, "admin@example.be", "Admin")
	p.MakeAdmin(t, "admin@example.be")
	mia := p.Register(t, "mia@example.be", "Mia")
	ben := p.Register(t, "ben@example.be", "Ben")
	adminID, miaID, benID := acctMe(t, admin).ID, acctMe(t, mia).ID, acctMe(t, ben).ID

	type payload struct {
		Person     *acctPerson
		UserErrors []acctUserError
	}
	grant := func(t *testing.T, c *testutil.Client, personID, role string, granted bool) (payload, *testutil.Response) {
		t.Helper()
		r := c.Do(t, acctGrantRoleOp, map[string]any{"in": map[string]any{"personId": personID, "role": role, "granted": granted}})
		var out payload
		if len(r.Errors) == 0 {
			acctField(t, r, "grantRole", &out)
		}
		return out, r
	}

	t.Run("non-administrator is forbidden", func(t *testing.T) {
		_, r := grant(t, mia, benID, "MATCHMAKER", true)
		acctWantTopLevel(t, r, "FORBIDDEN")
		_, r = grant(t, mia, miaID, "ADMINISTRATOR", true)
		acctWantTopLevel(t, r, "FORBIDDEN")
		if n := acctCount(t, p, `SELECT count(*) FROM people WHERE is_admin OR is_matchmaker`); n != 1 {
			t.Errorf("people with a role = %d, want 1 (the admin)", n)
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		_, r := grant(t, p.Client(), benID, "MATCHMAKER", true)
		acctWantTopLevel(t, r, "UNAUTHENTICATED")
	})
	t.Run("administrator makes someone matchmaker and takes it back", func(t *testing.T) {
		out, r := grant(t, admin, miaID, "MATCHMAKER", true)
		if len(r.Errors) > 0 || len(out.UserErrors) > 0 || out.Person == nil {
			t.Fatalf("grant: %+v %+v", r.Errors, out)
		}
		if !slices.Equal(out.Person.Roles, []string{"VOLUNTEER", "MATCHMAKER"}) {
			t.Errorf("payload roles = %v", out.Person.Roles)
		}
		if out.Person.Email == nil || *out.Person.Email != "mia@example.be" {
			t.Errorf("administrator does not see the email: %+v", out.Person)
		}
		if got := acctMe(t, mia).Roles; !slices.Equal(got, []string{"VOLUNTEER", "MATCHMAKER"}) {
			t.Errorf("mia's roles = %v, want [VOLUNTEER MATCHMAKER]", got)
		}
		out, _ = grant(t, admin, miaID, "MATCHMAKER", false)
		if got := acctMe(t, mia).Roles; out.Person == nil || !slices.Equal(got, []string{"VOLUNTEER"}) {
			t.Errorf("after taking the role: %+v, mia's roles = %v", out, got)
		}
	})
	t.Run("administrator makes another administrator who can then grant", func(t *testing.T) {
		out, _ := grant(t, admin, benID, "ADMINISTRATOR", true)
		if out.Person == nil || !slices.Equal(out.Person.Roles, []string{"VOLUNTEER", "ADMINISTRATOR"}) {
			t.Fatalf("grant administrator: %+v", out)
		}
		out, r := grant(t, ben, miaID, "MATCHMAKER", true)
		if len(r.Errors) > 0 || out.Person == nil {
			t.Errorf("new administrator cannot grant: %+v %+v", r.Errors, out)
		}
		// Another administrator may take the role away again.
		out, _ = grant(t, admin, benID, "ADMINISTRATOR", false)
		if out.Person == nil || slices.Contains(out.Person.Roles, "ADMINISTRATOR") {
			t.Errorf("take administrator from ben: %+v", out)
		}
		_, r = grant(t, ben, miaID, "MATCHMAKER", false)
		acctWantTopLevel(t, r, "FORBIDDEN")
	})
	refused := []struct {
		name, personID, role string
		granted              bool
		want                 []string
	}{
		{"own administrator role cannot be taken away", adminID, "ADMINISTRATOR", false, []string{acctFC("INVALID_STATE", "input", "personId")}},
		{"volunteer is not grantable", miaID, "VOLUNTEER", true, []string{acctFC("INVALID", "input", "role")}},
		{"coordinator is not grantable", miaID, "COORDINATOR", true, []string{acctFC("INVALID", "input", "role")}},
		{"unknown person", relay.ID("Person", "00000000-0000-4000-8000-000000000000"), "MATCHMAKER", true, []string{acctFC("NOT_FOUND", "input", "personId")}},
		{"malformed person ID", "%%%", "MATCHMAKER", true, []string{acctFC("INVALID", "input", "personId")}},
		{"district ID as person ID", relay.ID("District", "centrum"), "MATCHMAKER", true, []string{acctFC("INVALID", "input", "personId")}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			out, r := grant(t, admin, tt.personID, tt.role, tt.granted)
			if len(r.Errors) > 0 {
				t.Fatalf("top-level errors %+v", r.Errors)
			}
			acctWantCodes(t, out.UserErrors, tt.want...)
			if out.Person != nil {
				t.Errorf("refused grant returned %+v", out.Person)
			}
		})
	}
	if got := acctMe(t, admin).Roles; !slices.Contains(got, "ADMINISTRATOR") {
		t.Errorf("admin's roles = %v, still want ADMINISTRATOR", got)
	}
	t.Run("person ID whose key is not a UUID is a user error, not an internal error", func(t *testing.T) {
		out, r := grant(t, admin, relay.ID("Person", "not-a-uuid"), "MATCHMAKER", true)
		if len(r.Errors) > 0 {
			t.Fatalf("top-level errors %+v; want a user error on [input personId]", r.Errors)
		}
		got := acctCodes(out.UserErrors)
		if !slices.Equal(got, []string{acctFC("INVALID", "input", "personId")}) && !slices.Equal(got, []string{acctFC("NOT_FOUND", "input", "personId")}) {
			t.Errorf("userErrors = %v, want INVALID or NOT_FOUND on [input personId]", got)
		}
	})
}

func TestRepeatedWrongLoginsAreRateLimited(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	const email = "target@example.be"
	p.Register(t, email, "Target")
	c := p.Client()
	for i := 1; i <= 5; i++ {
		out, r := acctLogin(t, c, email, fmt.Sprintf("Wrong-guess-%d", i))
		if len(r.Errors) > 0 || !slices.Equal(acctCodes(out.UserErrors), []string{acctFC("INVALID_CREDENTIALS", "input")}) {
			t.Fatalf("wrong login %d: errors %+v, userErrors %+v; want INVALID_CREDENTIALS", i, r.Errors, out.UserErrors)
		}
	}
	msg := acctLocale(t, "nl")
	for _, attempt := range []struct{ name, password string }{
		{"sixth wrong password", "Wrong-guess-6"},
		{"right password", acctPassword},
	} {
		_, r := acctLogin(t, c, email, attempt.password)
		acctWantTopLevel(t, r, "RATE_LIMITED")
		if len(r.Errors) != 1 {
			continue
		}
		secs, _ := r.Errors[0].Extensions["retryAfter"].(float64)
		if secs < 1 {
			t.Errorf("%s: retryAfter = %v, want a whole number of seconds > 0", attempt.name, r.Errors[0].Extensions["retryAfter"])
		}
		if got := r.Header.Get("Retry-After"); got != fmt.Sprint(int(secs)) {
			t.Errorf("%s: Retry-After header = %q, want %d", attempt.name, got, int(secs))
		}
		if want := msg("err_rate_limited", "Seconds", fmt.Sprint(int(secs))); r.Errors[0].Message != want {
			t.Errorf("%s: message = %q, want %q", attempt.name, r.Errors[0].Message, want)
		}
		if string(r.Data) != "null" {
			t.Errorf("%s: data = %s, want null", attempt.name, r.Data)
		}
	}
	if n := acctCount(t, p, `SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("sessions = %d, want 1 (no login got through)", n)
	}
	// Another account from the same address is not locked.
	p.Register(t, "bystander@example.be", "Bystander")
	acctMustLogin(t, p, "bystander@example.be", acctPassword)
}
