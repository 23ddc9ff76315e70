package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Email is a rendered message addressed to one recipient.
type Email struct {
	To   string // a bare address, "li.lei@example.com"
	Lang string // "zh" or "en", for Content-Language
	// Ref names the message for good: its Message-ID is <Ref@domain of the
	// sender>. Sending the same message again (after a crash between the
	// hand-over and recording it) repeats the Message-ID, so receivers can
	// tell it is a duplicate. Letters, digits, '.', '-' and '_' only; see
	// OutboxRef.
	Ref  string
	Date time.Time // zero: now
	Message
}

// OutboxRef is the Ref of the mail of an outbox row. The creation time keeps
// refs unique when a database is started afresh and ids begin at 1 again.
func OutboxRef(id int64, createdAt time.Time) string {
	return "outbox." + strconv.FormatInt(id, 10) + "." + strconv.FormatInt(createdAt.UnixMicro(), 36)
}

// Compose lays e out in Internet Message Format (RFC 5322 with MIME): the
// headers From, To, Subject (RFC 2047 encoded when not plain ASCII), Date,
// Message-ID, MIME-Version, Content-Language and Auto-Submitted
// (RFC 3834, so that auto-responders stay quiet), and a UTF-8 body in
// quoted-printable: text/plain, or multipart/alternative with text/html
// when e.HTML is set. Lines end in CRLF.
func Compose(from *mail.Address, e *Email) ([]byte, error) {
	if err := checkAddress(e.To); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	if from == nil || checkAddress(from.Address) != nil {
		return nil, errors.New("sender address is not valid")
	}
	if e.Ref == "" || strings.ContainsFunc(e.Ref, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_')
	}) {
		return nil, fmt.Errorf("ref %q must be letters, digits, '.', '-' and '_'", e.Ref)
	}
	date := e.Date
	if date.IsZero() {
		date = time.Now()
	}
	lang := "zh-CN"
	if e.Lang == "en" {
		lang = "en"
	}
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", formatAddress(from))
	header("To", (&mail.Address{Address: e.To}).String())
	header("Subject", encodeHeader(e.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+e.Ref+"@"+domain(from.Address)+">")
	header("MIME-Version", "1.0")
	header("Content-Language", lang)
	header("Auto-Submitted", "auto-generated")
	if e.HTML == "" {
		header("Content-Type", "text/plain; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, e.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	header("Content-Type", "multipart/alternative;\r\n boundary=\""+mw.Boundary()+"\"")
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=UTF-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// checkAddress accepts a bare address only: no display name, no spaces and
// nothing that could end a header or an SMTP command.
func checkAddress(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return fmt.Errorf("%q is not an email address", addr)
	}
	if a.Address != addr || a.Name != "" {
		return fmt.Errorf("%q is not a bare email address", addr)
	}
	return nil
}

// formatAddress writes "name <address>", the name quoted or, when not
// ASCII, in encoded words on a line of their own.
func formatAddress(a *mail.Address) string {
	if a.Name == "" || encodeHeader(a.Name) == oneLine(a.Name) {
		return a.String()
	}
	return encodeHeader(a.Name) + "\r\n <" + a.Address + ">"
}

func domain(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }

func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	// The quoted-printable writer turns "\n" into CRLF and wraps long lines
	// with soft breaks, so no line comes near SMTP's limit.
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return err
	}
	return qp.Close()
}

// encodeHeader returns an unstructured header value (a subject) as is when
// it is short printable ASCII, or else as RFC 2047 "B" encoded words, one per
// folded line, each at most 75 characters and never splitting a character.
// An ASCII value that merely looks like an encoded word is encoded too, so
// receivers do not decode what the user wrote.
func encodeHeader(s string) string {
	s = oneLine(s)
	plain := len(s) <= 900 && !strings.Contains(s, "=?")
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= ' ' && s[i] < 0x7f
	}
	if plain {
		return s
	}
	// 39 bytes are 52 base64 characters, 64 with "=?UTF-8?B?" and "?=":
	// a line of "Subject: " and one word stays within 78.
	const maxBytes = 39
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxBytes {
				break
			}
			n += size
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}
