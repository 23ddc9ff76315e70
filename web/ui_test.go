package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"talentloop/sqldb/sqldbtest"
	"talentloop/web"
)

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

func TestRegisterLoginLogout(t *testing.T) {
	f := newFixture(t, "sqlite")
	c := f.browser()
	csrf := f.csrf(c, "/register")

	// A bad form comes back with the input kept and each field explained.
	resp, body := f.postForm(c, "/register", url.Values{"csrf": {csrf}, "name": {"王小明"}, "email": {"not-an-email"}, "password": {"short"}, "password_confirm": {"short"}})
	if resp.StatusCode != 400 || !strings.Contains(body, `value="王小明"`) || !strings.Contains(body, "邮箱格式不正确") || !strings.Contains(body, "密码至少需要 10 个字符") {
		t.Fatalf("invalid registration: %d\n%s", resp.StatusCode, body)
	}
	resp, body = f.postForm(c, "/register", url.Values{"csrf": {csrf}, "name": {"王小明"}, "email": {"wang@example.com"}, "password": {"long-enough-1"}, "password_confirm": {"long-enough-2"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "两次输入的密码不一致") {
		t.Fatalf("mismatched passwords: %d", resp.StatusCode)
	}
	if _, total, _ := f.db.FindUsers(t.Context(), talentloopUserFilter("wang")); total != 0 {
		t.Fatal("a rejected registration created a user")
	}
	// Without the CSRF token the form is refused.
	resp, _ = f.postForm(c, "/register", url.Values{"name": {"王小明"}, "email": {"wang@example.com"}, "password": {"long-enough-1"}, "password_confirm": {"long-enough-1"}})
	if resp.StatusCode != 403 {
		t.Fatalf("registration without CSRF: %d", resp.StatusCode)
	}
	resp, _ = f.postForm(c, "/register", url.Values{"csrf": {csrf}, "name": {"王小明"}, "email": {"wang@example.com"}, "password": {"long-enough-1"}, "password_confirm": {"long-enough-1"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("registration: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "tl_session" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("session cookie flags: %+v", ck)
		}
	}
	status, body := get(t, c, f.ts.URL+"/dashboard")
	if status != 200 || !strings.Contains(body, "你好，王小明") || !strings.Contains(body, "欢迎加入") {
		t.Fatalf("dashboard after registration: %d", status)
	}
	// Log out, then the dashboard asks for a login.
	resp, _ = f.postForm(c, "/logout", url.Values{"csrf": {csrf}})
	if resp.StatusCode != 303 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = c.Get(f.ts.URL + "/dashboard")
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("dashboard after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Log in again and land where we were going.
	resp, _ = f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"WANG@example.com"}, "password": {"long-enough-1"}, "next": {"/account"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/account" {
		t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// An open redirect is not followed.
	resp, _ = f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"wang@example.com"}, "password": {"long-enough-1"}, "next": {"//evil.example/"}})
	if loc := resp.Header.Get("Location"); loc != "/dashboard" {
		t.Errorf("next=//evil: redirected to %q", loc)
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t, "sqlite")
	c := f.browser()
	csrf := f.csrf(c, "/login")
	for i := 1; i <= 5; i++ {
		resp, body := f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"learner@example.com"}, "password": {"wrong-password"}})
		if resp.StatusCode != 401 || !strings.Contains(body, "邮箱或密码不正确") || !strings.Contains(body, `value="learner@example.com"`) {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	// The sixth attempt is refused even with the right password.
	resp, body := f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"learner@example.com"}, "password": {testPassword}})
	if resp.StatusCode != 429 || !strings.Contains(body, "登录尝试次数过多") {
		t.Fatalf("sixth attempt: %d", resp.StatusCode)
	}
	// Another account from the same address is still allowed.
	resp, _ = f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"operator@example.com"}, "password": {testPassword}})
	if resp.StatusCode != 303 {
		t.Fatalf("other account: %d", resp.StatusCode)
	}
	// The API shares the limit.
	status, out := f.api("POST", "/api/v1/auth/token", "", map[string]string{"email": "learner@example.com", "password": testPassword}, "Accept-Language", "en")
	if status != 429 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "Too many login attempts") {
		t.Fatalf("API token while limited: %d %v", status, out)
	}
}

