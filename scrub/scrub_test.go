package scrub

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestString pins the exact output of each rule on a small input.
func TestString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"dsn", "postgres://alice:s3cret@db.prod:5432/acme?sslmode=require",
			"postgres://[credentials]@[host]:5432/[db]?sslmode=require"},
		{"dsn without credentials", "mysql://db.internal/shop", "mysql://[host]/[db]"},
		{"dsn ipv6 host", "postgresql://u:p@[2001:db8::5]:5432/x", "postgresql://[credentials]@[host]:5432/[db]"},
		{"dsn unix socket", "postgresql:///acme?host=/var/run/postgresql", "postgresql:///[db]?host=[host]"},
		{"web url with credentials", "see https://bob:tok@git.example.com/x.git)", "see https://[credentials]@[host]/x.git)"},
		{"web url keeps public host", "docs at https://www.postgresql.org/docs/16/errcodes.html",
			"docs at https://www.postgresql.org/docs/16/errcodes.html"},
		{"secret query params", "https://h.example/cb?code=1&token=abc&sig=xyz&X-Amz-Signature=f00&page=2",
			"https://h.example/cb?code=1&token=[token]&sig=[secret]&X-Amz-Signature=[secret]&page=2"},
		{"libpq conninfo", "host=db.internal port=5432 user=alice password=s3cret dbname=prod",
			"host=[host] port=5432 user=[user] password=[password] dbname=[db]"},
		{"quoted conninfo value", "password='a b''c' sslmode=disable", "password='[password]' sslmode=disable"},
		{"json", `{"password": "p\"w", "token": null, "name": "x"}`, `{"password": "[password]", "token": null, "name": "x"}`},
		{"colon form", "secret: hunter2 (rotated)", "secret: [secret] (rotated)"},
		{"env var", "export DB_PASSWORD=abc123", "export DB_PASSWORD=[password]"},
		{"header bearer", "Authorization: Bearer abc.def.ghi", "Authorization: Bearer [token]"},
		{"header basic", "authorization: Basic dXNlcjpwYXNz", "authorization: Basic [credentials]"},
		{"free bearer", "sent Bearer x9y8z7w6 twice", "sent Bearer [token] twice"},
		{"bearer english kept", "bearer authentication failed", "bearer authentication failed"},
		{"placeholder kept", "WHERE password_hash = %s AND token = $1", "WHERE password_hash = %s AND token = $1"},
		{"mysql using password kept", "(using password: YES)", "(using password: YES)"},
		{"exception name kept", "InvalidPasswordError: password authentication failed", "InvalidPasswordError: password authentication failed"},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here", "token [jwt] here"},
		{"aws key", "key AKIAIOSFODNN7EXAMPLE used", "key [aws-key] used"},
		{"pem", "a\n-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\nb", "a\n[pem]\nb"},
		{"email", "mail alice.o+x@mail.example.co.uk now", "mail [email] now"},
		{"ipv4 and port", "dial 10.1.2.3:5432 failed", "dial [ip]:5432 failed"},
		{"ipv6 loopback", "connect ::1 refused", "connect [ip] refused"},
		{"ipv6 bracket", "at [fe80::1%eth0]:5432", "at [ip]:5432"},
		{"not addresses", "PostgreSQL 15.4 at 10:00:00, psycopg 3.1.18, v1.2.3.4", "PostgreSQL 15.4 at 10:00:00, psycopg 3.1.18, v1.2.3.4"},
		{"pg host", `could not translate host name "db.x" to address`, `could not translate host name "[host]" to address`},
		{"pg user and db", `FATAL:  role "bob" does not exist; database "x" too`, `FATAL:  role "[user]" does not exist; database "[db]" too`},
		{"key tuple", "DETAIL:  Key (email)=(a@b.co) already exists.", "DETAIL:  Key (email)=([value]) already exists."},
		{"failing row", "DETAIL:  Failing row contains (1, Ann (VIP), null).", "DETAIL:  Failing row contains ([values])."},
		{"statement", "STATEMENT:  SELECT * FROM t WHERE a = 'x' -- c", "STATEMENT:  SELECT * FROM t WHERE a = $1"},
		{"linux home", `File "/home/alice/x.py", line 3, in f`, `File "/home/[user]/x.py", line 3, in f`},
		{"windows home", `C:\Users\bob\x.py`, `C:\Users\[user]\x.py`},
		{"sqlstate kept", "ERROR: deadlock detected (SQLSTATE 40P01)", "ERROR: deadlock detected (SQLSTATE 40P01)"},
		{"quoted after credential word", "bad passphrase 'Tr0ub4dor&3' for key.pem", "bad passphrase '[password]' for key.pem"},
		{"bare after credential word", "secret hunter2x expired", "secret [secret] expired"},
		{"after is", "the password is swordfish.", "the password is [password]."},
		{"after value", "bad DB_PASSWORD value 'S3cr3t!'", "bad DB_PASSWORD value '[password]'"},
		{"qualified key", "the API key: k-123 is revoked", "the API key: [secret] is revoked"},
		{"english kept", "password is required; token was revoked", "password is required; token was revoked"},
		{"class path kept", "psycopg2.errors.InvalidPassword: password value must not be empty",
			"psycopg2.errors.InvalidPassword: password value must not be empty"},
		{"aws pair", "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[aws-key] [aws-secret]"},
		{"phones", "+44 20 7946 0958, (415) 555-0132, 020 7946 0958", "[phone], [phone], [phone]"},
		{"not phones", "05.06.2024 10:00 pid 4155550132 LSN 16/B374D848", "05.06.2024 10:00 pid 4155550132 LSN 16/B374D848"},
		{"copy row", `COPY t, line 3: "1,Ann,+44 20 7946 0958"`, `COPY t, line 3: "[value]"`},
		{"empty", "", ""},
		// Regressions found by FuzzString.
		{"url inside a url path", "postgres://x/postgres://u:pw@h/db", "postgres://[host]/[db]//[credentials]@[host]/db"},
		{"url inside a url authority", "postgres://x:postgres://u:pw@h/db", "postgres://[host]//[credentials]@[host]/db"},
		{"long key", strings.Repeat("A", 70) + "password=pw", strings.Repeat("A", 70) + "password=[password]"},
		{"e-mail domain swallowing a key", "0@0.password=pw", "[email]=[password]"},
		{"mixed ipv4 in ipv6", "at 0000::00.0.0.0 and 1.2.3.4::1", "at [ip] and [ip]"},
		{"address glued to a zone", "0::%0::0", "[ip]"},
		{"port glued to a zone", "at fe80::1%eth0:5432.", "at [ip]."},
		{"quad glued to hex after ipv6", "000000000 ::0:0.0.0.0.A", "000000000 [ip].A"},
	}
	checkRewrites(t, "String", String, tests)
}

