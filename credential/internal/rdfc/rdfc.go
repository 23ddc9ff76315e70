// Package rdfc implements RDF Dataset Canonicalization (RDFC-1.0, W3C
// Recommendation 2024) and the canonical N-Quads serialization it uses.
//
// The input is a set of quads as produced by JSON-LD's "deserialize to RDF";
// the output is the sorted, canonical N-Quads document whose bytes are hashed
// by Data Integrity cryptosuites such as eddsa-rdfc-2022.
package rdfc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind tells what an RDF term is.
type Kind uint8

// The kinds of RDF terms. KindNone marks the default graph.
const (
	KindNone Kind = iota
	KindIRI
	KindBlank
	KindLiteral
)

// Well-known datatype IRIs.
const (
	XSDString     = "http://www.w3.org/2001/XMLSchema#string"
	RDFLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// Term is one RDF term. Value holds the IRI, the blank node label (without
// "_:") or the literal's lexical form. Datatype and Language apply to
// literals only; an empty Datatype means xsd:string.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Language string
}

// IRI returns an IRI term.
func IRI(v string) Term { return Term{Kind: KindIRI, Value: v} }

// Blank returns a blank node term with the given label (without "_:").
func Blank(label string) Term { return Term{Kind: KindBlank, Value: label} }

// Literal returns a literal term; datatype "" means xsd:string.
func Literal(v, datatype string) Term {
	if datatype == XSDString {
		datatype = ""
	}
	return Term{Kind: KindLiteral, Value: v, Datatype: datatype}
}

// Quad is one statement. A zero G (KindNone) is the default graph.
type Quad struct {
	S, P, O, G Term
}

// ErrTooComplex reports an input whose blank node structure would need more
// deep iterations than allowed (a "poison graph").
var ErrTooComplex = errors.New("rdfc: blank node structure too complex to canonicalize")

// maxPermutations bounds the permutations Hash N-Degree Quads may try in
// one canonicalization: blank nodes that share a parent and look alike
// would otherwise cost a factorial of their number.
const maxPermutations = 1 << 16

// Options tune canonicalization.
type Options struct {
	// MaxWorkFactor bounds the deep iterations of Hash N-Degree Quads to
	// (number of blank nodes with shared first-degree hashes)^MaxWorkFactor,
	// as the widely used JavaScript implementation does, and the
	// permutations tried to 65,536. Zero means 1; a negative value means no
	// limit.
	MaxWorkFactor int
}

// Canonicalize returns the canonical N-Quads document of the dataset made of
// quads (duplicates are ignored, since a dataset is a set).
func Canonicalize(quads []Quad, opts *Options) ([]byte, error) {
	c := newCanonicalizer(quads, opts)
	if err := c.run(); err != nil {
		return nil, err
	}
	return c.serialize(), nil
}

// SerializeNQuads returns quads as an N-Quads document in canonical form,
// one line per quad in the given order, with blank node labels as given.
func SerializeNQuads(quads []Quad) []byte {
	var b bytes.Buffer
	for i := range quads {
		writeQuad(&b, &quads[i], nil, "", "")
	}
	return b.Bytes()
}

type canonicalizer struct {
	quads     []Quad
	bnodes    map[string][]int // blank node label -> indexes of its quads
	order     []string         // blank node labels in first-seen order
	canonical *issuer
	firstHash map[string]string
	deepLeft  int
	permLeft  int // permutations left to try, against factorial blowups
	unlimited bool
	maxWork   int
	buf       bytes.Buffer
}

func newCanonicalizer(in []Quad, opts *Options) *canonicalizer {
	c := &canonicalizer{bnodes: make(map[string][]int), canonical: newIssuer("c14n")}
	c.maxWork = 1
	if opts != nil && opts.MaxWorkFactor != 0 {
		c.maxWork = opts.MaxWorkFactor
	}
	if c.maxWork < 0 {
		c.unlimited = true
	}
	// A dataset is a set: sort a copy and drop repeated quads (cheaper than
	// hashing whole quads into a map for the small datasets credentials make).
	// Sort pointers, not the large Quad values.
	ptrs := make([]*Quad, len(in))
	for i := range in {
		ptrs[i] = &in[i]
	}
	slices.SortFunc(ptrs, compareQuads)
	c.quads = make([]Quad, 0, len(in))
	for i, q := range ptrs {
		if i > 0 && compareQuads(q, ptrs[i-1]) == 0 {
			continue
		}
		c.quads = append(c.quads, *q)
		if o := &c.quads[len(c.quads)-1].O; o.Kind == KindLiteral && o.Datatype == XSDString {
			o.Datatype = ""
		}
	}
	for i := range c.quads {
		q := &c.quads[i]
		c.note(q.S, i)
		c.note(q.O, i)
		c.note(q.G, i)
	}
	return c
}