func TestLanguageSwitchAndPages(t *testing.T) {
	f := newFixture(t, "sqlite")
	c := f.browser()
	status, body := get(t, c, f.ts.URL+"/")
	if status != 200 || !strings.Contains(body, `lang="zh-CN"`) || !strings.Contains(body, "五大产业链") {
		t.Fatalf("home in Chinese: %d", status)
	}
	resp, err := c.Get(f.ts.URL + "/lang/en?next=/programs/" + fmt.Sprint(f.program.ID))
	if err != nil || resp.StatusCode != 303 {
		t.Fatalf("switch: %v %d", err, resp.StatusCode)
	}
	status, body = get(t, c, f.ts.URL+"/programs/"+fmt.Sprint(f.program.ID))
	if status != 200 || !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Film and TV Dubbing") || !strings.Contains(body, "¥1,999") {
		t.Fatalf("program in English: %d", status)
	}
	// The choice is remembered over Accept-Language.
	req, _ := http.NewRequest("GET", f.ts.URL+"/", nil)
	req.Header.Set("Accept-Language", "zh-CN")
	resp, _ = c.Do(req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Five industry chains") {
		t.Error("the language switch was not remembered")
	}
	// Accept-Language alone picks English for a new visitor.
	req, _ = http.NewRequest("GET", f.ts.URL+"/programs?q=dubbing", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	resp, _ = http.DefaultClient.Do(req)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Programs matching “dubbing”: 1") {
		t.Errorf("search page in English did not find the program")
	}
	// Markdown is rendered and sanitized.
	status, body = get(t, c, f.ts.URL+"/lessons/"+fmt.Sprint(f.lesson.ID))
	if status != 200 || strings.Contains(body, "<script>alert") || !strings.Contains(body, "<h2") {
		t.Errorf("lesson page: %d, script or heading wrong", status)
	}
	// Drafts are invisible to the public.
	if status, _ := get(t, c, f.ts.URL+"/programs/"+fmt.Sprint(f.draft.ID)); status != 404 {
		t.Errorf("draft page: %d, want 404", status)
	}
	if status, body := get(t, c, f.ts.URL+"/nope"); status != 404 || !strings.Contains(body, "Page not found") {
		t.Errorf("unknown page: %d", status)
	}
	if status, body := get(t, c, f.ts.URL+"/healthz"); status != 200 || !strings.Contains(body, `"database":"up"`) {
		t.Errorf("healthz: %d %s", status, body)
	}
	if status, body := get(t, c, f.ts.URL+"/metrics"); status != 200 || !strings.Contains(body, `talentloop_http_requests_total{route="GET /programs/{id}",status="200"}`) || !strings.Contains(body, "talentloop_db_open_connections") {
		t.Errorf("metrics: %d\n%s", status, body)
	}
}

func TestOperatorEditsCatalogInUI(t *testing.T) {
	f := newFixture(t, "sqlite")
	c := f.browser()
	csrf := f.csrf(c, "/login")
	f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"operator@example.com"}, "password": {testPassword}})
	form := url.Values{"csrf": {csrf}, "title_zh": {"直播运营实战"}, "title_en": {"Live-stream operations"}, "slug": {"live-ops"}, "chain": {"live-streaming"},
		"level": {"beginner"}, "price": {"1,299.50"}, "currency": {"CNY"}, "duration_weeks": {"10"}, "status": {"published"}, "skills": {"not.a.skill 9"}}
	resp, body := f.postForm(c, "/admin/programs", form)
	if resp.StatusCode != 400 || !strings.Contains(body, "技能图谱中没有这项技能") || !strings.Contains(body, `value="直播运营实战"`) {
		t.Fatalf("bad skills: %d", resp.StatusCode)
	}
	form.Set("skills", "")
	form.Set("price", "12.345")
	if resp, body := f.postForm(c, "/admin/programs", form); resp.StatusCode != 400 || !strings.Contains(body, "最多两位小数") {
		t.Fatalf("bad price: %d", resp.StatusCode)
	}
	form.Set("price", "1,299.50")
	resp, _ = f.postForm(c, "/admin/programs", form)
	if resp.StatusCode != 303 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	progs, _, _ := f.db.FindPrograms(t.Context(), talentloopFilterAll())
	var found bool
	for _, p := range progs {
		if p.Slug == "live-ops" {
			found = p.PriceFen == 129950
		}
	}
	if !found {
		t.Fatal("the program was not stored with price 129950 fen")
	}
	status, body := get(t, c, f.ts.URL+"/dashboard")
	if status != 200 || !strings.Contains(body, "创建了微专业") {
		t.Errorf("operator dashboard does not show the change: %d", status)
	}
}

