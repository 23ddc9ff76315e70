package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"talentloop/sqldb/sqldbtest"
)

// who may call each route: "public", "any" (any signed-in user), or the
// roles that may. Written by hand, separately from the route table, so that
// a route added without an entry here fails the test.
var routeAccess = map[string]string{
	"GET /healthz":                     "public",
	"GET /metrics":                     "public",
	"GET /static/":                     "public",
	"GET /{$}":                         "public",
	"GET /lang/{lang}":                 "public",
	"GET /chains/{code}":               "public",
	"GET /programs":                    "public",
	"GET /programs/{id}":               "public",
	"GET /courses/{id}":                "public",
	"GET /lessons/{id}":                "public",
	"GET /projects/{id}":               "public",
	"GET /skills":                      "public",
	"GET /register":                    "public",
	"POST /register":                   "public",
	"GET /login":                       "public",
	"POST /login":                      "public",
	"POST /logout":                     "any",
	"GET /dashboard":                   "any",
	"GET /account":                     "any",
	"POST /account/password":           "any",
	"POST /account/tokens":             "any",
	"POST /account/tokens/{id}/revoke": "any",
	"POST /account/profile":            "instructor",

	"GET /admin/users":                     "operator counsellor",
	"GET /admin/users/new":                 "operator",
	"POST /admin/users":                    "operator",
	"GET /admin/users/{id}":                "operator",
	"POST /admin/users/{id}/roles":         "operator",
	"POST /admin/users/{id}/password":      "operator",
	"GET /admin/companies":                 "operator",
	"POST /admin/companies":                "operator",
	"GET /admin/programs":                  "operator instructor",
	"GET /admin/programs/new":              "operator",
	"POST /admin/programs":                 "operator",
	"GET /admin/programs/{id}/edit":        "operator",
	"POST /admin/programs/{id}":            "operator",
	"GET /admin/programs/{id}/courses/new": "operator",
	"POST /admin/programs/{id}/courses":    "operator",
	"GET /admin/courses/{id}/edit":         "operator instructor",
	"POST /admin/courses/{id}":             "operator instructor",
	"GET /admin/courses/{id}/lessons/new":  "operator instructor",
	"POST /admin/courses/{id}/lessons":     "operator instructor",
	"GET /admin/lessons/{id}/edit":         "operator instructor",
	"POST /admin/lessons/{id}":             "operator instructor",
	"GET /admin/courses/{id}/projects/new": "operator instructor",
	"POST /admin/courses/{id}/projects":    "operator instructor",
	"GET /admin/projects/{id}/edit":        "operator instructor",
	"POST /admin/projects/{id}":            "operator instructor",

	"GET /programs/{id}/enrol":          "learner",
	"POST /programs/{id}/enrol":         "learner",
	"GET /learn":                        "learner",
	"POST /learn/income":                "learner",
	"GET /learn/skills":                 "learner",
	"POST /lessons/{id}/done":           "learner",
	"POST /projects/{id}/submissions":   "learner",
	"GET /submissions/{id}":             "learner instructor operator",
	"POST /submissions/{id}/reviews":    "instructor",
	"GET /files/{id}":                   "learner instructor operator",
	"GET /review":                       "instructor",
	"GET /courses/{id}/questions":       "learner instructor operator",
	"POST /courses/{id}/questions":      "learner",
	"GET /questions/{id}":               "learner instructor operator",
	"POST /questions/{id}/answers":      "learner instructor",
	"POST /questions/{id}/accept":       "learner instructor",
	"GET /notifications":                "any",
	"POST /notifications/read":          "any",
	"GET /admin/orders":                 "operator",
	"GET /admin/orders/{id}":            "operator",
	"POST /admin/orders/{id}/mark-paid": "operator",
	"POST /admin/orders/{id}/refund":    "operator",
	"POST /admin/orders/{id}/cancel":    "operator",
	"GET /admin/qa":                     "operator",

	"POST /api/v1/programs/{id}/enrolments":     "learner",
	"GET /api/v1/me/enrolments":                 "learner",
	"GET /api/v1/me/income":                     "learner",
	"POST /api/v1/me/income":                    "learner",
	"GET /api/v1/orders":                        "operator",
	"GET /api/v1/orders/{id}":                   "operator",
	"POST /api/v1/orders/{id}/mark-paid":        "operator",
	"POST /api/v1/orders/{id}/refund":           "operator",
	"POST /api/v1/orders/{id}/cancel":           "operator",
	"POST /api/v1/lessons/{id}/done":            "learner",
	"GET /api/v1/courses/{id}/progress":         "learner",
	"POST /api/v1/projects/{id}/submissions":    "learner",
	"GET /api/v1/projects/{id}/submissions":     "learner",
	"GET /api/v1/submissions/{id}":              "learner instructor operator",
	"GET /api/v1/review-queue":                  "instructor",
	"POST /api/v1/submissions/{id}/reviews":     "instructor",
	"GET /api/v1/me/skills":                     "learner",
	"GET /api/v1/learners/{id}/skills":          "operator partner counsellor",
	"POST /api/v1/questions":                    "learner",
	"GET /api/v1/courses/{id}/questions":        "learner instructor operator",
	"GET /api/v1/questions/{id}":                "learner instructor operator",
	"POST /api/v1/questions/{id}/answers":       "learner instructor",
	"POST /api/v1/questions/{id}/accept":        "learner instructor",
	"GET /api/v1/instructors/{id}/answer-stats": "instructor operator",
	"GET /api/v1/me/notifications":              "any",
	"POST /api/v1/me/notifications/read":        "any",

	"GET /credentials/{id}":                        "public",
	"POST /credentials/{id}/confirm":               "public",
	"GET /status-lists/{id}":                       "public",
	"GET /.well-known/did.json":                    "public",
	"GET /verify":                                  "public",
	"POST /verify":                                 "public",
	"GET /r/{slug}":                                "public",
	"GET /learn/certificates":                      "learner",
	"POST /learn/certificates/{id}/resume":         "learner",
	"GET /learn/resume":                            "learner",
	"POST /learn/resume":                           "learner",
	"GET /learn/resume/print":                      "learner",
	"GET /admin/certificates":                      "operator",
	"POST /admin/certificates":                     "operator",
	"POST /admin/certificates/{id}/revoke":         "operator",
	"POST /admin/certificates/{id}/suspend":        "operator",
	"POST /admin/certificates/{id}/unsuspend":      "operator",
	"GET /admin/programs/{id}/certification":       "operator",
	"POST /admin/programs/{id}/certification":      "operator",
	"POST /admin/programs/{id}/certificates/batch": "operator",
	"GET /admin/jobs/{id}":                         "operator",
	"POST /api/v1/credentials/verify":              "public",
	"GET /api/v1/me/credentials":                   "learner",
	"GET /api/v1/me/resume.json":                   "learner",
	"GET /api/v1/credentials":                      "operator",
	"POST /api/v1/credentials":                     "operator",
	"POST /api/v1/credentials/{id}/revoke":         "operator",
	"POST /api/v1/credentials/{id}/suspend":        "operator",
	"POST /api/v1/credentials/{id}/unsuspend":      "operator",

	"GET /api/v1/openapi.json":             "public",
	"POST /api/v1/auth/token":              "public",
	"POST /api/v1/users":                   "public",
	"GET /api/v1/me":                       "any",
	"POST /api/v1/me/password":             "any",
	"GET /api/v1/me/tokens":                "any",
	"DELETE /api/v1/me/tokens/{id}":        "any",
	"PUT /api/v1/me/instructor-profile":    "instructor",
	"GET /api/v1/users":                    "operator counsellor",
	"GET /api/v1/users/{id}":               "operator",
	"PUT /api/v1/users/{id}/roles":         "operator",
	"POST /api/v1/users/{id}/password":     "operator",
	"GET /api/v1/companies":                "public",
	"POST /api/v1/companies":               "operator",
	"GET /api/v1/instructors/{id}":         "public",
	"GET /api/v1/industry-chains":          "public",
	"GET /api/v1/skills":                   "public",
	"GET /api/v1/programs":                 "public",
	"POST /api/v1/programs":                "operator",
	"GET /api/v1/programs/{id}":            "public",
	"PUT /api/v1/programs/{id}":            "operator",
	"POST /api/v1/programs/{id}/courses":   "operator",
	"GET /api/v1/courses/{id}":             "public",
	"PUT /api/v1/courses/{id}":             "operator instructor",
	"PUT /api/v1/courses/{id}/instructors": "operator",
	"POST /api/v1/courses/{id}/lessons":    "operator instructor",
	"GET /api/v1/lessons/{id}":             "public",
	"PUT /api/v1/lessons/{id}":             "operator instructor",
	"POST /api/v1/courses/{id}/projects":   "operator instructor",
	"GET /api/v1/projects/{id}":            "public",
	"PUT /api/v1/projects/{id}":            "operator instructor",
	"GET /api/v1/catalog/stats":            "operator",
}

