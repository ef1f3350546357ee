// Package errs defines the errors the domain returns and the edge maps to GraphQL:
// user errors (bad input, shown in the user's language) and a few sentinel errors
// that become top-level error codes (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED).
package errs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a user error code; the values match the GraphQL enum UserErrorCode.
type Code string

// User error codes.
const (
	Required           Code = "REQUIRED"
	Invalid            Code = "INVALID"
	TooShort           Code = "TOO_SHORT"
	TooLong            Code = "TOO_LONG"
	OutOfRange         Code = "OUT_OF_RANGE"
	InvalidEmail       Code = "INVALID_EMAIL"
	WeakPassword       Code = "WEAK_PASSWORD"
	EmailTaken         Code = "EMAIL_TAKEN"
	InvalidCredentials Code = "INVALID_CREDENTIALS"
	NotFoundCode       Code = "NOT_FOUND"
	UnknownReference   Code = "UNKNOWN_REFERENCE"
	AlreadyMember      Code = "ALREADY_MEMBER"
	InvalidState       Code = "INVALID_STATE"
)

// Sentinel errors that become top-level GraphQL errors.
var (
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrForbidden       = errors.New("forbidden")
	ErrNotFound        = errors.New("not found")
)

// RateLimitedError says the caller must wait before trying again.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}

// FieldError is one problem with one input field. Message is a message key from the
// i18n catalogue (see internal/i18n); Args fill its template.
type FieldError struct {
	Field   []string
	Code    Code
	Message string
	Args    map[string]any
}

// UserErrors is a list of problems with the input. It is returned as an error so that
// domain functions have one error path; the edge turns it into payload userErrors.
type UserErrors []FieldError

func (u UserErrors) Error() string {
	parts := make([]string, 0, len(u))
	for _, e := range u {
		parts = append(parts, strings.Join(e.Field, ".")+": "+string(e.Code))
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add appends a problem. field is a dotted path below "input", e.g. "email" or "address.postcode".
func (u *UserErrors) Add(field string, code Code, messageKey string, args map[string]any) {
	path := []string{"input"}
	if field != "" {
		path = append(path, strings.Split(field, ".")...)
	}
	*u = append(*u, FieldError{Field: path, Code: code, Message: messageKey, Args: args})
}

// Err returns nil when there are no problems, so callers can `return v.Err()`.
func (u UserErrors) Err() error {
	if len(u) == 0 {
		return nil
	}
	return u
}

// One is a shortcut for a single user error.
func One(field string, code Code, messageKey string, args map[string]any) error {
	var u UserErrors
	u.Add(field, code, messageKey, args)
	return u
}

// AsUserErrors reports whether err carries user errors.
func AsUserErrors(err error) (UserErrors, bool) {
	var u UserErrors
	if errors.As(err, &u) {
		return u, true
	}
	return nil, false
}
