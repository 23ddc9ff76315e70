package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"talentloop/sqldb/sqldbtest"
)

// multipartBody builds a submission form with files.
func multipartBody(t *testing.T, fields map[string]string, files map[string][]byte) (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (f *fixture) upload(token string, projectID int64, fields map[string]string, files map[string][]byte) (int, string) {
	body, ct := multipartBody(f.t, fields, files)
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/projects/%d/submissions", f.ts.URL, projectID), body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	must(f.t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

func TestLearningAPI(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			f := newFixture(t, d)
			learner, inst, op := f.token("learner"), f.token("instructor"), f.token("operator")
			other := f.learner2
			otherTok, _, _ := f.db.CreateAPIToken(t.Context(), other.ID, "t")

			// Enrolment: the second learner enrols; twice returns the same one.
			status, e := f.api("POST", fmt.Sprintf("/api/v1/programs/%d/enrolments", f.program.ID), otherTok, map[string]any{"monthly_income_fen": 380000, "employment": "employed"})
			order := e["order"].(map[string]any)
			if status != 201 || order["status"] != "pending" || order["amount_fen"].(float64) != 199900 || order["currency"] != "CNY" {
				t.Fatalf("enrol: %d %v", status, e)
			}
			orderID := int64(order["id"].(float64))
			if status, again := f.api("POST", fmt.Sprintf("/api/v1/programs/%d/enrolments", f.program.ID), otherTok, nil); status != 200 || again["id"] != e["id"] {
				t.Fatalf("enrol twice: %d %v", status, again)
			}
			if status, _ := f.api("POST", fmt.Sprintf("/api/v1/programs/%d/enrolments", f.draft.ID), otherTok, nil); status != 404 {
				t.Errorf("enrol in a draft: %d", status)
			}
			// A learner acts on no one's order: order routes are for operators.
			if status, _ := f.api("POST", fmt.Sprintf("/api/v1/orders/%d/mark-paid", orderID), otherTok, map[string]string{"reference": "SELF"}); status != 403 {
				t.Errorf("learner marks own order paid: %d", status)
			}
			if status, out := f.api("POST", fmt.Sprintf("/api/v1/orders/%d/mark-paid", orderID), op, map[string]string{}); status != 400 || errCode(out) != "invalid" {
				t.Errorf("mark paid without a reference: %d %v", status, out)
			}
			if status, out := f.api("POST", fmt.Sprintf("/api/v1/orders/%d/mark-paid", orderID), op, map[string]string{"reference": "WX-1"}); status != 200 || out["status"] != "paid" {
				t.Fatalf("mark paid: %d %v", status, out)
			}
			if status, out := f.api("POST", fmt.Sprintf("/api/v1/orders/%d/mark-paid", orderID), op, map[string]string{"reference": "WX-2"}); status != 409 || errCode(out) != "conflict" {
				t.Errorf("mark paid twice: %d %v", status, out)
			}

			// Submissions: bad files are rejected and nothing is stored.
			if status, body := f.upload(otherTok, f.project.ID, map[string]string{"body": "作品"}, map[string][]byte{"tool.exe": []byte("MZ...")}); status != 400 || !strings.Contains(body, "tool.exe") {
				t.Errorf("an .exe upload: %d %s", status, body)
			}
			big := bytes.Repeat([]byte("a"), 21<<20)
			if status, body := f.upload(otherTok, f.project.ID, map[string]string{"body": "作品"}, map[string][]byte{"notes.txt": big}); status != 413 || !strings.Contains(body, "too_large") {
				t.Errorf("a 21 MB upload: %d %s", status, body[:min(200, len(body))])
			}
			if status, out := f.api("GET", fmt.Sprintf("/api/v1/projects/%d/submissions", f.project.ID), otherTok, nil); status != 200 || out["total"].(float64) != 0 {
				t.Fatalf("submissions after rejected uploads: %d %v", status, out)
			}
			status, body := f.upload(otherTok, f.project.ID, map[string]string{"body": "我的作品", "repo_url": "https://example.com/repo", "idempotency_key": "k1"},
				map[string][]byte{"notes.md": []byte("# 说明\n配音稿")})
			if status != 201 {
				t.Fatalf("upload: %d %s", status, body)
			}
			// The same form posted twice is one submission.
			status, body2 := f.upload(otherTok, f.project.ID, map[string]string{"body": "我的作品", "idempotency_key": "k1"}, nil)
			if status != 201 || !strings.Contains(body2, `"version":1`) {
				t.Errorf("double post: %d %s", status, body2)
			}
			_, subs := f.api("GET", fmt.Sprintf("/api/v1/projects/%d/submissions", f.project.ID), otherTok, nil)
			if subs["total"].(float64) != 1 {
				t.Fatalf("versions after a double post = %v", subs["total"])
			}
			sub := subs["items"].([]any)[0].(map[string]any)
			subID := int64(sub["id"].(float64))
			fileID := int64(sub["files"].([]any)[0].(map[string]any)["id"].(float64))

			// Another learner never sees it, nor its file.
			if status, _ := f.api("GET", fmt.Sprintf("/api/v1/submissions/%d", subID), learner, nil); status != 404 {
				t.Errorf("another learner reads the submission: %d", status)
			}
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/files/%d", f.ts.URL, fileID), nil)
			req.AddCookie(&http.Cookie{Name: "tl_session", Value: f.session("learner")})
			resp, _ := http.DefaultClient.Do(req)
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("another learner downloads the file: %d", resp.StatusCode)
			}
			// The instructor downloads it as an attachment.
			req, _ = http.NewRequest("GET", fmt.Sprintf("%s/files/%d", f.ts.URL, fileID), nil)
			req.AddCookie(&http.Cookie{Name: "tl_session", Value: f.session("instructor")})
			resp, _ = http.DefaultClient.Do(req)
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || string(data) != "# 说明\n配音稿" {
				t.Errorf("instructor download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}

			// Review: queue, a missing criterion is rejected, then a pass.
			_, queue := f.api("GET", "/api/v1/review-queue", inst, nil)
			if queue["total"].(float64) != 1 {
				t.Fatalf("review queue = %v", queue)
			}
			if status, out := f.api("POST", fmt.Sprintf("/api/v1/submissions/%d/reviews", subID), inst, map[string]any{"scores": []any{}}); status != 400 || errCode(out) != "invalid" {
				t.Errorf("review without scores: %d %v", status, out)
			}
			status, rv := f.api("POST", fmt.Sprintf("/api/v1/submissions/%d/reviews", subID), inst, map[string]any{"scores": []map[string]any{{"criterion_key": "voice", "level": 1, "comment": "很好"}}, "comment": "通过"})
			if status != 201 || rv["result"] != "passed" || rv["total"].(float64) != 20 {
				t.Fatalf("review: %d %v", status, rv)
			}
			_, skills := f.api("GET", "/api/v1/me/skills", otherTok, nil)
			if skills["total"].(float64) != 1 {
				t.Errorf("skills after passing = %v", skills)
			}
			_, es := f.api("GET", "/api/v1/me/enrolments", otherTok, nil)
			if p := es["items"].([]any)[0].(map[string]any)["progress"].(float64); p != 50 {
				t.Errorf("progress = %v, want 50 (project passed, lesson not done)", p)
			}
			if status, _ := f.api("POST", fmt.Sprintf("/api/v1/lessons/%d/done", f.lesson.ID), otherTok, nil); status != 204 {
				t.Errorf("lesson done: %d", status)
			}
			_, es = f.api("GET", "/api/v1/me/enrolments", otherTok, nil)
			if en := es["items"].([]any)[0].(map[string]any); en["progress"].(float64) != 100 || en["completed"] != true || en["on_time"] != true {
				t.Errorf("after the last required lesson: %v", en)
			}
			// Q&A: ask, answer, stats.
			status, q := f.api("POST", "/api/v1/questions", otherTok, map[string]any{"course_id": f.course.ID, "title": "怎么练气息？", "body": "总是气不够。"})
			if status != 201 {
				t.Fatalf("ask: %d %v", status, q)
			}
			qid := int64(q["id"].(float64))
			if status, _ := f.api("POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), inst, map[string]string{"body": "腹式呼吸，每天 10 分钟。"}); status != 201 {
				t.Errorf("answer: %d", status)
			}
			_, st := f.api("GET", fmt.Sprintf("/api/v1/instructors/%d/answer-stats", f.instID), inst, nil)
			if st["answered"].(float64) != 1 {
				t.Errorf("answer stats = %v", st)
			}
			if status, _ := f.api("GET", fmt.Sprintf("/api/v1/instructors/%d/answer-stats", f.users["operator"].ID), inst, nil); status != 403 {
				t.Errorf("an instructor reads another's stats: %d", status)
			}
			_, notes := f.api("GET", "/api/v1/me/notifications", otherTok, nil)
			if notes["unread"].(float64) < 3 {
				t.Errorf("learner notifications = %v", notes["unread"])
			}
			// An operator's CSV export has the paid order with integer fen.
			req, _ = http.NewRequest("GET", f.ts.URL+"/admin/orders?status=paid&format=csv", nil)
			req.AddCookie(&http.Cookie{Name: "tl_session", Value: f.session("operator")})
			resp, _ = http.DefaultClient.Do(req)
			csvData, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(csvData), ",paid,另一位学员,learner2@example.com,影视配音,199900,1999,CNY,manual,WX-1,") {
				t.Errorf("orders CSV: %d\n%s", resp.StatusCode, csvData)
			}
		})
	}
}
