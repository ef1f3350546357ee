package accounts

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// randomPassword returns a reproducible password of n characters with no pattern zxcvbn knows.
func randomPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*+-=?@"
	r := rand.New(rand.NewPCG(7, 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func TestValidatePasswordOutcomes(t *testing.T) {
	t.Parallel()
	const email, name = "wouter.vanderstraeten@example.be", "Wouter Vanderstraeten"
	// 77 characters of Arabic script: 142 bytes in UTF-8.
	arabic := "الشمس تشرق كل صباح على مدينة أنتويرب الجميلة والناس يذهبون إلى عملهم بالدراجة"
	if n := utf8.RuneCountInString(arabic); n > 100 || len(arabic) <= MaxPasswordLen {
		t.Fatalf("test setup: Arabic passphrase has %d characters and %d bytes", n, len(arabic))
	}
	tests := []struct {
		name     string
		password string
		inputs   []string
		want     errs.Code // "" means accepted
	}{
		{"empty", "", nil, errs.TooShort},
		{"five characters", "abc12", nil, errs.TooShort},
		{"seven random characters", randomPassword(7), nil, errs.TooShort},
		{"seven accented characters (14 bytes) count as seven", "éàüöçñø", nil, errs.TooShort},
		{"eight random characters", "a9#Kq2!x", nil, ""},
		{"passphrase of words", "Correct-horse-battery-9", nil, ""},
		{"Dutch passphrase with spaces", "tram zeven naar linkeroever", nil, ""},
		{"128 characters", randomPassword(128), nil, ""},
		{"129 characters", randomPassword(129), nil, errs.TooLong},
		{"1000 characters", randomPassword(1000), nil, errs.TooLong},
		{"Arabic passphrase of 77 characters (142 bytes) counts characters, not bytes", arabic, nil, ""},
		{"password123", "password123", nil, errs.WeakPassword},
		{"qwertyuiop", "qwertyuiop", nil, errs.WeakPassword},
		{"azertyuiop (Belgian keyboard)", "azertyuiop", nil, errs.WeakPassword},
		{"iloveyou", "iloveyou", nil, errs.WeakPassword},
		{"12345678", "12345678", nil, errs.WeakPassword},
		{"1q2w3e4r", "1q2w3e4r", nil, errs.WeakPassword},
		{"capitalised common password", "Password1", nil, errs.WeakPassword},
		{"leet-speak common password", "P@ssw0rd", nil, errs.WeakPassword},
		{"one character repeated", "aaaaaaaaaaaaaaaa", nil, errs.WeakPassword},
		{"surname alone is fine for someone else", "vanderstraeten", nil, ""},
		{"own surname", "vanderstraeten", []string{email, name}, errs.WeakPassword},
		{"own surname with a digit", "Vanderstraeten1", []string{email, name}, errs.WeakPassword},
		{"own email", email, []string{email, name}, errs.WeakPassword},
		{"local part of own email", "wouter.vanderstraeten", []string{email, name}, errs.WeakPassword},
		{"own name", "Wouter Vanderstraeten", []string{email, name}, errs.WeakPassword},
		{"own first and last name run together", "woutervanderstraeten", []string{email, name}, errs.WeakPassword},
		{"surname found only in the email address", "vanderstraeten1", []string{email, "Wouter"}, errs.WeakPassword},
		{"unrelated passphrase for this person", "Zonnebloem-Kaai-17", []string{email, name}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v errs.UserErrors
			ValidatePassword(&v, "newPassword", tt.password, tt.inputs...)
			if tt.want == "" {
				if len(v) != 0 {
					t.Fatalf("got %v, want the password accepted", v)
				}
				return
			}
			if len(v) != 1 {
				t.Fatalf("got %d errors %v, want exactly one %s", len(v), v, tt.want)
			}
			e := v[0]
			if e.Code != tt.want || !slices.Equal(e.Field, []string{"input", "newPassword"}) {
				t.Errorf("got %s on %v, want %s on [input newPassword]", e.Code, e.Field, tt.want)
			}
			wantKey, wantArgs := map[errs.Code]string{
				errs.TooShort: "password_too_short", errs.TooLong: "password_too_long", errs.WeakPassword: "password_common",
			}[tt.want], map[errs.Code]map[string]any{
				errs.TooShort: {"Min": MinPasswordLen}, errs.TooLong: {"Max": MaxPasswordLen},
			}[tt.want]
			if e.Message != wantKey {
				t.Errorf("message key = %q, want %q", e.Message, wantKey)
			}
			for k, want := range wantArgs {
				if e.Args[k] != want {
					t.Errorf("args[%s] = %v, want %v", k, e.Args[k], want)
				}
			}
		})
	}
}

func TestValidatePasswordAddsToExistingErrors(t *testing.T) {
	t.Parallel()
	var v errs.UserErrors
	v.Add("email", errs.InvalidEmail, "invalid_email", nil)
	ValidatePassword(&v, "password", "abc")
	if len(v) != 2 || v[0].Code != errs.InvalidEmail || v[1].Code != errs.TooShort {
		t.Errorf("errors = %v, want the email error kept and TOO_SHORT added", v)
	}
}

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	const pw = "Correct-horse-battery-9"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Errorf("two hashes of the same password are equal: salt missing")
	}
	if strings.Contains(h1, pw) {
		t.Errorf("hash contains the password")
	}
	// OWASP parameters for argon2id: 19 MiB, 2 iterations, 1 lane.
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not use argon2id with m=19456,t=2,p=1", h1)
	}
	tests := []struct {
		name, password, hash string
		want                 bool
	}{
		{"right password, first hash", pw, h1, true},
		{"right password, second hash", pw, h2, true},
		{"wrong password", "Correct-horse-battery-8", h1, false},
		{"different case", strings.ToLower(pw), h1, false},
		{"password with trailing space", pw + " ", h1, false},
	}
	for _, tt := range tests {
		ok, err := VerifyPassword(tt.password, tt.hash)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if ok != tt.want {
			t.Errorf("%s: VerifyPassword = %v, want %v", tt.name, ok, tt.want)
		}
	}
	if ok, err := VerifyPassword(pw, "not a hash"); ok || err == nil {
		t.Errorf("malformed hash: ok=%v err=%v, want false and an error", ok, err)
	}
}
