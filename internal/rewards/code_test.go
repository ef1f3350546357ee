package rewards_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/rewards"
)

func TestCodeAlphabetHasNoConfusableCharacters(t *testing.T) {
	t.Parallel()
	if len(rewards.CodeAlphabet) != 31 {
		t.Fatalf("alphabet has %d characters, want 31 (a prime)", len(rewards.CodeAlphabet))
	}
	if strings.ContainsAny(rewards.CodeAlphabet, "0O1IL") {
		t.Fatalf("alphabet %q has 0, O, 1, I or L", rewards.CodeAlphabet)
	}
}

func newCode(t *testing.T) string {
	t.Helper()
	c, err := rewards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every code is valid, reads back in every tolerated spelling, and has ≥ 40 random bits.
func TestCodesReadBackHoweverTheyAreWritten(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c := newCode(t)
		if len(c) != rewards.CodeLength || seen[c] {
			t.Fatalf("code %q: wrong length or seen before", c)
		}
		seen[c] = true
		f := rewards.FormatCode(c)
		if len(f) != 12 || f[4] != '-' || f[9] != '-' {
			t.Fatalf("formatted %q", f)
		}
		for _, typed := range []string{c, f, strings.ToLower(f), " " + strings.ReplaceAll(f, "-", " ") + " ", strings.ToLower(c[:5]) + "." + c[5:]} {
			if got, ok := rewards.ParseCode(typed); !ok || got != c {
				t.Fatalf("ParseCode(%q) = %q, %v; want %q", typed, got, ok, c)
			}
		}
	}
	// 31^9 codes: log2 ≥ 44.
	n := 1.0
	for i := 0; i < rewards.CodeLength-1; i++ {
		n *= float64(len(rewards.CodeAlphabet))
	}
	if n < 1<<40 {
		t.Fatalf("only %.0f codes", n)
	}
}

// The check character catches every change of one character and every swap of two
// neighbouring different characters (exhaustively, for many random codes).
func TestCheckCharacterCatchesEverySubstitutionAndTransposition(t *testing.T) {
	t.Parallel()
	for i := 0; i < 300; i++ {
		c := newCode(t)
		for pos := 0; pos < len(c); pos++ {
			for _, r := range rewards.CodeAlphabet {
				if byte(r) == c[pos] {
					continue
				}
				bad := c[:pos] + string(r) + c[pos+1:]
				if _, ok := rewards.ParseCode(bad); ok {
					t.Fatalf("%s → %s (position %d) not caught", c, bad, pos)
				}
			}
			if pos+1 < len(c) && c[pos] != c[pos+1] {
				bad := c[:pos] + string(c[pos+1]) + string(c[pos]) + c[pos+2:]
				if _, ok := rewards.ParseCode(bad); ok {
					t.Fatalf("%s → %s (swap at %d) not caught", c, bad, pos)
				}
			}
		}
	}
}

// Characters a code never has are read as their look-alikes: the check character decides.
func TestLookAlikesAreReadBack(t *testing.T) {
	t.Parallel()
	swaps := map[byte][]string{'D': {"0", "O", "o"}, 'Q': {"0", "O"}, 'J': {"1", "I", "l"}, 'T': {"1", "L"}, '7': {"1", "i"}}
	tried := 0
	for tried < 200 {
		c := newCode(t)
		for pos := 0; pos < len(c); pos++ {
			for _, s := range swaps[c[pos]] {
				typed := c[:pos] + s + c[pos+1:]
				got, ok := rewards.ParseCode(typed)
				if !ok || got != c {
					t.Fatalf("ParseCode(%q) = %q, %v; want %q", typed, got, ok, c)
				}
				tried++
			}
		}
	}
	for _, bad := range []string{"", "K7QM-4XRT", "K7QM-4XRT-P9Z", "K7QM-4XRT-P€", "ÄÄÄÄÄÄÄÄÄÄ", strings.Repeat("A", 100)} {
		if _, ok := rewards.ParseCode(bad); ok {
			t.Errorf("ParseCode(%q) accepted", bad)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	f.Add("K7QM-4XRT-P9")
	f.Add("k7qm 4xrt p9")
	f.Add("0O1IL-----")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := rewards.ParseCode(s)
		if !ok {
			return
		}
		if again, ok2 := rewards.ParseCode(c); !ok2 || again != c {
			t.Fatalf("ParseCode(%q) = %q, which does not read back (%q, %v)", s, c, again, ok2)
		}
		if again, ok2 := rewards.ParseCode(rewards.FormatCode(c)); !ok2 || again != c {
			t.Fatalf("formatted %q does not read back", c)
		}
	})
}

func TestQRCodeIsAPNG(t *testing.T) {
	t.Parallel()
	c := newCode(t)
	png, err := rewards.QRCode(strings.ToLower(rewards.FormatCode(c)), 256)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 200 {
		t.Fatalf("not a PNG (%d bytes)", len(png))
	}
	if _, err := rewards.QRCode("not a code", 256); err == nil {
		t.Fatal("a QR code for a bad code")
	}
}