// concrete turns a route pattern into a URL on the fixture's records.
func (f *fixture) concrete(pattern string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	ids := map[string]int64{"programs": f.program.ID, "courses": f.course.ID, "lessons": f.lesson.ID, "projects": f.project.ID,
		"users": f.learner2.ID, "tokens": 999999, "instructors": f.instID, "orders": 999999, "submissions": 999999, "files": 999999, "questions": 999999,
		"learners": f.users["learner"].ID, "credentials": 999999, "certificates": 999999, "jobs": 999999}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		switch part {
		case "{id}":
			parts[i] = fmt.Sprint(ids[parts[i-1]])
		case "{code}":
			parts[i] = "sound"
		case "{lang}":
			parts[i] = "en"
		case "{slug}":
			parts[i] = "no-such-resume"
		}
	}
	p = strings.Join(parts, "/")
	if p == "/static/" {
		p = "/static/app.css"
	}
	return p
}

// TestEveryRouteChecksRoles walks every route × (anonymous + each role) and
// checks that the server allows or denies as the table above says.
func TestEveryRouteChecksRoles(t *testing.T) {
	f := newFixture(t, "sqlite")
	identities := []string{"anonymous", "learner", "instructor", "partner", "counsellor", "operator"}
	seen := map[string]bool{}
	for _, rt := range f.srv.Routes() {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		rule, ok := routeAccess[key]
		if !ok {
			t.Errorf("route %q has no entry in routeAccess: declare who may call it", key)
			continue
		}
		for _, who := range identities {
			allowed := rule == "public" || (rule == "any" && who != "anonymous") || strings.Contains(" "+rule+" ", " "+who+" ")
			status, loc := f.call(rt.Method, f.concrete(rt.Pattern), rt.API, who)
			// An allowed call may have changed who teaches the course (the
			// empty body sets no instructors): put the fixture back.
			must(t, f.db.SetCourseInstructors(t.Context(), 0, f.course.ID, []int64{f.instID}))
			denied := status == http.StatusUnauthorized || status == http.StatusForbidden || (status == http.StatusSeeOther && strings.HasPrefix(loc, "/login"))
			if allowed && denied {
				t.Errorf("%s as %s: status %d (→%s), want allowed", key, who, status, loc)
			}
			if !allowed && !denied {
				t.Errorf("%s as %s: status %d, want denied", key, who, status)
			}
			if !allowed && who == "anonymous" && rt.API && status != http.StatusUnauthorized {
				t.Errorf("%s anonymous API: status %d, want 401", key, status)
			}
			if !allowed && who != "anonymous" && status != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", key, who, status)
			}
		}
	}
	for key := range routeAccess {
		if !seen[key] {
			t.Errorf("routeAccess lists %q, which the server does not serve", key)
		}
	}
}