// checkRewrites checks that rewrite, called name, makes each input into
// exactly what the case wants, and that rewriting that again changes
// nothing.
func checkRewrites(t *testing.T, name string, rewrite func(string) string, tests []struct{ name, in, want string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rewrite(tt.in)
			if got != tt.want {
				t.Errorf("%s(%q)\n got %q\nwant %q", name, tt.in, got, tt.want)
			}
			if again := rewrite(got); again != got {
				t.Errorf("not idempotent: %s(%q) = %q", name, got, again)
			}
		})
	}
}

func TestStringTruncates(t *testing.T) {
	// A two-byte rune straddles the cut, and a secret sits after it.
	in := strings.Repeat("é", MaxInput) + " password=hunter2"
	got := String(in)
	if len(got) > MaxInput {
		t.Fatalf("result is %d bytes, want at most %d", len(got), MaxInput)
	}
	if !strings.HasSuffix(got, TruncationMarker) {
		t.Fatalf("result does not end with %q", TruncationMarker)
	}
	if !utf8.ValidString(got) {
		t.Fatal("truncation split a rune")
	}
	if strings.Contains(got, "hunter2") {
		t.Fatal("secret after the cut survived")
	}
	if again := String(got); again != got {
		t.Fatal("a truncated result changes when scrubbed again")
	}
}

func TestStringCutInsideSecrets(t *testing.T) {
	// Whatever is cut in half at the limit must still be removed.
	for _, tail := range []string{
		"postgres://alice:hunter2hunter2@db",
		"https://alice:hunter2hunter2@db",
		"password=hunter2hunter2",
		"-----BEGIN PRIVATE KEY-----\nhunter2hunter2",
		"Authorization: Bearer hunter2hunter2",
	} {
		for cut := 1; cut < 8; cut++ {
			pad := strings.Repeat("x ", MaxInput)[:MaxInput-len(TruncationMarker)-len(tail)+cut]
			got := String(pad + tail)
			if strings.Contains(got, "hunter2") || strings.Contains(got, "alice") {
				t.Errorf("cut %d into %q leaked: %q", cut, tail, got[len(got)-60:])
			}
		}
	}
}

func TestStringInvalidUTF8(t *testing.T) {
	in := "password=\xff\xfe secret \xc3 host=\xe2\x82 10.0.0.1\x80"
	got := String(in)
	for _, leaked := range []string{"\xff\xfe", "10.0.0.1", "\xe2\x82"} {
		if strings.Contains(got, leaked) {
			t.Errorf("%q survived in %q", leaked, got)
		}
	}
}
