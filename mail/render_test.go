package mail_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"talentloop"
	"talentloop/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const baseURL = "https://talentloop.example/"

// A full set of parameters per case, both languages' titles given.
var renderCases = []struct {
	name   string
	kind   string
	params map[string]string
}{
	{"review_passed", talentloop.NotifyReview, map[string]string{
		"name": "李雷", "name_en": "Li Lei", "project": "电商首页重构", "project_en": "Rebuild a shop's home page",
		"result": talentloop.ReviewPassed, "total": "21", "max": "24", "reviewer": "王老师", "reviewer_en": "Wang Fang", "link": "/submissions/31"}},
	{"review_revise", talentloop.NotifyReview, map[string]string{
		"name": "李雷", "project": "电商首页重构", "project_en": "Rebuild a shop's home page",
		"result": talentloop.ReviewRevise, "total": "12", "max": "24", "link": "/submissions/31"}},
	{"answer", talentloop.NotifyAnswer, map[string]string{
		"name": "韩梅梅", "question": "React 的 useEffect 为什么执行了两次？", "course": "前端工程实战", "course_en": "Front-end engineering",
		"answerer": "王老师", "answerer_en": "Wang Fang", "link": "/questions/7#answer-12"}},
	{"order_paid", talentloop.NotifyOrderPaid, map[string]string{
		"name": "李雷", "program": "直播运营", "program_en": "Live-stream operations", "amount": "199900", "currency": "CNY", "link": "/programs/4"}},
	{"completion_course", talentloop.NotifyCompletion, map[string]string{
		"what": "course", "title": "游戏原画基础", "title_en": "Game concept art basics", "link": "/courses/9"}},
	{"completion_program", talentloop.NotifyCompletion, map[string]string{
		"name": "李雷", "what": "program", "title": "游戏美术", "title_en": "Game art", "link": "/programs/2"}},
	{"question", talentloop.NotifyQuestion, map[string]string{
		"name": "王老师", "name_en": "Wang Fang", "question": "作业 3 的交付格式是什么？", "course": "音频后期", "course_en": "Audio post-production",
		"asker": "韩梅梅", "link": "/questions/8"}},
	{"certificate", talentloop.NotifyCertificate, map[string]string{
		"program": "影视配音", "program_en": "Film dubbing", "link": "/learn/certificates"}},
	{"order_refunded", talentloop.NotifyRefund, map[string]string{
		"program": "直播运营", "program_en": "Live-stream operations", "amount": "299000", "currency": "CNY", "note": "学员申请", "link": "/learn"}},
	{"certificate_status", talentloop.NotifyCertStatus, map[string]string{
		"program": "影视配音", "program_en": "Film dubbing", "status": "revoked", "reason": "作品抄袭", "link": "/credentials/abc"}},
}

