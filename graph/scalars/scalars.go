// Package scalars implements the DateTime and Date GraphQL scalars.
package scalars

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Zone is the platform's time zone.
var Zone = mustZone("Europe/Brussels")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// MarshalDateTime writes a time as RFC 3339 in Europe/Brussels, with its offset.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.In(Zone).Format(time.RFC3339)))
	})
}

// UnmarshalDateTime reads an RFC 3339 time; the offset is required.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("DateTime must be a string like 2026-03-29T09:30:00+02:00")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("DateTime must look like 2026-03-29T09:30:00+02:00")
	}
	return t, nil
}

// MarshalDate writes a date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a YYYY-MM-DD date.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("Date must be a string like 2026-03-29")
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("Date must look like 2026-03-29")
	}
	return t, nil
}