func compareTerms(a, b *Term) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	if r := strings.Compare(a.Value, b.Value); r != 0 {
		return r
	}
	if r := strings.Compare(datatypeOf(a), datatypeOf(b)); r != 0 {
		return r
	}
	return strings.Compare(a.Language, b.Language)
}

// datatypeOf treats xsd:string and "" alike.
func datatypeOf(t *Term) string {
	if t.Datatype == XSDString {
		return ""
	}
	return t.Datatype
}

func compareQuads(a, b *Quad) int {
	if r := compareTerms(&a.S, &b.S); r != 0 {
		return r
	}
	if r := compareTerms(&a.P, &b.P); r != 0 {
		return r
	}
	if r := compareTerms(&a.O, &b.O); r != 0 {
		return r
	}
	return compareTerms(&a.G, &b.G)
}

func (c *canonicalizer) note(t Term, i int) {
	if t.Kind != KindBlank {
		return
	}
	list, ok := c.bnodes[t.Value]
	if !ok {
		c.order = append(c.order, t.Value)
	}
	// A quad may mention one blank node twice; list it once.
	if n := len(list); n > 0 && list[n-1] == i {
		return
	}
	c.bnodes[t.Value] = append(list, i)
}

func (c *canonicalizer) run() error {
	c.firstHash = make(map[string]string, len(c.order))
	byHash := make(map[string][]string, len(c.order))
	for _, id := range c.order {
		h := c.hashFirstDegree(id)
		c.firstHash[id] = h
		byHash[h] = append(byHash[h], id)
	}
	hashes := make([]string, 0, len(byHash))
	for h := range byHash {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	var nonUnique [][]string
	count := 0
	for _, h := range hashes {
		ids := byHash[h]
		if len(ids) > 1 {
			nonUnique = append(nonUnique, ids)
			count += len(ids)
			continue
		}
		c.canonical.issue(ids[0])
	}
	if len(nonUnique) == 0 {
		return nil
	}
	c.deepLeft = 1
	c.permLeft = maxPermutations
	for range c.maxWork {
		c.deepLeft *= count
		if c.deepLeft > 1<<30 {
			c.unlimited = true
			break
		}
	}
	for _, ids := range nonUnique {
		type pathResult struct {
			hash   string
			issuer *issuer
		}
		var results []pathResult
		for _, id := range ids {
			if c.canonical.has(id) {
				continue
			}
			tmp := newIssuer("b")
			tmp.issue(id)
			h, iss, err := c.hashNDegree(id, tmp)
			if err != nil {
				return err
			}
			results = append(results, pathResult{h, iss})
		}
		slices.SortStableFunc(results, func(a, b pathResult) int { return strings.Compare(a.hash, b.hash) })
		for _, r := range results {
			for _, old := range r.issuer.order {
				c.canonical.issue(old)
			}
		}
	}
	return nil
}

// hashFirstDegree implements "Hash First Degree Quads".
func (c *canonicalizer) hashFirstDegree(id string) string {
	idx := c.bnodes[id]
	c.buf.Reset()
	ends := make([]int, 0, len(idx))
	for _, i := range idx {
		writeQuad(&c.buf, &c.quads[i], nil, id, "a")
		ends = append(ends, c.buf.Len())
	}
	lines := splitLines(c.buf.Bytes(), ends)
	slices.SortFunc(lines, bytes.Compare)
	h := sha256.New()
	for _, l := range lines {
		h.Write(l)
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// splitLines cuts b at the given end offsets.
func splitLines(b []byte, ends []int) [][]byte {
	lines := make([][]byte, len(ends))
	start := 0
	for k, e := range ends {
		lines[k] = b[start:e:e]
		start = e
	}
	return lines
}

// hashRelated implements "Hash Related Blank Node".
func (c *canonicalizer) hashRelated(related string, q *Quad, iss *issuer, position byte) string {
	var b strings.Builder
	b.WriteByte(position)
	if position != 'g' {
		b.WriteByte('<')
		b.WriteString(q.P.Value)
		b.WriteByte('>')
	}
	if id, ok := c.canonical.get(related); ok {
		b.WriteString("_:")
		b.WriteString(id)
	} else if id, ok := iss.get(related); ok {
		b.WriteString("_:")
		b.WriteString(id)
	} else {
		b.WriteString(c.firstHash[related])
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// hashNDegree implements "Hash N-Degree Quads".
func (c *canonicalizer) hashNDegree(id string, iss *issuer) (string, *issuer, error) {
	if !c.unlimited {
		if c.deepLeft <= 0 {
			return "", nil, ErrTooComplex
		}
		c.deepLeft--
	}
	related := make(map[string][]string)
	for _, i := range c.bnodes[id] {
		q := &c.quads[i]
		for _, p := range [...]struct {
			t   Term
			pos byte
		}{{q.S, 's'}, {q.O, 'o'}, {q.G, 'g'}} {
			if p.t.Kind != KindBlank || p.t.Value == id {
				continue
			}
			h := c.hashRelated(p.t.Value, q, iss, p.pos)
			related[h] = append(related[h], p.t.Value)
		}
	}
	hashes := make([]string, 0, len(related))
	for h := range related {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	data := sha256.New()
	for _, h := range hashes {
		data.Write([]byte(h))
		var chosenPath string
		var chosenIssuer *issuer
		err := permute(related[h], func(perm []string) error {
			if !c.unlimited {
				if c.permLeft <= 0 {
					return ErrTooComplex
				}
				c.permLeft--
			}
			cp := iss.clone()
			var path strings.Builder
			var recursion []string
			for _, r := range perm {
				if id, ok := c.canonical.get(r); ok {
					path.WriteString("_:")
					path.WriteString(id)
				} else {
					if !cp.has(r) {
						recursion = append(recursion, r)
					}
					path.WriteString("_:")
					path.WriteString(cp.issue(r))
				}
				if chosenIssuer != nil && path.Len() >= len(chosenPath) && path.String() > chosenPath {
					return nil
				}
			}
			for _, r := range recursion {
				rh, ri, err := c.hashNDegree(r, cp)
				if err != nil {
					return err
				}
				path.WriteString("_:")
				path.WriteString(cp.issue(r))
				path.WriteByte('<')
				path.WriteString(rh)
				path.WriteByte('>')
				cp = ri
				if chosenIssuer != nil && path.Len() >= len(chosenPath) && path.String() > chosenPath {
					return nil
				}
			}
			if chosenIssuer == nil || path.String() < chosenPath {
				chosenPath = path.String()
				chosenIssuer = cp
			}
			return nil
		})
		if err != nil {
			return "", nil, err
		}
		data.Write([]byte(chosenPath))
		iss = chosenIssuer
	}
	return hex.EncodeToString(data.Sum(nil)), iss, nil
}

// permute calls f with every permutation of list (Heap's algorithm order
// does not matter: every permutation is tried and the least path wins).
func permute(list []string, f func([]string) error) error {
	a := slices.Clone(list)
	n := len(a)
	cnt := make([]int, n)
	if err := f(a); err != nil {
		return err
	}
	for i := 0; i < n; {
		if cnt[i] < i {
			if i%2 == 0 {
				a[0], a[i] = a[i], a[0]
			} else {
				a[cnt[i]], a[i] = a[i], a[cnt[i]]
			}
			if err := f(a); err != nil {
				return err
			}
			cnt[i]++
			i = 0
		} else {
			cnt[i] = 0
			i++
		}
	}
	return nil
}

func (c *canonicalizer) serialize() []byte {
	var b bytes.Buffer
	b.Grow(len(c.quads) * 128)
	ends := make([]int, len(c.quads))
	for i := range c.quads {
		writeQuad(&b, &c.quads[i], c.canonical, "", "")
		ends[i] = b.Len()
	}
	lines := splitLines(b.Bytes(), ends)
	slices.SortFunc(lines, bytes.Compare)
	out := make([]byte, 0, b.Len())
	for i, l := range lines {
		// Relabeling may make two quads equal only if they were equal.
		if i > 0 && bytes.Equal(l, lines[i-1]) {
			continue
		}
		out = append(out, l...)
	}
	return out
}

// issuer implements the "Identifier Issuer" state.
type issuer struct {
	prefix string
	ids    map[string]string
	order  []string
}

func newIssuer(prefix string) *issuer {
	return &issuer{prefix: prefix, ids: make(map[string]string)}
}

func (s *issuer) issue(old string) string {
	if id, ok := s.ids[old]; ok {
		return id
	}
	id := s.prefix + strconv.Itoa(len(s.order))
	s.ids[old] = id
	s.order = append(s.order, old)
	return id
}

func (s *issuer) get(old string) (string, bool) {
	id, ok := s.ids[old]
	return id, ok
}

func (s *issuer) has(old string) bool {
	_, ok := s.ids[old]
	return ok
}

func (s *issuer) clone() *issuer {
	c := &issuer{prefix: s.prefix, ids: make(map[string]string, len(s.ids)+4), order: slices.Clone(s.order)}
	for k, v := range s.ids {
		c.ids[k] = v
	}
	return c
}

// writeQuad writes q as one canonical N-Quads line. With relabel, blank
// nodes take their canonical labels; otherwise, when reference is set, the
// blank node reference is written as _:a<refLabel> and others as _:z (for
// first-degree hashing).
func writeQuad(b *bytes.Buffer, q *Quad, relabel *issuer, reference, refLabel string) {
	writeTerm(b, &q.S, relabel, reference, refLabel)
	b.WriteByte(' ')
	writeTerm(b, &q.P, relabel, reference, refLabel)
	b.WriteByte(' ')
	writeTerm(b, &q.O, relabel, reference, refLabel)
	if q.G.Kind != KindNone {
		b.WriteByte(' ')
		writeTerm(b, &q.G, relabel, reference, refLabel)
	}
	b.WriteString(" .\n")
}

func writeTerm(b *bytes.Buffer, t *Term, relabel *issuer, reference, refLabel string) {
	switch t.Kind {
	case KindIRI:
		b.WriteByte('<')
		writeEscapedIRI(b, t.Value)
		b.WriteByte('>')
	case KindBlank:
		b.WriteString("_:")
		switch {
		case relabel != nil:
			id, ok := relabel.get(t.Value)
			if !ok {
				panic(fmt.Sprintf("rdfc: blank node %q has no canonical label", t.Value))
			}
			b.WriteString(id)
		case refLabel != "":
			if t.Value == reference {
				b.WriteString(refLabel)
			} else {
				b.WriteByte('z')
			}
		default:
			b.WriteString(t.Value)
		}
	case KindLiteral:
		b.WriteByte('"')
		writeEscapedLiteral(b, t.Value)
		b.WriteByte('"')
		switch {
		case t.Datatype == RDFLangString || (t.Language != "" && t.Datatype == ""):
			if t.Language != "" {
				b.WriteByte('@')
				b.WriteString(t.Language)
			}
		case t.Datatype != "" && t.Datatype != XSDString:
			b.WriteString("^^<")
			writeEscapedIRI(b, t.Datatype)
			b.WriteByte('>')
		}
	}
}

const hexDigits = "0123456789ABCDEF"

// Bytes that need escaping in canonical N-Quads literals and IRIs.
var literalEscape, iriEscape [256]bool

func init() {
	for c := 0; c < 0x20; c++ {
		literalEscape[c] = true
		iriEscape[c] = true
	}
	literalEscape[0x7f] = true
	literalEscape['"'] = true
	literalEscape['\\'] = true
	for _, c := range []byte(" <>\"{}|^`\\") {
		iriEscape[c] = true
	}
}

func writeUCHAR(b *bytes.Buffer, c byte) {
	b.WriteString(`\u00`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&15])
}

// writeEscapedLiteral escapes a literal's lexical form as canonical N-Quads
// requires: ECHAR for \b \t \n \f \r " and \, UCHAR for other control
// characters, everything else as is.
func writeEscapedLiteral(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !literalEscape[c] {
			continue
		}
		b.WriteString(s[start:i])
		start = i + 1
		switch c {
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			writeUCHAR(b, c)
		}
	}
	b.WriteString(s[start:])
}

// writeEscapedIRI escapes characters that may not appear in an N-Quads IRI
// reference as UCHAR.
func writeEscapedIRI(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !iriEscape[c] {
			continue
		}
		b.WriteString(s[start:i])
		start = i + 1
		writeUCHAR(b, c)
	}
	b.WriteString(s[start:])
}
