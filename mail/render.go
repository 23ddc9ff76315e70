// Package mail turns talentloop's notifications into email and sends them.
//
// Render is pure: it makes the subject, a plain-text body and the same
// content as simple HTML for a notification kind, a language ("zh" for
// 简体中文, "en") and the kind's parameters. Compose lays a rendered message out
// in Internet Message Format, and Sender hands it to an SMTP server.
//
// # Parameters
//
// Every parameter is a string. Text parameters may come in two languages:
// for a parameter p, an English mail uses p_en when it is set and p
// otherwise (so {"program": "直播运营", "program_en": "Live-stream operations"}
// names the program in each language). Unknown parameters are ignored.
//
// Every kind takes:
//
//	link   required  the site path the mail points to, starting with "/"
//	                 (the in-app notification's link); the mail shows the
//	                 base URL joined with it
//	name   optional  the recipient's name, for the greeting
//
// and by kind (talentloop.Notify*):
//
//	review      a learner's submission was reviewed
//	  project   required  the real project's title
//	  result    required  "passed" or "revise" (talentloop.ReviewPassed, ReviewRevise)
//	  total     optional  points scored
//	  max       optional  the rubric's maximum points (shown as total/max)
//	  reviewer  optional  the reviewing instructor's name
//	answer      a learner's question was answered
//	  question  required  the question's title
//	  course    optional  the course it was asked in
//	  answerer  optional  who answered
//	order_paid  a learner's order was paid
//	  program   required  the program's title
//	  amount    optional  the amount paid in minor units (fen), e.g. "19900"
//	  currency  optional  "CNY" (the default) or "USD"
//	completion  a learner completed a course or a program
//	  what      optional  "program" (the default) or "course"
//	  title     required  the course's or program's title; "course" or
//	                      "program" (by what) is taken when title is empty
//	question    an instructor's course has a new question
//	  question  required  the question's title
//	  course    optional  the course
//	  asker     optional  the learner who asked
package mail

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"talentloop"
)

// Message is a rendered email: its subject, a plain-text body and the same
// body as simple HTML.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// RenderError says why a notification cannot be rendered. Retrying cannot
// mend it.
type RenderError struct {
	Kind, Lang string
	Reason     string
}

func (e *RenderError) Error() string {
	return fmt.Sprintf("mail: cannot render %q in %q: %s", e.Kind, e.Lang, e.Reason)
}

// Lengths, in characters, beyond which user-written text (a question's
// title) is cut short.
const (
	maxSubjectParam = 50
	maxBodyParam    = 300
)

// content is what a kind says; the layout around it is shared.
type content struct {
	subject string
	paras   []string
	action  string // the label of the link
}

// kinds renders each kind's content from its parameters.
var kinds = map[string]func(p *values) content{
	talentloop.NotifyReview:      reviewContent,
	talentloop.NotifyAnswer:      answerContent,
	talentloop.NotifyOrderPaid:   orderPaidContent,
	talentloop.NotifyCompletion:  completionContent,
	talentloop.NotifyQuestion:    questionContent,
	talentloop.NotifyCertificate: certificateContent,
	talentloop.NotifyRefund:      refundContent,
	talentloop.NotifyCertStatus:  certStatusContent,
}

// Kinds returns the notification kinds Render knows, sorted.
func Kinds() []string {
	return []string{talentloop.NotifyAnswer, talentloop.NotifyCertificate, talentloop.NotifyCertStatus, talentloop.NotifyCompletion, talentloop.NotifyOrderPaid,
		talentloop.NotifyRefund, talentloop.NotifyQuestion, talentloop.NotifyReview}
}

// Render makes the email for a notification of kind in lang ("zh" or "en")
// with params (see the package documentation), linking to baseURL (the
// site's public URL, e.g. "https://talentloop.example") joined with
// params["link"]. It returns a *RenderError when the kind, the language or a
// parameter is wrong.
func Render(kind, lang string, params map[string]string, baseURL string) (msg *Message, err error) {
	fail := func(format string, args ...any) (*Message, error) {
		return nil, &RenderError{Kind: kind, Lang: lang, Reason: fmt.Sprintf(format, args...)}
	}
	if lang != "zh" && lang != "en" {
		return fail("unsupported language")
	}
	build, ok := kinds[kind]
	if !ok {
		return fail("unknown kind")
	}
	link, err := joinLink(baseURL, params["link"])
	if err != nil {
		return fail("%v", err)
	}
	p := &values{lang: lang, m: params}
	// The kinds report a missing or bad parameter by panicking with a
	// paramError, which keeps their text readable; nothing else is caught.
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(paramError)
			if !ok {
				panic(r)
			}
			msg, err = fail("%s", string(pe))
		}
	}()
	c := build(p)
	return layout(p, c, link)
}