// Every kind renders in both languages; the golden files in testdata/ hold
// the subject, the text and the HTML for a reader to check.
func TestRenderGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range renderCases {
		seen[c.kind] = true
		for _, lang := range []string{"zh", "en"} {
			t.Run(c.name+"."+lang, func(t *testing.T) {
				m, err := mail.Render(c.kind, lang, c.params, baseURL)
				if err != nil {
					t.Fatal(err)
				}
				link := "https://talentloop.example" + c.params["link"]
				if !strings.Contains(m.Text, "\n"+link+"\n") {
					t.Errorf("text has no line with the link %s:\n%s", link, m.Text)
				}
				if !strings.Contains(m.HTML, `href="`+link+`"`) {
					t.Errorf("HTML has no link to %s", link)
				}
				if strings.ContainsAny(m.Subject, "\r\n") || m.Subject == "" {
					t.Errorf("subject %q", m.Subject)
				}
				// English mail shows no Chinese when English titles were given;
				// Chinese mail does show Chinese.
				hasHan := strings.ContainsFunc(m.Subject+m.Text, func(r rune) bool { return unicode.Is(unicode.Han, r) })
				englishOnly := true
				for k, v := range c.params {
					if strings.ContainsFunc(v, func(r rune) bool { return unicode.Is(unicode.Han, r) }) && !strings.HasSuffix(k, "_en") && c.params[k+"_en"] == "" {
						englishOnly = false
					}
				}
				if lang == "zh" && !hasHan {
					t.Errorf("Chinese mail without Chinese:\n%s", m.Text)
				}
				if lang == "en" && englishOnly && hasHan {
					t.Errorf("English mail with Chinese although English params were given:\n%s\n%s", m.Subject, m.Text)
				}
				golden(t, filepath.Join("testdata", c.name+"."+lang+".golden"),
					"Subject: "+m.Subject+"\n\n"+m.Text+"\n===== HTML =====\n"+m.HTML)
			})
		}
	}
	for _, k := range mail.Kinds() {
		if !seen[k] {
			t.Errorf("kind %q has no golden case", k)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./mail -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./mail -update rewrites it):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// Only the required parameters: every kind still renders, English falling
// back to the parameters without _en.
func TestRenderRequiredParamsOnly(t *testing.T) {
	minimal := map[string]map[string]string{
		talentloop.NotifyReview:      {"project": "电商首页", "result": "revise", "link": "/s/1"},
		talentloop.NotifyAnswer:      {"question": "怎么部署？", "link": "/q/1"},
		talentloop.NotifyOrderPaid:   {"program": "直播运营", "link": "/p/1"},
		talentloop.NotifyCompletion:  {"program": "游戏美术", "link": "/p/2"},
		talentloop.NotifyQuestion:    {"question": "格式？", "link": "/q/2"},
		talentloop.NotifyCertificate: {"program": "影视配音", "link": "/learn/certificates"},
		talentloop.NotifyRefund:      {"program": "直播运营", "link": "/learn"},
		talentloop.NotifyCertStatus:  {"program": "影视配音", "status": "suspended", "link": "/credentials/abc"},
	}
	for _, kind := range mail.Kinds() {
		for _, lang := range []string{"zh", "en"} {
			m, err := mail.Render(kind, lang, minimal[kind], baseURL)
			if err != nil {
				t.Errorf("%s/%s: %v", kind, lang, err)
				continue
			}
			for k, v := range minimal[kind] {
				if k != "link" && k != "result" && k != "status" && !strings.Contains(m.Text, v) {
					t.Errorf("%s/%s: text lacks %s %q:\n%s", kind, lang, k, v, m.Text)
				}
			}
		}
	}
}

func TestRenderErrors(t *testing.T) {
	review := func(kv ...string) map[string]string {
		p := map[string]string{"project": "P", "result": "passed", "link": "/s/1"}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return p
	}
	tests := []struct {
		name, kind, lang string
		params           map[string]string
		base             string
		want             string // in the reason
	}{
		{"unknown kind", "gossip", "zh", review(), baseURL, "unknown kind"},
		{"unknown language", talentloop.NotifyReview, "fr", review(), baseURL, "language"},
		{"no base URL", talentloop.NotifyReview, "zh", review(), "", "base URL"},
		{"relative base URL", talentloop.NotifyReview, "zh", review(), "talentloop.example", "base URL"},
		{"ftp base URL", talentloop.NotifyReview, "zh", review(), "ftp://talentloop.example", "base URL"},
		{"no link", talentloop.NotifyReview, "zh", review("link", ""), baseURL, `"link" is missing`},
		{"absolute link", talentloop.NotifyReview, "zh", review("link", "https://evil.example/x"), baseURL, "site path"},
		{"scheme-relative link", talentloop.NotifyReview, "zh", review("link", "//evil.example/x"), baseURL, "site path"},
		{"link with a line break", talentloop.NotifyReview, "en", review("link", "/s/1\r\nX: y"), baseURL, "site path"},
		{"review without project", talentloop.NotifyReview, "zh", review("project", " "), baseURL, `"project" is missing`},
		{"review without result", talentloop.NotifyReview, "en", review("result", ""), baseURL, `"result" is missing`},
		{"review with a strange result", talentloop.NotifyReview, "en", review("result", "maybe"), baseURL, `"result" must be`},
		{"answer without question", talentloop.NotifyAnswer, "zh", map[string]string{"link": "/q/1"}, baseURL, `"question" is missing`},
		{"order without program", talentloop.NotifyOrderPaid, "zh", map[string]string{"link": "/p/1"}, baseURL, `"program" is missing`},
		{"order with a decimal amount", talentloop.NotifyOrderPaid, "zh", map[string]string{"program": "P", "amount": "199.00", "link": "/p/1"}, baseURL, "whole number of fen"},
		{"order with a negative amount", talentloop.NotifyOrderPaid, "en", map[string]string{"program": "P", "amount": "-5", "link": "/p/1"}, baseURL, "whole number of fen"},
		{"order in euros", talentloop.NotifyOrderPaid, "en", map[string]string{"program": "P", "amount": "5", "currency": "EUR", "link": "/p/1"}, baseURL, "CNY or USD"},
		{"completion of a lesson", talentloop.NotifyCompletion, "zh", map[string]string{"what": "lesson", "title": "T", "link": "/c/1"}, baseURL, `"what" must be`},
		{"completion without title", talentloop.NotifyCompletion, "zh", map[string]string{"what": "course", "program": "P", "link": "/c/1"}, baseURL, `"title" is missing`},
		{"question without question", talentloop.NotifyQuestion, "en", map[string]string{"course": "C", "link": "/q/1"}, baseURL, `"question" is missing`},
		{"nil params", talentloop.NotifyQuestion, "en", nil, baseURL, `"link" is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mail.Render(tt.kind, tt.lang, tt.params, tt.base)
			var re *mail.RenderError
			if !errors.As(err, &re) {
				t.Fatalf("Render = %v, %v; want a *RenderError", m, err)
			}
			if !strings.Contains(re.Reason, tt.want) {
				t.Errorf("reason %q, want it to mention %q", re.Reason, tt.want)
			}
			if !mail.IsPermanent(err) {
				t.Errorf("a render error is not permanent")
			}
		})
	}
}

// User-written text stays text: no markup in the HTML, no line breaks in
// the subject, and a long title is cut short in the subject only.
func TestRenderUserText(t *testing.T) {
	title := "<script>alert(1)</script> 很长的问题" + strings.Repeat("啊", 100) + "\r\nBcc: everyone@example.com"
	for _, lang := range []string{"zh", "en"} {
		m, err := mail.Render(talentloop.NotifyQuestion, lang, map[string]string{"question": title, "name": "<b>王</b>", "link": "/q/1?a=1&b=<2>"}, baseURL)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>") {
			t.Errorf("%s: markup from params reached the HTML:\n%s", lang, m.HTML)
		}
		if !strings.Contains(m.HTML, "&lt;script&gt;") {
			t.Errorf("%s: the title is not shown escaped", lang)
		}
		if strings.ContainsAny(m.Subject, "\r\n") || !strings.HasSuffix(strings.TrimRight(m.Subject, "」”"), "…") {
			t.Errorf("%s: subject %q, want one line cut short", lang, m.Subject)
		}
		if len([]rune(m.Subject)) > 70 {
			t.Errorf("%s: subject of %d characters", lang, len([]rune(m.Subject)))
		}
		if strings.Contains(m.Text, "\nBcc:") {
			t.Errorf("%s: a line break from params reached the text:\n%s", lang, m.Text)
		}
		if !strings.Contains(m.Text, "啊啊啊啊啊啊啊啊啊啊") {
			t.Errorf("%s: the body lost the title", lang)
		}
	}
}
