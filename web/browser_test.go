package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"talentloop"
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
	realNow := db.Now
	if _, err := demo.Load(context.Background(), db, db, demo.Options{Learning: db, Clock: func(t time.Time) { db.Now = func() time.Time { return t } }}); err != nil {
		t.Fatal(err)
	}
	db.Now = realNow
	certs := newCertifier(t, db)
	if _, err := certs.IssueEligible(context.Background(), 0, 0, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := web.NewServer(web.Services{Users: db, Auth: db, Catalog: db, Learning: db, Certs: certs, CertStore: db}, db, slog.New(slog.DiscardHandler), web.Config{Version: "browser-test"})
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
	ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
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
		t.Helper()
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

	// The learning loop: enrol in a priced program taught by the demo
	// instructor, the operator confirms the offline payment, the learner
	// does the lessons and submits the project, the instructor passes it,
	// and the learner sees the course complete.
	bg := context.Background()
	inst, err := db.FindUserByEmail(bg, "instructor@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	taught, _, err := db.FindPrograms(bg, talentloop.ProgramFilter{InstructorID: inst.ID})
	if err != nil {
		t.Fatal(err)
	}
	var program *talentloop.Program
	var course *talentloop.Course
	for _, p := range taught {
		full, err := db.FindProgramByID(bg, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range full.Courses {
			if ok, _ := db.IsCourseInstructor(bg, c.ID, inst.ID); ok && p.PriceFen > 0 && len(c.Projects) > 0 && program == nil {
				program, course = full, c
			}
		}
	}
	if program == nil {
		t.Fatal("the demo has no priced program with a project taught by instructor@demo.test")
	}
	login := func(email, password string) {
		t.Helper()
		run("log in as "+email, chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password),
			chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".dash")))
	}
	logout := func() {
		t.Helper()
		run("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.nav a[href="/login"]`)))
	}
	run("enrol", chromedp.Navigate(fmt.Sprintf("%s/programs/%d", ts.URL, program.ID)), chromedp.WaitVisible(chromedp.CSS(".cta")),
		chromedp.Click(chromedp.CSS(`.cta a[href$="/enrol"]`)), chromedp.WaitVisible(chromedp.CSS("#monthly_income")),
		chromedp.SendKeys(chromedp.CSS("#monthly_income"), "6500"), chromedp.SetValue(chromedp.CSS("#employment"), "employed"), shot("07-enrol"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".enrol-card")), shot("08-learn-pending"))
	if s := text(".enrol-card"); !strings.Contains(s, "Awaiting payment") {
		t.Errorf("the new enrolment is not awaiting payment: %q", s)
	}
	logout()
	login("operator@demo.test", demo.Password)
	run("confirm payment", chromedp.Navigate(ts.URL+"/admin/orders?status=pending&q=browser@example.com"), chromedp.WaitVisible(chromedp.CSS("table")),
		chromedp.Click(chromedp.CSS(`td a[href^="/admin/orders/"]`)), chromedp.WaitVisible(chromedp.CSS("#reference")),
		chromedp.SendKeys(chromedp.CSS("#reference"), "BANK-20261127-0001"), chromedp.Click(chromedp.CSS(`form[action$="/mark-paid"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")), shot("09-order-paid"))
	if s := text(".flash"); !strings.Contains(s, "Payment confirmed") {
		t.Errorf("after confirming: %q", s)
	}
	logout()
	login("browser@example.com", "browser-pass-1")
	for _, l := range course.Lessons {
		if !l.Required {
			continue
		}
		run("lesson done", chromedp.Navigate(fmt.Sprintf("%s/lessons/%d", ts.URL, l.ID)), chromedp.WaitVisible(chromedp.CSS(".done-bar")),
			chromedp.Click(chromedp.CSS(`form[action$="/done"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	}
	for i, pr := range course.Projects {
		if !pr.Required {
			continue
		}
		run("submit the project", chromedp.Navigate(fmt.Sprintf("%s/projects/%d", ts.URL, pr.ID)), chromedp.WaitVisible(chromedp.CSS(`form[enctype="multipart/form-data"]`)),
			chromedp.SendKeys(chromedp.CSS("#body"), "按需求完成，附仓库与演示链接。"), chromedp.SendKeys(chromedp.CSS("#repo_url"), "https://example.com/browser/work"),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{writeTemp(t, "notes.md", "# 作品说明\n完成了全部需求。")}),
			chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button`)), chromedp.WaitVisible(chromedp.CSS(".version")))
		if i == 0 {
			run("screenshot", shot("10-submitted"))
		}
	}
	logout()
	login("instructor@demo.test", demo.Password)
	for range course.Projects {
		run("open the queue", chromedp.Navigate(ts.URL+"/review"), chromedp.WaitVisible(chromedp.CSS("table")))
		var found bool
		found, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const rows = [...document.querySelectorAll("tbody tr")].filter(r => r.textContent.includes("Browser Learner")); if (!rows.length) return false; rows[0].querySelector("a").click(); return true })()`))
		if err != nil || !found {
			break
		}
		run("review", chromedp.WaitVisible(chromedp.CSS(".levels-pick")), shot("11-review-form"))
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelectorAll(".levels-pick").forEach(d => { let best = null, pts = -1; d.querySelectorAll("label").forEach(l => { const p = +l.querySelector("b").textContent; if (p > pts) { pts = p; best = l.querySelector("input") } }); best.checked = true }); return true })()`)); err != nil {
			t.Fatal(err)
		}
		run("submit the review", chromedp.SendKeys(chromedp.CSS("#comment"), "结构清晰，达到上线标准。"), chromedp.Submit(chromedp.CSS("#comment")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	}
	logout()
	login("browser@example.com", "browser-pass-1")
	run("course complete", chromedp.Navigate(fmt.Sprintf("%s/courses/%d", ts.URL, course.ID)), chromedp.WaitVisible(chromedp.CSS(".progress")), shot("12-course-complete"))
	if s := text(".page-head"); !strings.Contains(s, "Course completed") {
		t.Errorf("the course page does not show the course complete: %q", s)
	}
	run("skills", chromedp.Navigate(ts.URL+"/learn/skills"), chromedp.WaitVisible(chromedp.CSS(".skill-card")), shot("13-skills"))
	logout()

	// Certificates: the demo learner holds one; it goes to LinkedIn and the
	// resume in one click; an anonymous visitor verifies it; the operator
	// revokes it and the page says so.
	login("learner@demo.test", demo.Password)
	run("my certificates", chromedp.Navigate(ts.URL+"/learn/certificates"), chromedp.WaitVisible(chromedp.CSS(".cert-card")), shot("14-my-certificates"))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".cert-card a.linkedin").href`))
	if err != nil || !strings.Contains(href, "startTask=CERTIFICATION_NAME") || !strings.Contains(href, "certUrl=") {
		t.Errorf("Add to LinkedIn link = %q, %v", href, err)
	}
	certPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new URL(document.querySelector(".cert-card h2 a").href).pathname`))
	if err != nil {
		t.Fatal(err)
	}
	run("remove from and add back to the resume", chromedp.Click(chromedp.CSS(`.cert-card form[data-in="1"] button`)), chromedp.WaitVisible(chromedp.CSS(`.cert-card form[data-in="0"]`)),
		chromedp.Click(chromedp.CSS(`.cert-card form[data-in="0"] button`)), chromedp.WaitVisible(chromedp.CSS(`.cert-card form[data-in="1"]`)))
	if f := text(".flash"); !strings.Contains(f, "Added to your resume") {
		t.Errorf("add to resume: %q", f)
	}
	run("resume", chromedp.Navigate(ts.URL+"/learn/resume/print"), chromedp.WaitVisible(chromedp.CSS(".resume")), shot("15-resume"))
	if s := text(".resume"); !strings.Contains(s, "Web Front-end Development") {
		t.Errorf("the resume lacks the certificate: %q", s)
	}
	logout()
	run("anonymous verify page", chromedp.Navigate(ts.URL+certPath), chromedp.WaitVisible(chromedp.CSS(".cert-hero")), shot("16-verify-valid"))
	if s := text(".cert-hero"); !strings.Contains(s, "Valid") {
		t.Errorf("verify page status: %q", s)
	}
	if s := text(".checks"); strings.Contains(s, "✗") {
		t.Errorf("a check failed on a valid certificate: %q", s)
	}
	login("operator@demo.test", demo.Password)
	run("revoke", chromedp.Navigate(ts.URL+certPath), chromedp.WaitVisible(chromedp.CSS(`form[action$="/revoke"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/revoke"] input[name=reason]`), "Plagiarised project work"),
		chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	logout()
	run("revoked page", chromedp.Navigate(ts.URL+certPath), chromedp.WaitVisible(chromedp.CSS(".cert-hero")), shot("17-verify-revoked"))
	if s := text(".cert-hero"); !strings.Contains(s, "Revoked") || !strings.Contains(s, "Plagiarised project work") {
		t.Errorf("revoked page: %q", s)
	}
	t.Logf("screenshots in %s", out)
}

func writeTemp(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