func joinLink(baseURL, link string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("base URL %q is not an absolute http(s) URL", baseURL)
	}
	if link == "" {
		return "", fmt.Errorf("param %q is missing", "link")
	}
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.ContainsFunc(link, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }) {
		return "", fmt.Errorf("param %q must be a site path starting with /, not %q", "link", link)
	}
	if _, err := url.Parse(link); err != nil {
		return "", fmt.Errorf("param %q: %v", "link", err)
	}
	return strings.TrimRight(baseURL, "/") + link, nil
}

type paramError string

// values reads a kind's parameters in one language.
type values struct {
	lang string
	m    map[string]string
}

func (p *values) zh() bool { return p.lang == "zh" }

// raw returns the parameter as given, in the mail's language.
func (p *values) raw(key string) string {
	if p.lang == "en" {
		if v := strings.TrimSpace(p.m[key+"_en"]); v != "" {
			return v
		}
	}
	return strings.TrimSpace(p.m[key])
}

// text returns a parameter as one line of text of at most maxBodyParam
// characters, or "".
func (p *values) text(key string) string { return clip(oneLine(p.raw(key)), maxBodyParam) }

// short is text cut for a subject line.
func (p *values) short(key string) string { return clip(oneLine(p.raw(key)), maxSubjectParam) }

// must panics with a paramError when the parameter is empty.
func (p *values) must(key string) {
	if p.text(key) == "" {
		panic(paramError(fmt.Sprintf("param %q is missing", key)))
	}
}

// oneLine folds control characters and runs of spaces into single spaces:
// a parameter is one line of text, never a header or a layout of its own.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// quote puts a title in the language's quotation marks.
func (p *values) quote(s string) string {
	if p.zh() {
		return "「" + s + "」"
	}
	return "“" + s + "”"
}

// end closes a sentence with a full stop, unless it ends with a quotation
// that ends in one already (a question's title often does).
func (p *values) end(s string) string {
	t := strings.TrimRight(s, "」”")
	if t != s && strings.ContainsAny(t[len(t)-1:], "?!.") || strings.HasSuffix(t, "？") || strings.HasSuffix(t, "！") || strings.HasSuffix(t, "。") {
		return s
	}
	return s + p.pick("。", ".")
}

// pick returns zh or en by the mail's language.
func (p *values) pick(zh, en string) string {
	if p.zh() {
		return zh
	}
	return en
}

func reviewContent(p *values) content {
	p.must("project")
	p.must("result")
	project, short := p.quote(p.text("project")), p.quote(p.short("project"))
	passed := false
	switch r := p.text("result"); r {
	case talentloop.ReviewPassed:
		passed = true
	case talentloop.ReviewRevise:
	default:
		panic(paramError(fmt.Sprintf("param %q must be %q or %q, not %q", "result", talentloop.ReviewPassed, talentloop.ReviewRevise, r)))
	}
	reviewer := p.text("reviewer")
	score := ""
	if total := p.text("total"); total != "" {
		if max := p.text("max"); max != "" {
			total += "/" + max
		}
		score = p.pick("，得分 "+total, ", scoring "+total)
	}
	var c content
	who := p.pick("讲师", "An instructor")
	if reviewer != "" {
		who = p.pick("讲师"+reviewer, reviewer)
	}
	if passed {
		c.subject = p.pick("你的实战项目"+short+"已通过评审", "Your project "+short+" passed review")
		c.paras = []string{
			p.pick(who+"评审了你提交的实战项目"+project+"：通过"+score+"。",
				who+" reviewed your project "+project+": passed"+score+"."),
			p.pick("恭喜！这个项目证明的技能已记入你的技能档案。",
				"Congratulations! The skills it proves are now on your skill profile."),
		}
	} else {
		c.subject = p.pick("你的实战项目"+short+"需要修改", "Your project "+short+" needs revisions")
		c.paras = []string{
			p.pick(who+"评审了你提交的实战项目"+project+"：需要修改"+score+"。",
				who+" reviewed your project "+project+": revisions needed"+score+"."),
			p.pick("请阅读评语，修改后重新提交。", "Read the feedback, then revise and submit again."),
		}
	}
	c.action = p.pick("查看评审", "See the review")
	return c
}

