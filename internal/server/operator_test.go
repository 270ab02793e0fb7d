package server_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// adminKey stores an admin key named name and returns its text and id.
func (e *env) adminKey(name string) (text, id string, hash []byte) {
	e.t.Helper()
	text, sec, err := auth.New(auth.PrefixAdmin)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.CreateKey(e.t.Context(), store.Key{ID: sec.ID, Kind: store.KindAdmin, Name: name, Hash: sec.Hash(), Created: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
	return text, sec.ID, sec.Hash()
}

func (e *env) auditEntries(header ...string) []store.AuditEntry {
	e.t.Helper()
	r := e.do("GET", "/api/v1/admin/audit", nil, header...)
	var page struct {
		Entries []store.AuditEntry `json:"entries"`
	}
	if r.status != 200 || json.Unmarshal(r.raw, &page) != nil {
		e.t.Fatalf("audit: %d %s", r.status, r.raw)
	}
	return page.Entries
}

// TestOperatorExportAndDelete: an admin exports exactly what the
// installation's own export returns, then erases it; the rollups equal a
// recompute from the remaining reports, each act has one audit entry
// naming the admin key, and the installation's key stops working at once.
func TestOperatorExportAndDelete(t *testing.T) {
	e := newEnv(t, nil)
	id, key := e.register()
	keep, keepKey := e.register()
	for d := range 3 {
		e.send(key, body(id, time.Now().Add(-time.Duration(d)*25*time.Hour), ""))
	}
	e.send(keepKey, body(keep, time.Now(), ""))
	if r := e.sendError(key, errorBody(id, time.Now(), "deadlock detected", "")); r.status != 200 {
		t.Fatalf("error report: %d %s", r.status, r.raw)
	}
	ops, opsID, _ := e.adminKey("ops-oncall")
	bearer := []string{"Authorization", "Bearer " + ops}
	path := "/api/v1/admin/installations/" + id

	wantError(t, e.do("GET", path, nil), 401, "unauthorized", "")
	wantError(t, e.do("DELETE", path, nil, "Authorization", "Bearer "+e.fleet), 401, "unauthorized", "")
	wantError(t, e.do("GET", "/api/v1/admin/installations/a%20b", nil, bearer...), 400, "invalid_parameter", "id")
	if got := e.auditEntries(bearer...); len(got) != 0 {
		t.Fatalf("refused requests were audited: %+v", got)
	}

	own := e.do("GET", "/api/v1/installations/me/export", nil, "X-API-Key", key)
	exp := e.do("GET", path, nil, bearer...)
	if exp.status != 200 || string(exp.raw) != string(own.raw) || !strings.Contains(string(exp.raw), "deadlock detected") {
		t.Fatalf("operator export differs from the installation's own:\n%s\n---\n%s", exp.raw, own.raw)
	}

	del := e.do("DELETE", path, nil, bearer...)
	if del.status != 200 || del.body["reports_deleted"] != 3.0 {
		t.Fatalf("delete: %d %s", del.status, del.raw)
	}
	storetest.RecomputeMatches(t, e.store, "rollups after an operator delete against recompute")
	if st := e.stats(); st["reports"] != 1.0 || st["active_installations"] != 1.0 {
		t.Fatalf("stats after delete: %v", st)
	}
	wantError(t, e.send(key, body(id, time.Now(), "")), 401, "unauthorized", "")
	wantError(t, e.do("GET", path, nil, bearer...), 404, "not_found", "")

	got := e.auditEntries(bearer...)
	want := []store.AuditEntry{
		{Actor: "ops-oncall", ActorKeyID: opsID, Action: store.AuditDelete, InstallationID: id},
		{Actor: "ops-oncall", ActorKeyID: opsID, Action: store.AuditExport, InstallationID: id},
	}
	if len(got) != len(want) {
		t.Fatalf("audit log: %+v, want %d entries", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Actor != w.Actor || g.ActorKeyID != w.ActorKeyID || g.Action != w.Action || g.InstallationID != w.InstallationID ||
			time.Since(g.At) > time.Minute {
			t.Errorf("audit entry %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestAuditLogHasNoSecret: sign-ins with the configured token and with a
// stored key, and the acts that follow, are audited by name and id; no
// token, secret part or key hash is in the API's answer or in the
// database file.
func TestAuditLogHasNoSecret(t *testing.T) {
	e := newEnv(t, nil)
	dbPath := e.db
	ops, opsID, opsHash := e.adminKey("ops")
	id, _ := e.register()
	for _, token := range []string{adminToken, ops} {
		cookie := signInWith(t, e, token, "")
		if r := e.do("GET", "/api/v1/admin/installations/"+id, nil, "Cookie", cookie); r.status != 200 {
			t.Fatalf("export with a session: %d %s", r.status, r.raw)
		}
	}
	entries := e.auditEntries("Authorization", "Bearer "+ops)
	var got []string
	for _, en := range entries {
		got = append(got, en.Actor+"/"+en.ActorKeyID+"/"+en.Action)
	}
	want := []string{"ops/" + opsID + "/installation.export", "ops/" + opsID + "/admin.sign_in",
		store.ActorEnvironment + "//installation.export", store.ActorEnvironment + "//admin.sign_in"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	api := e.do("GET", "/api/v1/admin/audit", nil, "Authorization", "Bearer "+ops).raw
	file, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(dbPath + "-wal")
	secretPart := ops[strings.LastIndexByte(ops, '_')+1:]
	for _, secret := range []string{adminToken, ops, secretPart, hex.EncodeToString(opsHash)} {
		if strings.Contains(string(api), secret) {
			t.Errorf("the audit API shows a secret: %q", secret)
		}
	}
	for _, secret := range []string{adminToken, ops, secretPart} {
		if strings.Contains(string(file)+string(wal), secret) {
			t.Errorf("the database holds a secret: %q", secret)
		}
	}
}

// signInWith signs in with token through the form, asking to come back to
// next, and returns the session cookie.
func signInWith(t *testing.T, e *env, token, next string) string {
	t.Helper()
	noFollow := noRedirects()
	form := url.Values{"token": {token}}
	if next != "" {
		form.Set("next", next)
	}
	res, err := noFollow.PostForm(e.url+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	c := res.Header.Get("Set-Cookie")
	if res.StatusCode != http.StatusSeeOther || c == "" || (next != "" && res.Header.Get("Location") != next) {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return strings.Split(c, ";")[0]
}

// TestAuditPage: the dashboard's audit page lists the entries newest
// first, escaped, pages through older ones, and sends a signed-out
// visitor to sign in and back.
func TestAuditPage(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 3 {
		if _, err := e.store.AppendAudit(t.Context(), store.AuditEntry{At: time.Now(), Actor: fmt.Sprintf("<b>key %d</b>", i),
			Action: store.AuditKeyCreate, KeyID: fmt.Sprintf("k%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if status, loc := e.signedOut("/audit"); status != http.StatusSeeOther || loc != "/login?next=%2Faudit" {
		t.Fatalf("signed out: %d to %q", status, loc)
	}
	cookie := signInWith(t, e, adminToken, "/audit")
	page := e.do("GET", "/audit?limit=3", nil, "Cookie", cookie) // the sign-in is the newest entry
	html := string(page.raw)
	if page.status != 200 || !strings.Contains(html, "&lt;b&gt;key 2&lt;/b&gt;") || strings.Contains(html, "<b>key") ||
		strings.Index(html, "key 2") > strings.Index(html, "key 1") || strings.Contains(html, "key 0") {
		t.Fatalf("audit page: %d\n%s", page.status, html)
	}
	if !strings.Contains(html, `href="/audit?before=`) || !strings.Contains(html, `aria-current="page">Audit log`) {
		t.Fatalf("audit page without its link to older entries or its navigation:\n%s", html)
	}
	wantError(t, e.do("GET", "/api/v1/admin/audit?limit=0", nil, "Cookie", cookie), 400, "invalid_parameter", "limit")
	if r := e.do("GET", "/audit?before=x", nil, "Cookie", cookie); r.status != 400 || !strings.Contains(string(r.raw), "before is not") {
		t.Fatalf("bad before: %d %s", r.status, r.raw)
	}
}
