package jsonld

// IRI and keyword helpers of context processing.

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

func endsWithGenDelim(s string) bool {
	if s == "" {
		return false
	}
	switch s[len(s)-1] {
	case ':', '/', '?', '#', '[', ']', '@':
		return true
	}
	return false
}

var keywords = map[string]bool{
	"@base": true, "@container": true, "@context": true, "@direction": true, "@graph": true,
	"@id": true, "@import": true, "@included": true, "@index": true, "@json": true,
	"@language": true, "@list": true, "@nest": true, "@none": true, "@prefix": true,
	"@propagate": true, "@protected": true, "@reverse": true, "@set": true, "@type": true,
	"@value": true, "@version": true, "@vocab": true,
}

func isKeyword(s string) bool { return keywords[s] }

// hasKeywordForm reports "@" followed by one or more ALPHA characters.
func hasKeywordForm(s string) bool {
	if len(s) < 2 || s[0] != '@' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// isAbsoluteIRI mirrors the check JSON-LD processors apply before emitting
// an IRI to RDF (a scheme, a colon and no whitespace), and is stricter:
// characters that IRIs may not hold and broken %-escapes fail too, since
// processors differ on them.
func isAbsoluteIRI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	c := s[0]
	if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	rest := s[i+1:]
	if rest == "" {
		return false
	}
	if auth, ok := strings.CutPrefix(rest, "//"); ok {
		if end := strings.IndexAny(auth, "/?#"); end == 0 || auth == "" {
			return false // an empty authority
		}
	}
	for j := 0; j < len(rest); j++ {
		switch c := rest[j]; {
		case c >= 0x80:
			// Only now decode: a few multi-byte characters are whitespace.
			r, size := utf8.DecodeRuneInString(rest[j:])
			if isSpace(r) {
				return false
			}
			j += size - 1
		case c <= 0x20 || c == 0x7f:
			return false
		case c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`' || c == '\\':
			return false
		case c == '%':
			if j+2 >= len(rest) || !isHex(rest[j+1]) || !isHex(rest[j+2]) {
				return false
			}
		}
	}
	return true
}

func wellFormedIRI(s string) bool {
	if !isAbsoluteIRI(s) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// expandIRI implements IRI Expansion. Documents are processed without a
// base IRI, so a relative IRI stays relative (and is rejected later).
