package graph_test

import (
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

func TestReferenceDataIsServedInTheRequestLanguage(t *testing.T) {
	t.Parallel()
	p := testutil.NewPlatform(t)
	tests := []struct{ lang, want string }{
		{"nl", "Antwerpen"}, {"fr", "Anvers"}, {"en", "Antwerp"}, {"ar", "أنتويرب"}, {"de-DE", "Antwerpen"},
	}
	for _, tt := range tests {
		c := p.Client()
		c.Language = tt.lang
		var out struct{ Districts []struct{ Name string } }
		c.MustData(t, `{ districts { name } }`, nil, &out)
		if len(out.Districts) != 9 || out.Districts[0].Name != tt.want {
			t.Errorf("%s: first district = %+v, want %q of 9", tt.lang, out.Districts, tt.want)
		}
	}
}
