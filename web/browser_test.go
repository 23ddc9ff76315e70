package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"talentloop/demo"
	"talentloop/sqldb/sqldbtest"
	"talentloop/web"
)

// chromiumPath finds a Chromium to drive, or "".
func chromiumPath() string {
	if p := os.Getenv("TALENTLOOP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowserVisitorJourney drives the real server with demo data in headless
// Chromium: the home page in Chinese, the switch to English, registration,
// logging out and in, a search and a program page. Screenshots go to
// testout/browser (or $TALENTLOOP_TEST_OUT).
func TestBrowserVisitorJourney(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no Chromium found (install Debian's chromium or set TALENTLOOP_CHROMIUM): skipping the browser test; .ci/run installs it")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	out := os.Getenv("TALENTLOOP_TEST_OUT")
	if out == "" {
		out = filepath.Join("..", "testout")
	}
	out = filepath.Join(out, "browser")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	db := sqldbtest.Open(t, "sqlite")
	if _, err := demo.Load(context.Background(), db, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.NewServer(web.Services{Users: db, Auth: db, Catalog: db, Learning: db}, db, slog.New(slog.DiscardHandler), web.Config{Version: "browser-test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(out, name+".png"), buf, 0o644)
		}
	}
	text := func(sel string) string {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}

	run("open home", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".chains")), shot("01-home-zh"))
	if h := text("h1"); !strings.Contains(h, "真实项目") {
		t.Errorf("home heading in Chinese = %q", h)
	}
	if n := text(".chains"); !strings.Contains(n, "直播") || !strings.Contains(n, "声音") {
		t.Errorf("the five chains are not on the home page: %q", n)
	}

	run("switch to English", chromedp.Click(chromedp.CSS("a.lang")), chromedp.WaitVisible(chromedp.CSS(".chains")), shot("02-home-en"))
	if h := text("h1"); !strings.Contains(h, "real projects") {
		t.Errorf("home heading after the switch = %q", h)
	}

	run("register", chromedp.Navigate(ts.URL+"/register"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Browser Learner"),
		chromedp.SendKeys(chromedp.CSS("#email"), "browser@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "browser-pass-1"),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), "browser-pass-2"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".field-error")), shot("03-register-error"))
	if e := text(".field-error"); !strings.Contains(e, "do not match") {
		t.Errorf("mismatched passwords error = %q", e)
	}
	run("register again", chromedp.Clear(chromedp.CSS("#password")), chromedp.SendKeys(chromedp.CSS("#password"), "browser-pass-1"),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), "browser-pass-1"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".dash")), shot("04-dashboard"))
	if h := text("h1"); h != "Hello, Browser Learner" {
		t.Errorf("dashboard heading = %q", h)
	}

	run("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.nav a[href="/login"]`)))
	run("log in", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "browser@example.com"), chromedp.SendKeys(chromedp.CSS("#password"), "browser-pass-1"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".dash")))

	run("search", chromedp.SendKeys(chromedp.CSS("#q"), "配音"), chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS(".cards")), shot("05-search"))
	if r := text(".cards"); !strings.Contains(r, "Dubbing") {
		t.Errorf("searching 配音 did not find the dubbing programs: %q", r)
	}
	run("open a program", chromedp.Click(chromedp.CSS(".card h3 a")), chromedp.WaitVisible(chromedp.CSS(".course-block")), shot("06-program"))
	if s := text(".facts"); !strings.Contains(s, "¥") {
		t.Errorf("program facts show no price: %q", s)
	}
	t.Logf("screenshots in %s", out)
}
