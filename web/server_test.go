package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"talentloop"
	"talentloop/certify"
	"talentloop/credential"
	"talentloop/sqldb"
	"talentloop/sqldb/sqldbtest"
	"talentloop/web"
)

const testPassword = "test-password-1"

// fixture is a small catalog with one user per role.
type fixture struct {
	t        *testing.T
	db       *sqldb.DB
	srv      *web.Server
	ts       *httptest.Server
	users    map[string]*talentloop.User // by role name
	company  *talentloop.Company
	program  *talentloop.Program // published, sound chain
	draft    *talentloop.Program
	course   *talentloop.Course // taught by the fixture instructor
	other    *talentloop.Course // taught by nobody
	lesson   *talentloop.Lesson
	project  *talentloop.Project
	instID   int64
	certs    *certify.Service
	learner2 *talentloop.User
}

func newFixture(t *testing.T, dialect string) *fixture {
	t.Helper()
	return newFixtureDB(t, sqldbtest.Open(t, dialect))
}

func newFixtureDB(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, db: db, users: map[string]*talentloop.User{}}
	skills, err := talentloop.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertSkills(ctx, skills); err != nil {
		t.Fatal(err)
	}
	var soundSkill string
	for _, s := range skills {
		if s.Chain == "sound" && soundSkill == "" {
			soundSkill = s.ID
		}
	}
	f.company = &talentloop.Company{Slug: "echo-voice", Name: talentloop.Text{ZH: "回声配音工作室", EN: "Echo Voice Studio"}}
	must(t, db.CreateCompany(ctx, f.company))
	for _, r := range talentloop.Roles {
		u := &talentloop.User{Email: string(r) + "@example.com", Name: "测试" + string(r), Roles: []talentloop.Role{r}}
		if r == talentloop.RolePartner || r == talentloop.RoleInstructor {
			u.CompanyID = f.company.ID
		}
		must(t, db.CreateUser(ctx, u, testPassword))
		f.users[string(r)] = u
	}
	f.learner2 = &talentloop.User{Email: "learner2@example.com", Name: "另一位学员"}
	must(t, db.CreateUser(ctx, f.learner2, testPassword))
	f.instID = f.users["instructor"].ID
	op := f.users["operator"].ID
	f.program = &talentloop.Program{Slug: "film-dubbing", Chain: "sound", Title: talentloop.Text{ZH: "影视配音", EN: "Film and TV Dubbing"},
		Summary: talentloop.Text{ZH: "从气息到角色塑造，为影视剧和动画配音。", EN: "Voice acting for film, TV and animation."}, PriceFen: 199900,
		Level: "beginner", DurationWeeks: 12, Status: talentloop.StatusPublished, Skills: []talentloop.SkillLevel{{SkillID: soundSkill, Level: 3}}}
	must(t, db.CreateProgram(ctx, op, f.program))
	f.draft = &talentloop.Program{Slug: "secret-draft", Chain: "it", Title: talentloop.Text{ZH: "未发布的前端课", EN: "Unreleased front-end"}, Level: "advanced", DurationWeeks: 6}
	must(t, db.CreateProgram(ctx, op, f.draft))
	f.course = &talentloop.Course{ProgramID: f.program.ID, Title: talentloop.Text{ZH: "角色配音基础", EN: "Character dubbing basics"}, Required: true}
	must(t, db.CreateCourse(ctx, op, f.course))
	must(t, db.SetCourseInstructors(ctx, op, f.course.ID, []int64{f.instID}))
	f.other = &talentloop.Course{ProgramID: f.program.ID, Title: talentloop.Text{ZH: "广告配音"}, Required: true}
	must(t, db.CreateCourse(ctx, op, f.other))
	f.lesson = &talentloop.Lesson{CourseID: f.course.ID, Title: talentloop.Text{ZH: "气息与发声"}, Body: talentloop.Text{ZH: "## 练习\n\n<script>alert(1)</script>每天朗读。"}, Minutes: 25, Required: true}
	must(t, db.CreateLesson(ctx, op, f.lesson))
	f.project = &talentloop.Project{CourseID: f.course.ID, CompanyID: f.company.ID, Title: talentloop.Text{ZH: "动画短片配音"}, Brief: talentloop.Text{ZH: "为 90 秒片段配音"},
		Level: 3, Skills: []talentloop.SkillLevel{{SkillID: soundSkill, Level: 3}}, PassMark: 10, Required: true,
		Rubric: talentloop.Rubric{Criteria: []talentloop.Criterion{{Key: "voice", Name: talentloop.Text{ZH: "声音表现"}, Levels: []talentloop.RubricLevel{{Name: talentloop.Text{ZH: "待改进"}, Points: 0}, {Name: talentloop.Text{ZH: "优秀"}, Points: 20}}}}}}
	must(t, db.CreateProject(ctx, op, f.project))

	// The fixture learner has paid for the program; learner2 has not enrolled.
	e, _, err := db.Enrol(ctx, f.users["learner"].ID, f.program.ID, nil)
	must(t, err)
	_, err = db.MarkOrderPaid(ctx, op, e.Order.ID, "TEST-PAID-1")
	must(t, err)

	f.certs = newCertifier(t, db)
	srv, err := web.NewServer(web.Services{Users: db, Auth: db, Catalog: db, Learning: db, Certs: f.certs, CertStore: db}, db, slog.New(slog.DiscardHandler), web.Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// token returns a fresh API token for a role.
func (f *fixture) token(role string) string {
	tok, _, err := f.db.CreateAPIToken(context.Background(), f.users[role].ID, "test")
	must(f.t, err)
	return tok
}

// session returns a fresh session cookie for a role.
func (f *fixture) session(role string) string {
	tok, _, err := f.db.CreateSession(context.Background(), f.users[role].ID, time.Hour)
	must(f.t, err)
	return tok
}

// browser is an HTTP client with cookies that does not follow redirects.
func (f *fixture) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// csrf fetches a page so the client holds a CSRF cookie, and returns it.
func (f *fixture) csrf(c *http.Client, path string) string {
	resp, err := c.Get(f.ts.URL + path)
	must(f.t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		f.t.Fatalf("no csrf field on %s", path)
	}
	return string(m[1])
}

func (f *fixture) postForm(c *http.Client, path string, form url.Values) (*http.Response, string) {
	resp, err := c.PostForm(f.ts.URL+path, form)
	must(f.t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// api calls the JSON API with a bearer token (empty for anonymous).
func (f *fixture) api(method, path, token string, body any, headers ...string) (int, map[string]any) {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, f.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	must(f.t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func talentloopFilterAll() talentloop.ProgramFilter {
	return talentloop.ProgramFilter{IncludeDrafts: true}
}

func talentloopUserFilter(q string) talentloop.UserFilter { return talentloop.UserFilter{Q: q} }

// newCertifier makes a certificate service with a fresh did:key issuer.
func newCertifier(t *testing.T, db *sqldb.DB) *certify.Service {
	ks, err := credential.OpenKeystore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := credential.NewIdentity(ks, "")
	if err != nil {
		t.Fatal(err)
	}
	return certify.New(db, db, db, id, "http://talentloop.test", nil)
}
