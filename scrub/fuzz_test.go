package scrub

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// secretMarker starts every planted secret. The fuzzer's own text can only
// contain it by chance; the checks are skipped when it does.
const secretMarker = "Zq9SECRETx"

// plantedSecret builds secretMarker plus up to 24 bytes of tail mapped onto
// [A-Za-z0-9], so the secret is one word that no delimiter splits.
func plantedSecret(tail []byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	b.WriteString(secretMarker)
	for i, c := range tail {
		if i == 24 {
			break
		}
		b.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return b.String()
}

// unusedQuote returns a quote character that text does not hold, so that
// a value quoted with it is quoted whatever text's quotes open or close
// (an SQL string literal around a quoted value would end before it), or
// "" when text holds them all.
func unusedQuote(text string) string {
	for _, q := range []string{"'", `"`, "`"} {
		if !strings.Contains(text, q) {
			return q
		}
	}
	return ""
}

// awsSecret pads a planted secret to the 40 characters of an AWS secret
// access key.
func awsSecret(secret string) string {
	return (secret + "/K7MDENG/bPxRfiCYEXAMPLEKEYwJalrXUtnFEMI")[:40]
}

// addCorpusSeeds seeds a fuzzer with every corpus input, split in two.
func addCorpusSeeds(f *testing.F, add func(prefix, suffix string)) {
	for _, e := range loadCorpus(f) {
		half := len(e.input) / 2
		for half > 0 && !utf8.RuneStart(e.input[half]) {
			half--
		}
		add(e.input[:half], e.input[half:])
	}
}

func FuzzString(f *testing.F) {
	addCorpusSeeds(f, func(p, s string) { f.Add(p, s, []byte("k3Y"), byte(10), byte(20), byte(30), byte(40)) })
	f.Add("STATEMENT: '", "'", []byte{}, byte(0), byte(0), byte(0), byte(0))
	f.Add("-----BEGIN X-----", "\n-----END X-----", []byte("a"), byte(1), byte(2), byte(3), byte(4))
	f.Add("Key (a)=(", ") already exists", []byte("b"), byte(255), byte(255), byte(255), byte(255))
	f.Add(`{"token": "`, `"}`, []byte("c"), byte(192), byte(168), byte(0), byte(1))
	f.Fuzz(func(t *testing.T, prefix, suffix string, tail []byte, a, b, c, d byte) {
		in := prefix + suffix
		out := String(in)
		checkBounds(t, in, out)
		if String(in) != out {
			t.Fatalf("String is not deterministic for %q", in)
		}

		if strings.Contains(strings.ToLower(in), strings.ToLower(secretMarker)) {
			return
		}
		secret := plantedSecret(tail)
		q := unusedQuote(prefix + suffix)
		for _, planted := range []string{
			prefix + "password=" + secret + suffix,
			prefix + "postgres://u:" + secret + "@h/db" + suffix,
			prefix + " " + secret + "@mail.example.org " + suffix,
			prefix + " bad passphrase " + q + secret + q + " " + suffix,
			prefix + " secret " + secret + suffix,
			prefix + " bad DB_PASSWORD value " + q + secret + q + suffix,
			prefix + " bad DB_PASSWORD value " + secret + suffix,
			prefix + " the password is " + secret + suffix,
			prefix + " API key: " + secret + suffix,
			prefix + " AKIAZ7QX3PL9MN2RT4UV " + awsSecret(secret) + " " + suffix,
			prefix + " eyJhbGciOiJIUzI1NiJ9.eyJ" + secret + "." + secret + " " + suffix,
			prefix + " /home/" + secret + "/app.py " + suffix,
		} {
			if got := String(planted); strings.Contains(got, secretMarker) {
				t.Fatalf("planted secret survived\n in: %q\nout: %q", planted, got)
			}
		}
		for _, value := range []string{
			fmt.Sprintf("%d.%d.%d.%d", a, b, c, d),
			fmt.Sprintf("2001:db8:%x:%x::%x", a, b, uint16(c)<<8|uint16(d)),
			fmt.Sprintf("+44 20 7946 %02d%02d", a%100, b%100),
			fmt.Sprintf("(415) 555-%02d%02d", c%100, d%100),
		} {
			if strings.Contains(in, value) {
				continue
			}
			planted := prefix + " " + value + " " + suffix
			if got := String(planted); strings.Contains(got, value) {
				t.Fatalf("planted address or number %s survived\n in: %q\nout: %q", value, planted, got)
			}
		}
	})
}

// checkBounds asserts the properties every String result has: valid UTF-8
// when the input was, at most MaxInput bytes, and no more than a constant
// factor longer than the input (replacement tokens are short).
func checkBounds(t *testing.T, in, out string) {
	t.Helper()
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Fatalf("valid UTF-8 input gave invalid output\n in: %q\nout: %q", in, out)
	}
	if len(out) > MaxInput {
		t.Fatalf("output is %d bytes, more than MaxInput", len(out))
	}
	if len(out) > 8*len(in)+64 {
		t.Fatalf("output grew from %d to %d bytes\n in: %q\nout: %q", len(in), len(out), in, out)
	}
}

func FuzzSQL(f *testing.F) {
	addCorpusSeeds(f, func(p, s string) { f.Add(p + s) })
	for _, q := range []string{
		`SELECT 'a''b', E'\'', $$x$$, $t$y$t$, B'01', X'ff', -1, 1e5, "q""i"`,
		`SELECT $'x'`, `SELECT "unterminated 'x'`, `a/**/-/**/-1`, `1$a$`, `'x'$a$`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := SQL(q)
		checkBounds(t, q, out)
		if i := quoteOutsideIdentifiers(out); i >= 0 {
			t.Fatalf("a quote survived at %d\n in: %q\nout: %q", i, q, out)
		}
		if len(q) <= MaxInput/8 {
			if again := SQL(out); again != out {
				t.Fatalf("SQL is not idempotent\n in: %q\nout: %q\nagain: %q", q, out, again)
			}
		}
	})
}

// quoteOutsideIdentifiers returns the index of a single quote in a
// normalised statement that is not inside a "quoted identifier", or -1.
// Any such quote would be the start of a string literal that survived.
func quoteOutsideIdentifiers(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			if k := strings.IndexByte(s[i+1:], '"'); k >= 0 {
				i += k + 1
			}
		case '\'':
			return i
		}
	}
	return -1
}

// FuzzIdempotent checks that scrubbing a scrubbed text changes
// nothing, so the server can scrub again what the client already scrubbed.
// Inputs near MaxInput are skipped: a truncated result is only guaranteed
// to be safe, not stable.
func FuzzIdempotent(f *testing.F) {
	addCorpusSeeds(f, func(p, s string) { f.Add(p + s) })
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > MaxInput/8 {
			return
		}
		once := String(s)
		if twice := String(once); twice != once {
			t.Fatalf("not idempotent\n  in: %q\nonce: %q\ntwice: %q", s, once, twice)
		}
	})
}