func answerContent(p *values) content {
	p.must("question")
	question, short := p.quote(p.text("question")), p.quote(p.short("question"))
	who := p.text("answerer")
	if who == "" {
		who = p.pick("有人", "Someone")
	}
	where := ""
	if course := p.text("course"); course != "" {
		where = p.pick("在课程"+p.quote(course)+"中", " in the course "+p.quote(course))
	}
	return content{
		subject: p.pick("你的问题"+short+"有了新回答", "New answer to your question "+short),
		paras: []string{p.end(p.pick(who+"回答了你"+where+"提出的问题"+question,
			who+" answered your question "+question+where))},
		action: p.pick("查看回答", "Read the answer"),
	}
}

func orderPaidContent(p *values) content {
	p.must("program")
	program, short := p.quote(p.text("program")), p.quote(p.short("program"))
	amount := ""
	if a := p.text("amount"); a != "" {
		amount = p.pick("（金额 "+formatMoney(p, a)+"）", " ("+formatMoney(p, a)+")")
	}
	return content{
		subject: p.pick("支付成功："+short, "Payment received: "+short),
		paras: []string{
			p.pick("你报名微专业"+program+"的订单已支付"+amount+"。", "Your order for the program "+program+" is paid"+amount+"."),
			p.pick("现在就可以开始学习了。", "You can start learning now."),
		},
		action: p.pick("开始学习", "Start learning"),
	}
}

// formatMoney shows an amount in minor units in the mail's language.
func formatMoney(p *values, minor string) string {
	n, err := strconv.ParseInt(minor, 10, 64)
	if err != nil || n < 0 {
		panic(paramError(fmt.Sprintf("param %q must be a whole number of fen, not %q", "amount", minor)))
	}
	num := group(n/100) + fmt.Sprintf(".%02d", n%100)
	switch cur := strings.ToUpper(p.text("currency")); cur {
	case "", "CNY":
		return p.pick("¥"+num, "CNY "+num)
	case "USD":
		return "US$" + num
	default:
		panic(paramError(fmt.Sprintf("param %q must be CNY or USD, not %q", "currency", cur)))
	}
}

// group writes n with thousands separators: 1,999.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func completionContent(p *values) content {
	what := p.text("what")
	if what == "" {
		what = "program"
	}
	if what != "program" && what != "course" {
		panic(paramError(fmt.Sprintf("param %q must be %q or %q, not %q", "what", "program", "course", what)))
	}
	key := "title"
	if p.text(key) == "" {
		key = what
	}
	if p.text(key) == "" {
		panic(paramError(fmt.Sprintf("param %q is missing", "title")))
	}
	title, short := p.quote(p.text(key)), p.quote(p.short(key))
	if what == "course" {
		return content{
			subject: p.pick("恭喜完成课程"+short, "You completed the course "+short),
			paras: []string{p.pick("你已完成课程"+title+"的全部必修内容。继续加油！",
				"You have finished every required part of the course "+title+". Keep going!")},
			action: p.pick("查看课程", "Open the course"),
		}
	}
	return content{
		subject: p.pick("恭喜完成微专业"+short, "You completed the program "+short),
		paras: []string{p.pick("你已完成微专业"+title+"的全部必修课程。祝贺你！",
			"You have finished every required course of the program "+title+". Congratulations!")},
		action: p.pick("查看微专业", "Open the program"),
	}
}

func questionContent(p *values) content {
	p.must("question")
	question, short := p.quote(p.text("question")), p.quote(p.short("question"))
	who := p.text("asker")
	if who == "" {
		who = p.pick("一位学员", "A learner")
	}
	var ask string
	if course := p.text("course"); course != "" {
		ask = p.pick(who+"在你的课程"+p.quote(course)+"中提问："+question, who+" asked in your course "+p.quote(course)+": "+question)
	} else {
		ask = p.pick(who+"提了一个新问题："+question, who+" asked a new question: "+question)
	}
	ask = p.end(ask)
	return content{
		subject: p.pick("新问题："+short, "New question: "+short),
		paras:   []string{ask, p.pick("及时回答能帮学员继续学下去。", "A quick answer keeps them learning.")},
		action:  p.pick("去回答", "Answer it"),
	}
}

