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

func TestCertificatesAPI(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d)
			learner, inst, op := f.token("learner"), f.token("instructor"), f.token("operator")
			issue := map[string]any{"learner_id": f.users["learner"].ID, "program_id": f.program.ID}
			// Not yet qualified: nothing is issued.
			if status, out := f.api("POST", "/api/v1/credentials", op, issue); status != 400 || errCode(out) != "invalid" {
				t.Fatalf("issuing before completion: %d %v", status, out)
			}
			f.api("POST", fmt.Sprintf("/api/v1/lessons/%d/done", f.lesson.ID), learner, nil)
			_, sub := f.api("POST", fmt.Sprintf("/api/v1/projects/%d/submissions", f.project.ID), learner, map[string]string{"body": "作品"})
			f.api("POST", fmt.Sprintf("/api/v1/submissions/%v/reviews", sub["id"]), inst, map[string]any{"scores": []map[string]any{{"criterion_key": "voice", "level": 1}}})
			if status, _ := f.api("POST", "/api/v1/credentials", learner, issue); status != 403 {
				t.Errorf("a learner issues: %d", status)
			}
			status, cert := f.api("POST", "/api/v1/credentials", op, issue)
			if status != 201 || cert["status"] != "valid" || !strings.HasPrefix(cert["linkedin_url"].(string), "https://www.linkedin.com/profile/add?") {
				t.Fatalf("issue: %d %v", status, cert)
			}
			if status, again := f.api("POST", "/api/v1/credentials", op, issue); status != 200 || again["id"] != cert["id"] {
				t.Errorf("issuing twice: %d %v", status, again["id"])
			}
			id := cert["id"].(string)
			lk, _ := url.Parse(cert["linkedin_url"].(string))
			if q := lk.Query(); q.Get("startTask") != "CERTIFICATION_NAME" || q.Get("certId") != id || !strings.HasSuffix(q.Get("certUrl"), "/credentials/"+id) || q.Get("organizationName") == "" || q.Get("issueYear") == "" {
				t.Errorf("LinkedIn link: %v", q)
			}
			_, mine := f.api("GET", "/api/v1/me/credentials", learner, nil)
			if mine["total"].(float64) != 1 {
				t.Errorf("me/credentials = %v", mine)
			}
			// Anyone verifies the JSON, by API and on the page.
			resp, _ := http.Get(f.ts.URL + "/credentials/" + id + ".json")
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if status, res := f.api("POST", "/api/v1/credentials/verify", "", string(raw)); status != 200 || res["verified"] != true {
				t.Fatalf("verify: %d %v", status, res)
			}
			tampered := strings.Replace(string(raw), "影视配音", "影视配音大师", 1)
			if _, res := f.api("POST", "/api/v1/credentials/verify", "", tampered); res["verified"] != false {
				t.Errorf("a tampered copy verified: %v", res)
			}
			if status, res := f.api("POST", "/api/v1/credentials/verify", "", `{"@context": 5`); status != 400 || errCode(res) != "invalid" {
				t.Errorf("malformed credential: %d %v", status, res)
			}
			resp, _ = http.Get(f.ts.URL + "/credentials/" + id)
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(page), "测试learner") || !strings.Contains(string(page), "data:image/png;base64,") || !strings.Contains(string(page), "有效") {
				t.Errorf("verify page: %d", resp.StatusCode)
			}
			// A recruiter confirms the holder by email.
			c := f.browser()
			csrf := f.csrf(c, "/credentials/"+id)
			_, body := f.postForm(c, "/credentials/"+id+"/confirm", url.Values{"csrf": {csrf}, "email": {"LEARNER@example.com"}})
			if !strings.Contains(body, "邮箱与持证人一致") || strings.Contains(body, "learner@example.com") {
				t.Errorf("holder confirmation did not match (or showed the email)")
			}
			_, body = f.postForm(c, "/credentials/"+id+"/confirm", url.Values{"csrf": {csrf}, "email": {"someone@example.com"}})
			if !strings.Contains(body, "邮箱与持证人不一致") {
				t.Errorf("a wrong email matched")
			}
			// Revocation shows on the page and in verification.
			if status, out := f.api("POST", "/api/v1/credentials/"+id+"/revoke", op, map[string]string{}); status != 400 {
				t.Errorf("revoking without a reason: %d %v", status, out)
			}
			if status, out := f.api("POST", "/api/v1/credentials/"+id+"/revoke", op, map[string]string{"reason": "作品抄袭"}); status != 200 || out["status"] != "revoked" {
				t.Fatalf("revoke: %d %v", status, out)
			}
			if status, _ := f.api("POST", "/api/v1/credentials/"+id+"/revoke", op, map[string]string{"reason": "again"}); status != 200 {
				t.Errorf("revoking twice: %d", status)
			}
			_, res := f.api("POST", "/api/v1/credentials/verify", "", string(raw))
			if res["verified"] != false || res["revoked"] != true {
				t.Errorf("revoked certificate verified: %v", res)
			}
			resp, _ = http.Get(f.ts.URL + "/credentials/" + id)
			page, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(page), "已撤销") || !strings.Contains(string(page), "作品抄袭") {
				t.Errorf("the page does not show the revocation and its reason")
			}
			if _, list := f.api("GET", fmt.Sprintf("/api/v1/credentials?program_id=%d&status=revoked", f.program.ID), op, nil); list["total"].(float64) != 1 {
				t.Errorf("revoked list = %v", list["total"])
			}
			if status, _ := f.api("GET", "/api/v1/credentials?status=bogus", op, nil); status != 400 {
				t.Errorf("bad status filter: %d", status)
			}
			// The resume exports JSON Resume with the certificates section.
			_, jr := f.api("GET", "/api/v1/me/resume.json", learner, nil)
			if jr["basics"].(map[string]any)["name"] != "测试learner" || jr["skills"] == nil {
				t.Errorf("resume.json = %v", jr)
			}
		})
	}
}
