// Package relay makes opaque global IDs and pagination cursors (Relay conventions).
// Clients never parse them; the server only decodes them to find rows.
package relay

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// MaxPageSize is the largest page a connection returns.
const MaxPageSize = 100

// ErrInvalidID says an ID or cursor could not be decoded.
var ErrInvalidID = errors.New("invalid id")

// ID makes the opaque ID of an object of kind typ with local key.
func ID(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

// FromID decodes an ID made by ID, checking that it is of kind typ.
func FromID(typ, id string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(id))
	if err != nil {
		return "", ErrInvalidID
	}
	t, key, ok := strings.Cut(string(b), ":")
	if !ok || t != typ || key == "" {
		return "", ErrInvalidID
	}
	return key, nil
}

// Cursor encodes a position (any JSON value, typically the sort keys of a row).
func Cursor(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("relay: cursor of unencodable value: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// FromCursor decodes a cursor made by Cursor into v.
func FromCursor(c string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return ErrInvalidID
	}
	if err := json.Unmarshal(b, v); err != nil {
		return ErrInvalidID
	}
	return nil
}

// PageSize clamps a requested page size to 1..MaxPageSize, defaulting to def.
func PageSize(first *int, def int) int {
	if first == nil {
		return def
	}
	n := *first
	if n < 1 {
		return 1
	}
	if n > MaxPageSize {
		return MaxPageSize
	}
	return n
}
