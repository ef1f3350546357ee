package accounts

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/trustelem/zxcvbn"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Password rules (OWASP ASVS 5: at least 8 characters, long passphrases allowed,
// checked against a list of common passwords, no composition rules).
const (
	MinPasswordLen = 8
	// MaxPasswordLen counts characters (a passphrase in Arabic takes two bytes a character);
	// maxPasswordBytes bounds the hashing work.
	MaxPasswordLen   = 128
	maxPasswordBytes = 512
	// minStrength is zxcvbn's score (0..4) a password needs: 2 means "somewhat guessable",
	// about a million guesses; common passwords and simple variations score lower.
	minStrength = 2
)

// argonParams follow the OWASP password storage cheat sheet for argon2id
// (m=19 MiB, t=2, p=1).
var argonParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// ValidatePassword adds user errors for a password that is too short, too long or too
// common. userInputs (email, name) make passwords built from them count as weak.
func ValidatePassword(v *errs.UserErrors, field, password string, userInputs ...string) {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		v.Add(field, errs.TooShort, "password_too_short", map[string]any{"Min": MinPasswordLen})
		return
	case n > MaxPasswordLen || len(password) > maxPasswordBytes:
		v.Add(field, errs.TooLong, "password_too_long", map[string]any{"Max": MaxPasswordLen})
		return
	}
	var inputs []string
	for _, in := range userInputs {
		in = strings.ToLower(in)
		inputs = append(inputs, in)
		if local, _, ok := strings.Cut(in, "@"); ok {
			inputs = append(inputs, local)
		}
		// Words of the name and of the email address ("jan.peeters@…" → jan, peeters).
		inputs = append(inputs, strings.FieldsFunc(in, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })...)
	}
	res := zxcvbn.PasswordStrength(password, inputs)
	if res.Score < minStrength || isCommonPassword(res) {
		v.Add(field, errs.WeakPassword, "password_common", nil)
	}
}

// isCommonPassword reports whether the whole password (ignoring case and leet-speak) is
// one entry of zxcvbn's list of common passwords.
func isCommonPassword(res zxcvbn.Result) bool {
	if len(res.Sequence) != 1 {
		return false
	}
	m := res.Sequence[0]
	return m.Pattern == "dictionary" && m.DictionaryName == "passwords"
}

// HashPassword hashes a password with argon2id.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, argonParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// VerifyPassword checks a password against a hash.
func VerifyPassword(password, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return ok, nil
}

var dummyHash, _ = HashPassword("not a real password, only for timing")

// burnPasswordCheck costs as much as a real check.
func burnPasswordCheck(password string) {
	if len(password) > maxPasswordBytes {
		password = password[:maxPasswordBytes]
	}
	_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
}
