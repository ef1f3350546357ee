package i18n

import (
	"encoding/json"
	"regexp"
	"sort"
	"testing"
)

func TestFromAcceptLanguagePicksASupportedLanguageOrDutch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"", NL, false},
		{"fr-BE,fr;q=0.9", FR, true},
		{"en-GB", EN, true},
		{"ar-MA", AR, true},
		{"de-DE,en;q=0.5", EN, true},
		{"nl-BE", NL, true},
		{"tr", NL, false},
		{"*", NL, false},
		{"garbage;;;q=x", NL, false},
	}
	for _, tt := range tests {
		got, ok := FromAcceptLanguage(tt.header)
		if got != tt.want || (tt.ok && !ok) {
			t.Errorf("FromAcceptLanguage(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// Every language has every message key, and every template uses the same arguments.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	t.Parallel()
	arg := regexp.MustCompile(`\{\{\.(\w+)\}\}`)
	catalogues := map[string]map[string]string{}
	for _, l := range Supported {
		b, err := localeFS.ReadFile("locales/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		catalogues[l] = m
	}
	for key, nl := range catalogues[NL] {
		want := args(arg, nl)
		for _, l := range Supported {
			msg, ok := catalogues[l][key]
			if !ok || msg == "" {
				t.Errorf("%s lacks %q", l, key)
				continue
			}
			if got := args(arg, msg); got != want {
				t.Errorf("%s %q uses arguments %s, Dutch uses %s", l, key, got, want)
			}
		}
	}
	for _, l := range Supported {
		if len(catalogues[l]) != len(catalogues[NL]) {
			t.Errorf("%s has %d messages, Dutch %d", l, len(catalogues[l]), len(catalogues[NL]))
		}
	}
}

func args(re *regexp.Regexp, s string) string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	b, _ := json.Marshal(out)
	return string(b)
}

func TestTFillsTemplatesAndFallsBack(t *testing.T) {
	t.Parallel()
	if got := T(FR, "too_long", map[string]any{"Max": 80}); got != "Utilisez au maximum 80 caractères." {
		t.Errorf("T(fr, too_long) = %q", got)
	}
	if got := T("xx", "required", nil); got != "Vul dit in." {
		t.Errorf("unknown language falls back to Dutch: %q", got)
	}
	if got := T(EN, "no_such_key", nil); got != "no_such_key" {
		t.Errorf("unknown key = %q", got)
	}
}

func TestPickFallsBackToDutchThenAnyLabel(t *testing.T) {
	t.Parallel()
	if got := Pick(map[string]string{"nl": "Zorg", "fr": "Soins"}, AR); got != "Zorg" {
		t.Errorf("got %q", got)
	}
	if got := Pick(map[string]string{"en": "Care"}, FR); got != "Care" {
		t.Errorf("got %q", got)
	}
}
