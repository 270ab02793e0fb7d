package scrub

import "testing"

func TestSQL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain string", `SELECT * FROM users WHERE email = 'alice@example.com'`, `SELECT * FROM users WHERE email = $1`},
		{"doubled quote", `SELECT 'it''s', 'x'`, `SELECT $1, $2`},
		{"escape string", `SELECT E'line\nbreak \' quote', 1`, `SELECT $1, $2`},
		{"lower e prefix", `select e'a\\b'`, `select $1`},
		{"dollar quoted", `SELECT $$it's $1 'secret'$$ || $fn$body$$fn$`, `SELECT $1 || $2`},
		{"dollar tag with underscore", `DO $do_1$ BEGIN RAISE NOTICE 'x'; END $do_1$`, `DO $1`},
		{"unterminated dollar", `SELECT $a$ secret never ends`, `SELECT $1`},
		{"numbers", `SELECT 1, 2.5, .5, 1e10, 6.02E+23, 0x1F, 1_000_000 FROM t`, `SELECT $1, $2, $3, $4, $5, $6, $7 FROM t`},
		{"negative after operator", `SELECT * FROM t WHERE a = -5 AND b > -0.5 AND c IN (-1, -2)`, `SELECT * FROM t WHERE a = $1 AND b > $2 AND c IN ($3, $4)`},
		{"negative after keyword", `SELECT -1 LIMIT -2`, `SELECT $1 LIMIT $2`},
		{"binary minus stays", `SELECT a - 1, a-1, (a)-1 FROM t`, `SELECT a - $1, a-$2, (a)-$3 FROM t`},
		{"bit strings", `SELECT B'1010', X'1F', b'0', N'nat'`, `SELECT $1, $2, $3, $4`},
		{"unicode string", `SELECT U&'d\0061t\+000061'`, `SELECT $1`},
		{"array constructor", `SELECT ARRAY[1, 2, 3], ARRAY['a','b']`, `SELECT ARRAY[$1, $2, $3], ARRAY[$4,$5]`},
		{"array literal is a string", `SELECT '{1,2}'::int[]`, `SELECT $1::int[]`},
		{"in list", `DELETE FROM t WHERE id IN (10, 20, 30)`, `DELETE FROM t WHERE id IN ($1, $2, $3)`},
		{"typed literals", `SELECT TIMESTAMP '2024-01-01 10:00:00', DATE '2024-01-01', INTERVAL '5 minutes'`, `SELECT TIMESTAMP $1, DATE $2, INTERVAL $3`},
		{"cast", `SELECT '2024-01-01'::date, 5::bigint`, `SELECT $1::date, $2::bigint`},
		{"existing params kept, numbering continues", `UPDATE t SET a = $2, b = 'x' WHERE c = $1 AND d = 7`, `UPDATE t SET a = $2, b = $3 WHERE c = $1 AND d = $4`},
		{"psycopg placeholders kept", `INSERT INTO t (a, b) VALUES (%s, %(name)s)`, `INSERT INTO t (a, b) VALUES (%s, %(name)s)`},
		{"quoted identifiers kept", `SELECT "weird 'col'", "a""b" FROM "Users"`, `SELECT "weird 'col'", "a""b" FROM "Users"`},
		{"identifiers with digits and dollars", `SELECT col1, t2.x$y FROM t2`, `SELECT col1, t2.x$y FROM t2`},
		{"line comment removed", "SELECT 1 -- password is hunter2\nFROM t", "SELECT $1 \nFROM t"},
		{"block comment removed", `SELECT /* secret */ 1/*x*/+/* nested /* c */ */2`, `SELECT  $1 + $2`},
		{"comment does not glue tokens", `SELECT-/**/-1`, `SELECT- $1`},
		{"trailing comment trimmed", `SELECT 1 /* unterminated`, `SELECT $1`},
		{"unterminated string", `SELECT * FROM t WHERE name = 'O`, `SELECT * FROM t WHERE name = $1`},
		{"backslash quote inside plain string", `SELECT 'it\'s secret'`, `SELECT $1`},
		{"backslash at end of plain string", `SELECT 'C:\', 'x'`, `SELECT $1, $2`},
		{"literal glued to word", `SELECT x'ab'y, foo'bar'`, `SELECT $1y, foo $2`},
		{"keywords and operators kept", `WITH c AS (SELECT a FROM b) SELECT * FROM c WHERE a >= ALL(SELECT 1)`, `WITH c AS (SELECT a FROM b) SELECT * FROM c WHERE a >= ALL(SELECT $1)`},
		{"limit offset", `SELECT * FROM t ORDER BY a LIMIT 10 OFFSET 20`, `SELECT * FROM t ORDER BY a LIMIT $1 OFFSET $2`},
		{"json operators", `SELECT data->>'email' FROM t WHERE data @> '{"a":1}'`, `SELECT data->>$1 FROM t WHERE data @> $2`},
		{"empty", ``, ``},
		{"non-ascii identifiers", `SELECT größe FROM tabelle WHERE name = 'Jürgen'`, `SELECT größe FROM tabelle WHERE name = $1`},
	}
	checkRewrites(t, "SQL", SQL, tests)
}

func TestSQLHugeParameterNumber(t *testing.T) {
	got := SQL(`SELECT $99999999999999999999, 'x'`)
	want := `SELECT $99999999999999999999, $1000000000`
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSQLTruncates(t *testing.T) {
	q := "SELECT 'a' || "
	for len(q) < MaxInput+100 {
		q += "x || "
	}
	got := SQL(q)
	if len(got) > MaxInput {
		t.Fatalf("result is %d bytes, want at most %d", len(got), MaxInput)
	}
	if got[len(got)-len(TruncationMarker):] != TruncationMarker {
		t.Fatalf("result does not end with the marker: %q", got[len(got)-40:])
	}
	if got[:11] != "SELECT $1 |" {
		t.Fatalf("prefix not normalised: %q", got[:20])
	}
}
