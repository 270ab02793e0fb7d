package scrub

import (
	"fmt"
	"strings"
	"testing"
)

// adversarial are inputs built to make a careless scanner or a
// backtracking engine go quadratic: long runs of quotes, dollars, at-signs,
// colons, dots, key prefixes and unterminated constructs.
var adversarial = []struct{ name, unit string }{
	{"quotes", "'"},
	{"dollars", "$"},
	{"dollar-tags", "$a"},
	{"at-signs", "a@a@"},
	{"emails", "a@b.co "},
	{"colons", "f:"},
	{"dots", "1.1."},
	{"password-keys", "password="},
	{"open-quoted-values", "password='x "},
	{"key-tuples", ")=(x) already exists"},
	{"url-separators", "a://b:"},
	{"pem-headers", "-----BEGIN "},
	{"sql-statement-lines", "STATEMENT: '\n\t"},
	{"block-comments", "/*"},
	{"mixed", "x'y\"$1 -- /* @ :: 10.0.0.1 fe80::1 user=\"a\" "},
	{"prose-credentials", "password is secret "},
	{"nested-credentials", "password= secret "},
	{"inner-quotes", "password='a 'b"},
	{"phone-groups", "+44 20 "},
	{"base64-runs", "Ab1/"},
}

// BenchmarkString compares 1 KiB with 64 KiB inputs. It calls scrubText,
// String without the MaxInput cut, so the time per byte is directly
// comparable: it must stay roughly flat from 1 KiB to 64 KiB (linear
// time). Run: go test -run XXX -bench String ./scrub/
func BenchmarkString(b *testing.B) { benchAdversarial(b, scrubText) }

// BenchmarkSQL does the same for the SQL normaliser.
func BenchmarkSQL(b *testing.B) { benchAdversarial(b, normalizeSQL) }

// benchAdversarial runs rewrite on each adversarial input at 1 KiB and
// at 64 KiB.
func benchAdversarial(b *testing.B, rewrite func(string) string) {
	for _, a := range adversarial {
		for _, size := range []int{1 << 10, 64 << 10} {
			in := strings.Repeat(a.unit, size/len(a.unit)+1)[:size]
			b.Run(fmt.Sprintf("%s/%dKiB", a.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					rewrite(in)
				}
			})
		}
	}
}

// BenchmarkStringCorpus measures String on realistic error texts.
func BenchmarkStringCorpus(b *testing.B) {
	entries := loadCorpus(b)
	total := 0
	for _, e := range entries {
		total += len(e.input)
	}
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, e := range entries {
			String(e.input)
		}
	}
}
