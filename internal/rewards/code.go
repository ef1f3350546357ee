package rewards

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Voucher codes.
//
// A code is ten characters of a 31-character alphabet without 0, O, 1, I and L (digits 2–9 and
// the letters but I, L and O), written in groups as "K7QM-4XRT-P9": nine random characters
// from crypto/rand (31^9 ≈ 2^44.6 codes) and a check character.
//
// The check character c makes Σ (i × dᵢ) + 11 × c ≡ 0 (mod 31), where dᵢ is the value of the
// i-th character (1-based) in the alphabet. As 31 is prime and every weight 1..11 is non-zero
// and distinct mod 31, it catches every change of one character (i × Δ ≢ 0) and every swap of
// two different characters, adjacent or not ((i − j) × Δ ≢ 0).
//
// Reading is tolerant: lower case, spaces, dashes and dots are fine. The characters a code
// never has are read as their look-alikes: 0 and O as D or Q, 1, I and L as J, T or 7; a code
// is accepted only when exactly one reading has a right check character.

// CodeAlphabet is the voucher code alphabet.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

const (
	codeBase   = len(CodeAlphabet) // 31, a prime
	codeRandom = 9
	// CodeLength is the number of characters of a code (without dashes).
	CodeLength = codeRandom + 1
	// maxAmbiguous bounds the look-alike characters tried in one code.
	maxAmbiguous = 3
)

var codeValue = func() [256]int8 {
	var v [256]int8
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(CodeAlphabet); i++ {
		v[CodeAlphabet[i]] = int8(i)
	}
	return v
}()

// lookAlikes are the readings of characters that never appear in a code.
var lookAlikes = map[byte]string{'0': "DQ", 'O': "DQ", '1': "JT7", 'I': "JT7", 'L': "JT7"}

// checkChar returns the check character for the first CodeLength-1 characters of a code.
func checkChar(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		sum += (i + 1) * int(codeValue[body[i]])
	}
	// Find c with sum + n×c ≡ 0 (mod 31), n = len(body)+1 (invertible: 1 ≤ n < 31).
	n := len(body) + 1
	inv := 1
	for inv = 1; inv < codeBase; inv++ {
		if (n*inv)%codeBase == 1 {
			break
		}
	}
	c := ((codeBase - sum%codeBase) % codeBase * inv) % codeBase
	return CodeAlphabet[c]
}

// validCode reports whether s is a code in canonical form (CodeLength characters, right check).
func validCode(s string) bool {
	if len(s) != CodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if codeValue[s[i]] < 0 {
			return false
		}
	}
	return checkChar(s[:CodeLength-1]) == s[CodeLength-1]
}

// NewCode returns a new random code in canonical form (no dashes).
func NewCode() (string, error) {
	b := make([]byte, codeRandom, CodeLength)
	limit := big.NewInt(int64(codeBase))
	for i := range b {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return "", fmt.Errorf("voucher code: %w", err)
		}
		b[i] = CodeAlphabet[n.Int64()]
	}
	b = append(b, checkChar(string(b)))
	return string(b), nil
}

// FormatCode writes a canonical code in groups: "K7QM-4XRT-P9".
func FormatCode(code string) string {
	if len(code) != CodeLength {
		return code
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// ParseCode reads a code as a person typed or said it, and returns it in canonical form
// (upper case, no dashes); ok is false when it is not a valid code.
func ParseCode(s string) (code string, ok bool) {
	if len(s) > 64 {
		return "", false
	}
	b := make([]byte, 0, CodeLength)
	var ambiguous []int
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '_' || r == '\t' || r == '\u00a0':
			continue
		case r < 128 && codeValue[r] >= 0:
			b = append(b, byte(r))
		case r < 128 && lookAlikes[byte(r)] != "":
			ambiguous = append(ambiguous, len(b))
			b = append(b, byte(r))
		default:
			return "", false
		}
	}
	if len(b) != CodeLength || len(ambiguous) > maxAmbiguous {
		return "", false
	}
	if len(ambiguous) == 0 {
		return string(b), validCode(string(b))
	}
	// Try every reading of the look-alikes; exactly one must check.
	var found string
	matches := 0
	var try func(k int)
	try = func(k int) {
		if k == len(ambiguous) {
			if validCode(string(b)) {
				found = string(b)
				matches++
			}
			return
		}
		i := ambiguous[k]
		orig := b[i]
		for _, c := range []byte(lookAlikes[orig]) {
			b[i] = c
			try(k + 1)
		}
		b[i] = orig
	}
	try(0)
	if matches != 1 {
		return "", false
	}
	return found, true
}

// QRCode returns a PNG image (size × size pixels, 64..1024) of a QR code holding the voucher
// code in groups, for the screen or to print.
func QRCode(code string, size int) ([]byte, error) {
	c, ok := ParseCode(code)
	if !ok {
		return nil, fmt.Errorf("qr code: %q is not a voucher code", code)
	}
	size = min(max(size, 64), 1024)
	png, err := qrcode.Encode(FormatCode(c), qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return png, nil
}
