package mail_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"talentloop"
	"talentloop/mail"
)

// parsed is a composed message read back the way a mail client would.
type parsed struct {
	header  netmail.Header
	subject string // decoded
	text    string
	html    string
}

func parseMessage(t *testing.T, data []byte) parsed {
	t.Helper()
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
			t.Fatalf("line %d does not end in CRLF: %q", i+1, line)
		}
		if len(line) > 78+2 {
			t.Errorf("line %d is %d bytes long: %q", i+1, len(line)-2, line)
		}
	}
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{header: m.Header}
	p.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	mediaType, ps, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	decode := func(h interface{ Get(string) string }, r io.Reader) string {
		if h.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("transfer encoding %q", h.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(r))
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	switch mediaType {
	case "text/plain":
		if ps["charset"] != "UTF-8" {
			t.Errorf("charset %q", ps["charset"])
		}
		p.text = decode(m.Header, m.Body)
	case "multipart/alternative":
		mr := multipart.NewReader(m.Body, ps["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			switch ct := part.Header.Get("Content-Type"); ct {
			case "text/plain; charset=UTF-8":
				p.text = decode(part.Header, part)
			case "text/html; charset=UTF-8":
				p.html = decode(part.Header, part)
			default:
				t.Errorf("part of type %q", ct)
			}
		}
	default:
		t.Fatalf("content type %q", mediaType)
	}
	return p
}

func sampleEmail(t *testing.T, lang string) *mail.Email {
	t.Helper()
	m, err := mail.Render(talentloop.NotifyAnswer, lang, map[string]string{
		"name": "韩梅梅", "question": "为什么 React 的 useEffect 在开发模式下会执行两次，而且每次都请求接口？", "course": "前端工程实战",
		"link": "/questions/7"}, "https://talentloop.example")
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Email{To: "han.meimei@example.com", Lang: lang, Ref: mail.OutboxRef(42, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)),
		Date: time.Date(2026, 3, 1, 9, 0, 5, 0, time.UTC), Message: *m}
}

func TestCompose(t *testing.T) {
	from, _ := netmail.ParseAddress("talentloop 学习平台 <noreply@talentloop.example>")
	e := sampleEmail(t, "zh")
	data, err := mail.Compose(from, e)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, data)
	if p.subject != e.Subject {
		t.Errorf("subject = %q, want %q", p.subject, e.Subject)
	}
	if got, err := p.header.AddressList("From"); err != nil || len(got) != 1 || got[0].Name != "talentloop 学习平台" || got[0].Address != "noreply@talentloop.example" {
		t.Errorf("From = %v (%v)", got, err)
	}
	if got, err := p.header.AddressList("To"); err != nil || len(got) != 1 || got[0].Address != e.To {
		t.Errorf("To = %v (%v)", got, err)
	}
	if got, err := p.header.Date(); err != nil || !got.Equal(e.Date) {
		t.Errorf("Date = %v (%v), want %v", got, err, e.Date)
	}
	if got, want := p.header.Get("Message-ID"), "<"+e.Ref+"@talentloop.example>"; got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	for name, want := range map[string]string{"MIME-Version": "1.0", "Content-Language": "zh-CN", "Auto-Submitted": "auto-generated"} {
		if got := p.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if p.text != e.Text || p.html != e.HTML {
		t.Errorf("body does not round-trip:\ntext %q\nwant %q", p.text, e.Text)
	}

	// Text only, in English.
	e = sampleEmail(t, "en")
	e.HTML = ""
	data, err = mail.Compose(from, e)
	if err != nil {
		t.Fatal(err)
	}
	p = parseMessage(t, data)
	if p.text != e.Text || p.subject != e.Subject || p.header.Get("Content-Language") != "en" {
		t.Errorf("text-only English mail: subject %q, text %q", p.subject, p.text)
	}

	// The same outbox row gives the same Message-ID; another row another.
	again, _ := mail.Compose(from, sampleEmail(t, "en"))
	if got := parseMessage(t, again).header.Get("Message-ID"); got != p.header.Get("Message-ID") {
		t.Errorf("Message-ID changed between sends: %s, %s", got, p.header.Get("Message-ID"))
	}
	if mail.OutboxRef(42, e.Date) == mail.OutboxRef(43, e.Date) || mail.OutboxRef(42, e.Date) == mail.OutboxRef(42, e.Date.Add(time.Microsecond)) {
		t.Error("OutboxRef does not tell rows apart")
	}
}

func TestComposeRefusesBadInput(t *testing.T) {
	from, _ := netmail.ParseAddress("noreply@talentloop.example")
	for _, tt := range []struct{ name, to, ref string }{
		{"header injection", "a@example.com\r\nBcc: b@example.com", "r1"},
		{"display name", "Li Lei <a@example.com>", "r1"},
		{"not an address", "nobody", "r1"},
		{"empty ref", "a@example.com", ""},
		{"ref with an at sign", "a@example.com", "x@y"},
	} {
		e := sampleEmail(t, "zh")
		e.To, e.Ref = tt.to, tt.ref
		if _, err := mail.Compose(from, e); err == nil {
			t.Errorf("%s: composed", tt.name)
		}
	}
}

// Subjects survive encoding whatever they hold.
func TestSubjectEncoding(t *testing.T) {
	from, _ := netmail.ParseAddress("noreply@talentloop.example")
	for _, subject := range []string{
		"Plain ASCII subject",
		"Looks encoded =?UTF-8?B?SGk=?= but is not",
		"中文标题",
		strings.Repeat("很长的中文标题", 20),
		strings.Repeat("mixed 中文 and English “quotes” ", 10),
		"emoji 🎉 and 表情",
	} {
		e := sampleEmail(t, "zh")
		e.Subject = subject
		data, err := mail.Compose(from, e)
		if err != nil {
			t.Fatal(err)
		}
		if got := parseMessage(t, data).subject; got != strings.Join(strings.Fields(subject), " ") {
			t.Errorf("subject %q came back as %q", subject, got)
		}
	}
}