// refundContent tells a learner their order was refunded; params: program
// (required), amount, currency, note.
func refundContent(p *values) content {
	p.must("program")
	program, short := p.quote(p.text("program")), p.quote(p.short("program"))
	amount := ""
	if a := p.text("amount"); a != "" {
		amount = p.pick("（"+formatMoney(p, a)+"）", " ("+formatMoney(p, a)+")")
	}
	paras := []string{p.pick("你报名微专业"+program+"的订单已退款"+amount+"，该微专业的学习权限随之关闭。", "Your order for the program "+program+" was refunded"+amount+"; your access to it has ended.")}
	if note := p.text("note"); note != "" {
		paras = append(paras, p.pick("说明：", "Note: ")+note)
	}
	return content{subject: p.pick("订单已退款："+short, "Order refunded: "+short), paras: paras, action: p.pick("查看我的学习", "See my learning")}
}

// certStatusContent tells a holder their certificate changed status;
// params: program and status (suspended, valid or revoked) required, reason.
func certStatusContent(p *values) content {
	p.must("program")
	p.must("status")
	program, short := p.quote(p.text("program")), p.quote(p.short("program"))
	var subject, para string
	switch st := p.text("status"); st {
	case "suspended":
		subject, para = p.pick("证书已暂停："+short, "Certificate suspended: "+short), p.pick("你的微专业"+program+"证书已被暂停，暂停期间验证会显示为已暂停。", "Your certificate of the program "+program+" is suspended; verifiers see it as suspended meanwhile.")
	case "valid":
		subject, para = p.pick("证书已恢复："+short, "Certificate reinstated: "+short), p.pick("你的微专业"+program+"证书已恢复有效。", "Your certificate of the program "+program+" is valid again.")
	case "revoked":
		subject, para = p.pick("证书已撤销："+short, "Certificate revoked: "+short), p.pick("你的微专业"+program+"证书已被撤销，撤销不可恢复。", "Your certificate of the program "+program+" was revoked; a revocation is final.")
	default:
		panic(paramError(fmt.Sprintf("param %q must be suspended, valid or revoked, not %q", "status", st)))
	}
	paras := []string{para}
	if reason := p.text("reason"); reason != "" {
		paras = append(paras, p.pick("原因：", "Reason: ")+reason)
	}
	return content{subject: subject, paras: paras, action: p.pick("查看证书", "See the certificate")}
}

// certificateContent tells a learner their certificate was issued; params:
// program (required).
func certificateContent(p *values) content {
	p.must("program")
	program, short := p.quote(p.text("program")), p.quote(p.short("program"))
	return content{
		subject: p.pick("微专业认证已颁发："+short, "Your certificate is issued: "+short),
		paras: []string{
			p.pick("恭喜！你已获得微专业"+program+"的认证证书。证书可在线验证，并与你本人绑定。", "Congratulations! You hold the certificate of the program "+program+". Anyone can verify it online, and it is bound to you."),
			p.pick("一键添加到领英或你的简历。", "Add it to LinkedIn or your resume in one click."),
		},
		action: p.pick("查看证书", "See the certificate"),
	}
}

//go:embed mail.html
var htmlLayout string

var htmlTemplate = template.Must(template.New("mail").Parse(htmlLayout))

// layout puts the content between a greeting and a footer, as text and HTML.
func layout(p *values, c content, link string) (*Message, error) {
	greeting := p.pick("你好：", "Hello,")
	if name := p.short("name"); name != "" {
		greeting = p.pick(name+"，你好：", "Hi "+name+",")
	}
	footer := p.pick("这封邮件由 talentloop 自动发送，请勿直接回复。你也可以在站内通知中查看这条消息。",
		"talentloop sent this email automatically; replies are not read. You can also find this message among your notifications on the site.")

	var text strings.Builder
	text.WriteString(greeting + "\n\n")
	for _, para := range c.paras {
		text.WriteString(para + "\n\n")
	}
	text.WriteString(c.action + p.pick("：", ":") + "\n" + link + "\n\n-- \n" + footer + "\n")

	var html bytes.Buffer
	err := htmlTemplate.Execute(&html, map[string]any{
		"Lang": p.pick("zh-CN", "en"), "Subject": c.subject, "Greeting": greeting,
		"Paras": c.paras, "Action": c.action, "Link": link, "Footer": footer,
	})
	if err != nil {
		return nil, err
	}
	return &Message{Subject: c.subject, Text: text.String(), HTML: html.String()}, nil
}