// call makes one request as who: API routes with a bearer token, pages with
// a session cookie and a valid CSRF token.
func (f *fixture) call(method, path string, api bool, who string) (int, string) {
	var body io.Reader
	csrf := "csrf-token-for-the-authorization-test-0123456789"
	if method != "GET" {
		if api {
			body = strings.NewReader("{}")
		} else {
			body = strings.NewReader(url.Values{"csrf": {csrf}}.Encode())
		}
	}
	req, _ := http.NewRequest(method, f.ts.URL+path, body)
	if !api && method != "GET" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "tl_csrf", Value: csrf})
	if who != "anonymous" {
		if api {
			req.Header.Set("Authorization", "Bearer "+f.token(who))
		} else {
			req.AddCookie(&http.Cookie{Name: "tl_session", Value: f.session(who)})
		}
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	must(f.t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestInstructorEditsOnlyOwnCourses(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d)
			tok := f.token("instructor")
			body := map[string]any{"title": map[string]string{"zh": "改名"}}
			if status, out := f.api("PUT", fmt.Sprintf("/api/v1/courses/%d", f.other.ID), tok, body); status != 403 {
				t.Errorf("editing a course not taught: %d %v", status, out)
			}
			c, _ := f.db.FindCourseByID(t.Context(), f.other.ID)
			if c.Title.ZH != "广告配音" {
				t.Errorf("course changed to %q after a denied edit", c.Title.ZH)
			}
			if status, out := f.api("PUT", fmt.Sprintf("/api/v1/courses/%d", f.course.ID), tok, body); status != 200 || out["title"].(map[string]any)["zh"] != "改名" {
				t.Errorf("editing own course: %d %v", status, out)
			}
			if status, _ := f.call("GET", fmt.Sprintf("/admin/courses/%d/edit", f.other.ID), false, "instructor"); status != 403 {
				t.Errorf("edit page of a course not taught: %d", status)
			}
		})
	}
}
