package web_test

import (
	"fmt"
	"strings"
	"testing"

	"talentloop/sqldb/sqldbtest"
)

func TestAPIScenarios(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d)
			op, learner := f.token("operator"), f.token("learner")
			newProgram := map[string]any{"slug": "game-dubbing", "chain": "sound", "title": map[string]string{"zh": "游戏配音", "en": "Game dubbing"},
				"summary": map[string]string{"zh": "为游戏角色配音"}, "price_fen": 99900, "level": "intermediate", "duration_weeks": 8, "status": "published"}
			pid := fmt.Sprint(f.program.ID)
			tests := []struct {
				name, method, path, token string
				body                      any
				headers                   []string
				wantStatus                int
				wantCode                  string // error code, or "" for success
				check                     func(t *testing.T, out map[string]any)
			}{
				{name: "chains", method: "GET", path: "/api/v1/industry-chains", wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					items := out["items"].([]any)
					if len(items) != 5 || items[3].(map[string]any)["code"] != "sound" {
						t.Errorf("chains = %v", items)
					}
				}},
				{name: "search in Chinese", method: "GET", path: "/api/v1/programs?q=%E9%85%8D%E9%9F%B3", wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["total"].(float64) != 1 || out["items"].([]any)[0].(map[string]any)["slug"] != "film-dubbing" {
						t.Errorf("search 配音 = %v", out)
					}
				}},
				{name: "search in English", method: "GET", path: "/api/v1/programs?q=Dubbing&chain=sound", wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["total"].(float64) != 1 {
						t.Errorf("search dubbing = %v", out)
					}
				}},
				{name: "drafts hidden from the public list", method: "GET", path: "/api/v1/programs?q=%E5%89%8D%E7%AB%AF", wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["total"].(float64) != 0 {
						t.Errorf("a draft leaked: %v", out)
					}
				}},
				{name: "drafts listed for operators", method: "GET", path: "/api/v1/programs?status=draft", token: op, wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["total"].(float64) != 1 {
						t.Errorf("drafts = %v", out)
					}
				}},
				{name: "draft status filter is for operators", method: "GET", path: "/api/v1/programs?status=draft", token: learner, wantStatus: 403, wantCode: "forbidden"},
				{name: "bad chain", method: "GET", path: "/api/v1/programs?chain=cooking", wantStatus: 400, wantCode: "invalid"},
				{name: "program detail", method: "GET", path: "/api/v1/programs/" + pid, wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					courses := out["courses"].([]any)
					c := courses[0].(map[string]any)
					if out["price_fen"].(float64) != 199900 || len(courses) != 2 || len(c["projects"].([]any)) != 1 || len(c["instructors"].([]any)) != 1 {
						t.Errorf("program = %v", out)
					}
				}},
				{name: "draft detail hidden", method: "GET", path: fmt.Sprintf("/api/v1/programs/%d", f.draft.ID), wantStatus: 404, wantCode: "not_found"},
				{name: "draft detail for operators", method: "GET", path: fmt.Sprintf("/api/v1/programs/%d", f.draft.ID), token: op, wantStatus: 200},
				{name: "unknown id", method: "GET", path: "/api/v1/programs/987654", wantStatus: 404, wantCode: "not_found"},
				{name: "non-numeric id", method: "GET", path: "/api/v1/programs/abc", wantStatus: 404, wantCode: "not_found"},
				{name: "create without auth", method: "POST", path: "/api/v1/programs", body: newProgram, wantStatus: 401, wantCode: "unauthorized"},
				{name: "create as learner", method: "POST", path: "/api/v1/programs", token: learner, body: newProgram, wantStatus: 403, wantCode: "forbidden"},
				{name: "invalid JSON", method: "POST", path: "/api/v1/programs", token: op, body: `{"slug": `, wantStatus: 400, wantCode: "invalid"},
				{name: "unknown field", method: "POST", path: "/api/v1/programs", token: op, body: `{"slugg": "x"}`, wantStatus: 400, wantCode: "invalid"},
				{name: "oversized body", method: "POST", path: "/api/v1/programs", token: op, body: `{"slug": "` + strings.Repeat("x", 2<<20) + `"}`, wantStatus: 413, wantCode: "too_large"},
				{name: "invalid program", method: "POST", path: "/api/v1/programs", token: op, body: map[string]any{"slug": "Bad!", "chain": "x", "price_fen": -5}, wantStatus: 400, wantCode: "invalid",
					check: func(t *testing.T, out map[string]any) {
						fields := out["error"].(map[string]any)["fields"].(map[string]any)
						for _, k := range []string{"slug", "chain", "price_fen", "title_zh", "level", "duration_weeks"} {
							if fields[k] == nil {
								t.Errorf("no error for %s: %v", k, fields)
							}
						}
					}},
				{name: "error in English", method: "POST", path: "/api/v1/programs", token: op, body: map[string]any{"slug": "ok-slug"}, headers: []string{"Accept-Language", "en-US,en;q=0.9"}, wantStatus: 400, wantCode: "invalid",
					check: func(t *testing.T, out map[string]any) {
						if msg := out["error"].(map[string]any)["message"]; msg != "Please check the marked fields." {
							t.Errorf("message = %v", msg)
						}
					}},
				{name: "error in Chinese by default", method: "POST", path: "/api/v1/programs", token: op, body: map[string]any{"slug": "ok-slug"}, wantStatus: 400, wantCode: "invalid",
					check: func(t *testing.T, out map[string]any) {
						if msg := out["error"].(map[string]any)["message"]; msg != "请检查标出的字段。" {
							t.Errorf("message = %v", msg)
						}
					}},
				{name: "create", method: "POST", path: "/api/v1/programs", token: op, body: newProgram, wantStatus: 201, check: func(t *testing.T, out map[string]any) {
					if out["id"] == nil || out["status"] != "published" || out["currency"] != "CNY" {
						t.Errorf("created = %v", out)
					}
				}},
				{name: "duplicate slug", method: "POST", path: "/api/v1/programs", token: op, body: newProgram, wantStatus: 409, wantCode: "conflict"},
				{name: "new program is searchable", method: "GET", path: "/api/v1/programs?q=game", wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["total"].(float64) != 1 {
						t.Errorf("search game = %v", out)
					}
				}},
				{name: "me", method: "GET", path: "/api/v1/me", token: learner, wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["email"] != "learner@example.com" || out["roles"].([]any)[0] != "learner" || out["password_hash"] != nil {
						t.Errorf("me = %v", out)
					}
				}},
				{name: "bad token", method: "GET", path: "/api/v1/me", token: "tl_forged", wantStatus: 401, wantCode: "unauthorized"},
				{name: "token exchange", method: "POST", path: "/api/v1/auth/token", body: map[string]string{"email": "Counsellor@Example.com", "password": testPassword}, wantStatus: 201,
					check: func(t *testing.T, out map[string]any) {
						tok, _ := out["token"].(string)
						if status, me := f.api("GET", "/api/v1/me", tok, nil); status != 200 || me["email"] != "counsellor@example.com" {
							t.Errorf("using the new token: %d %v", status, me)
						}
					}},
				{name: "token with a wrong password", method: "POST", path: "/api/v1/auth/token", body: map[string]string{"email": "operator@example.com", "password": "nope-nope-nope"}, wantStatus: 401, wantCode: "unauthorized"},
				{name: "self-registration makes a learner", method: "POST", path: "/api/v1/users", body: map[string]string{"email": "new@example.com", "name": "新学员", "password": "long-enough-pw"}, wantStatus: 201,
					check: func(t *testing.T, out map[string]any) {
						if roles := out["roles"].([]any); len(roles) != 1 || roles[0] != "learner" {
							t.Errorf("roles = %v", roles)
						}
					}},
				{name: "registration cannot pick roles", method: "POST", path: "/api/v1/users", body: `{"email":"x@example.com","name":"x","password":"long-enough-pw","roles":["operator"]}`, wantStatus: 400, wantCode: "invalid"},
				{name: "operator grants a role", method: "PUT", path: fmt.Sprintf("/api/v1/users/%d/roles", f.learner2.ID), token: op,
					body: map[string]any{"roles": []string{"learner", "instructor"}, "company_id": f.company.ID}, wantStatus: 200, check: func(t *testing.T, out map[string]any) {
						if len(out["roles"].([]any)) != 2 {
							t.Errorf("roles = %v", out["roles"])
						}
					}},
				{name: "partner role needs a company", method: "PUT", path: fmt.Sprintf("/api/v1/users/%d/roles", f.learner2.ID), token: op, body: map[string]any{"roles": []string{"partner"}}, wantStatus: 400, wantCode: "invalid"},
				{name: "counsellors list learners only", method: "GET", path: "/api/v1/users?role=operator", token: f.token("counsellor"), wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					for _, u := range out["items"].([]any) {
						if fmt.Sprint(u.(map[string]any)["roles"]) == "[operator]" {
							t.Errorf("a counsellor saw an operator: %v", u)
						}
					}
				}},
				{name: "project with rubric", method: "GET", path: fmt.Sprintf("/api/v1/projects/%d", f.project.ID), wantStatus: 200, check: func(t *testing.T, out map[string]any) {
					if out["rubric"].(map[string]any)["version"].(float64) != 1 || out["company"].(map[string]any)["zh"] != "回声配音工作室" {
						t.Errorf("project = %v", out)
					}
				}},
				{name: "instructor adds a lesson to own course", method: "POST", path: fmt.Sprintf("/api/v1/courses/%d/lessons", f.course.ID), token: f.token("instructor"),
					body: map[string]any{"title": map[string]string{"zh": "角色塑造"}, "minutes": 30}, wantStatus: 201},
				{name: "lesson with a bad video link", method: "POST", path: fmt.Sprintf("/api/v1/courses/%d/lessons", f.course.ID), token: op,
					body: map[string]any{"title": map[string]string{"zh": "x"}, "video_url": "javascript:alert(1)"}, wantStatus: 400, wantCode: "invalid"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					status, out := f.api(tc.method, tc.path, tc.token, tc.body, tc.headers...)
					if status != tc.wantStatus {
						t.Fatalf("status = %d, want %d (%v)", status, tc.wantStatus, out)
					}
					if got := errCode(out); got != tc.wantCode {
						t.Fatalf("error code = %q, want %q (%v)", got, tc.wantCode, out)
					}
					if tc.check != nil {
						tc.check(t, out)
					}
				})
			}
			// Nothing was half-written by the rejected requests.
			_, total, _ := f.db.FindPrograms(t.Context(), talentloopFilterAll())
			if total != 3 {
				t.Errorf("programs after the scenarios = %d, want 3", total)
			}
		})
	}
}