// TestTwoServersShareState starts two app servers on one PostgreSQL
// database: a login on one is a session on the other, and the login rate
// limit counts attempts on both.
func TestTwoServersShareState(t *testing.T) {
	dsn := sqldbtest.DSN(t, "postgres")
	db1 := sqldbtest.OpenDSN(t, dsn)
	f := newFixtureDB(t, db1)
	db2 := sqldbtest.OpenDSN(t, dsn)
	srv2, err := web.NewServer(web.Services{Users: db2, Auth: db2, Catalog: db2, Learning: db2, Certs: newCertifier(t, db2), CertStore: db2}, db2, slog.New(slog.DiscardHandler), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(srv2)
	defer ts2.Close()

	c := f.browser()
	csrf := f.csrf(c, "/login")
	resp, _ := f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"partner@example.com"}, "password": {testPassword}})
	if resp.StatusCode != 303 {
		t.Fatalf("login on server 1: %d", resp.StatusCode)
	}
	var session string
	for _, ck := range resp.Cookies() {
		if ck.Name == "tl_session" {
			session = ck.Value
		}
	}
	req, _ := http.NewRequest("GET", ts2.URL+"/dashboard", nil)
	req.AddCookie(&http.Cookie{Name: "tl_session", Value: session})
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if resp2.StatusCode != 200 || !strings.Contains(string(b), "测试partner") || !strings.Contains(string(b), "回声配音工作室") {
		t.Fatalf("server 2 with server 1's session: %d", resp2.StatusCode)
	}
	// Failed logins on server 1 count on server 2.
	for i := 0; i < 5; i++ {
		f.api("POST", "/api/v1/auth/token", "", map[string]string{"email": "learner@example.com", "password": "wrong-password"})
	}
	req, _ = http.NewRequest("POST", ts2.URL+"/api/v1/auth/token", strings.NewReader(`{"email":"learner@example.com","password":"`+testPassword+`"}`))
	resp3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if resp3.StatusCode != 429 {
		t.Errorf("server 2 after 5 failures on server 1: %d, want 429", resp3.StatusCode)
	}
	_ = context.Background()
}

// Many people logging in from one address (a classroom behind NAT) are not
// locked out: the per-address limit counts failures only.
func TestClassroomBehindOneAddress(t *testing.T) {
	f := newFixture(t, "sqlite")
	for i := 0; i < 120; i++ {
		role := []string{"learner", "instructor", "partner", "counsellor", "operator"}[i%5]
		status, out := f.api("POST", "/api/v1/auth/token", "", map[string]string{"email": role + "@example.com", "password": testPassword})
		if status != 201 {
			t.Fatalf("login %d from one address: %d %v", i+1, status, out)
		}
	}
}

func TestOrdersCSVKeepsTheFilter(t *testing.T) {
	f := newFixture(t, "sqlite")
	c := f.browser()
	csrf := f.csrf(c, "/login")
	f.postForm(c, "/login", url.Values{"csrf": {csrf}, "email": {"operator@example.com"}, "password": {testPassword}})
	_, page := get(t, c, f.ts.URL+"/admin/orders?status=pending")
	m := regexp.MustCompile(`href="(/admin/orders\?[^"]*format=csv[^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSV link")
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	if !strings.Contains(link, "status=pending") {
		t.Fatalf("CSV link %q lost the filter", link)
	}
	_, csv := get(t, c, f.ts.URL+link)
	if strings.Contains(csv, ",paid,") {
		t.Errorf("the pending-only CSV holds a paid order:\n%s", csv)
	}
}
