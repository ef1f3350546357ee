package relay

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestIDRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct{ typ, key string }{
		{"Organisation", "0b9d6f0e-4c1a-4f57-9a3e-5f7f2c1d9b10"},
		{"District", "borgerhout"},
		{"Theme", "key:with:colons"},
		{"Talent", "ünïcödé sleutel"},
		{"Person", " spaces around "},
		{"TalentCategory", strings.Repeat("k", 1000)},
	}
	for _, tt := range tests {
		id := ID(tt.typ, tt.key)
		if strings.ContainsAny(id, "+/= \n") {
			t.Errorf("ID(%q, %q) = %q is not URL-safe", tt.typ, tt.key, id)
		}
		got, err := FromID(tt.typ, id)
		if err != nil || got != tt.key {
			t.Errorf("FromID(%q, ID(...)) = %q, %v; want %q", tt.typ, got, err, tt.key)
		}
	}
}

func TestIDIsOpaqueAndDiffersByType(t *testing.T) {
	t.Parallel()
	a, b := ID("District", "borgerhout"), ID("Theme", "borgerhout")
	if a == b {
		t.Errorf("IDs of different types are equal: %q", a)
	}
	if strings.Contains(a, "District") || strings.Contains(a, "borgerhout") {
		t.Errorf("ID %q is not opaque", a)
	}
}

func TestFromIDRefusesForeignAndMalformedIDs(t *testing.T) {
	t.Parallel()
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct{ name, id string }{
		{"empty", ""},
		{"another type", ID("Theme", "care")},
		{"type that is a prefix", raw("Org:1")},
		{"type that extends the wanted one", raw("Organisations:1")},
		{"lower-case type", raw("organisation:1")},
		{"no colon", raw("Organisation")},
		{"empty key", raw("Organisation:")},
		{"not base64", "!!!"},
		{"standard base64 with padding", base64.StdEncoding.EncodeToString([]byte("Organisation:1?"))},
		{"plain key", "0b9d6f0e-4c1a-4f57-9a3e-5f7f2c1d9b10"},
	}
	for _, tt := range tests {
		key, err := FromID("Organisation", tt.id)
		if !errors.Is(err, ErrInvalidID) || key != "" {
			t.Errorf("%s: FromID(%q) = %q, %v; want ErrInvalidID", tt.name, tt.id, key, err)
		}
	}
}

func TestFromIDToleratesSurroundingWhitespace(t *testing.T) {
	t.Parallel()
	if key, err := FromID("District", "  "+ID("District", "berchem")+"\n"); err != nil || key != "berchem" {
		t.Errorf("FromID with whitespace = %q, %v", key, err)
	}
}

type cursorPos struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

func TestCursorRoundTrips(t *testing.T) {
	t.Parallel()
	for _, in := range []cursorPos{{"café de kroon", "0b9d6f0e-4c1a-4f57-9a3e-5f7f2c1d9b10"}, {"", ""}, {`"quoted" \ name`, "x"}} {
		c := Cursor(in)
		if strings.ContainsAny(c, "+/= ") {
			t.Errorf("cursor %q is not URL-safe", c)
		}
		var out cursorPos
		if err := FromCursor(c, &out); err != nil || out != in {
			t.Errorf("FromCursor(Cursor(%+v)) = %+v, %v", in, out, err)
		}
	}
}

func TestFromCursorRefusesGarbage(t *testing.T) {
	t.Parallel()
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []string{"!!!", "", raw("not json"), raw(`{"n":1}`), raw(`[1,2]`), raw(`{"n":"a"`)} {
		var out cursorPos
		if err := FromCursor(c, &out); !errors.Is(err, ErrInvalidID) {
			t.Errorf("FromCursor(%q) = %v, want ErrInvalidID", c, err)
		}
	}
}

func TestCursorPanicsOnUnencodableValue(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Cursor of a channel did not panic")
		}
	}()
	Cursor(make(chan int))
}

func TestPageSize(t *testing.T) {
	t.Parallel()
	n := func(i int) *int { return &i }
	tests := []struct {
		name  string
		first *int
		def   int
		want  int
	}{
		{"default", nil, 20, 20},
		{"within range", n(7), 20, 7},
		{"one", n(1), 20, 1},
		{"exactly the maximum", n(MaxPageSize), 20, MaxPageSize},
		{"over the maximum", n(1000), 20, MaxPageSize},
		{"huge", n(1 << 40), 20, MaxPageSize},
		{"zero", n(0), 20, 1},
		{"negative", n(-5), 20, 1},
	}
	for _, tt := range tests {
		if got := PageSize(tt.first, tt.def); got != tt.want {
			t.Errorf("%s: PageSize = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// FuzzFromID checks that decoding any string never panics, that whatever decodes was
// made by ID for the same type, and that every ID made by ID decodes to its key.
func FuzzFromID(f *testing.F) {
	f.Add("Organisation", "0b9d6f0e-4c1a-4f57-9a3e-5f7f2c1d9b10", "")
	f.Add("District", "borgerhout", "!!!")
	f.Add("Theme", "a:b", ID("Theme", "care"))
	f.Add("Talent", "", "VGFsZW50Og")
	f.Add("Person", "\x00\xff", " "+ID("Person", "p")+" ")
	f.Fuzz(func(t *testing.T, typ, key, id string) {
		// Arbitrary input never panics; a success is a well-formed key of typ.
		if k, err := FromID(typ, id); err == nil {
			if k == "" {
				t.Fatalf("FromID(%q, %q) gave an empty key", typ, id)
			}
			if again := ID(typ, k); again != strings.TrimSpace(id) && !base64Equivalent(again, strings.TrimSpace(id)) {
				t.Fatalf("FromID(%q, %q) = %q, but ID gives %q", typ, id, k, again)
			}
		} else if !errors.Is(err, ErrInvalidID) {
			t.Fatalf("FromID error %v is not ErrInvalidID", err)
		}
		// Round trip, for types as the server uses them (no colon) and non-empty keys.
		if strings.Contains(typ, ":") || key == "" {
			return
		}
		got, err := FromID(typ, ID(typ, key))
		if err != nil || got != key {
			t.Fatalf("FromID(%q, ID(%q, %q)) = %q, %v", typ, typ, key, got, err)
		}
	})
}

// base64Equivalent reports whether two unpadded URL base64 strings decode to the same bytes
// (a non-canonical encoding may carry extra bits in its last character).
func base64Equivalent(a, b string) bool {
	x, err1 := base64.RawURLEncoding.DecodeString(a)
	y, err2 := base64.RawURLEncoding.DecodeString(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
