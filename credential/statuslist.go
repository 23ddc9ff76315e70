package credential

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"talentloop/credential/contexts"
)

// StatusPurpose is what a set bit in a status list means.
type StatusPurpose string

// Status purposes.
const (
	Revocation StatusPurpose = "revocation" // final: a revoked credential stays revoked
	Suspension StatusPurpose = "suspension" // temporary: a suspension can be lifted
)

// MinStatusListSize is the smallest list, in entries, that Bitstring Status
// List v1.0 allows (16 KiB of bits), so that one entry tells little about
// its holder.
const MinStatusListSize = 131072

// maxStatusListBytes bounds a decoded list (a gzip bomb gets no further).
const maxStatusListBytes = 16 << 20

// Errors of status lists.
var (
	ErrStatusListFull  = errors.New("credential: status list has no free index")
	ErrRevocationFinal = errors.New("credential: a revocation cannot be undone")
)

// StatusList is a Bitstring Status List with the record of which indexes
// were handed out. It is not safe for concurrent use: the product keeps one
// writer per list (as it keeps one row).
type StatusList struct {
	// ID is the URL of the list's BitstringStatusListCredential.
	ID string
	// Issuer is the DID that issues the list and the credentials in it: a
	// verifier requires both to match. With did:key a key rotation changes
	// the DID, so new credentials go to new lists, while the old lists
	// stay signed by their (retired) key.
	Issuer  string
	Purpose StatusPurpose
	bits    []byte
	used    []byte
	inUse   int
}

// NewStatusList returns an empty list of size entries (0 means
// MinStatusListSize; otherwise a multiple of 8, at least the minimum),
// published at the URL id by the issuer DID.
func NewStatusList(id, issuer string, purpose StatusPurpose, size int) (*StatusList, error) {
	if size == 0 {
		size = MinStatusListSize
	}
	if size < MinStatusListSize || size%8 != 0 || size > maxStatusListBytes*8 {
		return nil, fmt.Errorf("credential: a status list has a multiple of 8 entries, at least %d", MinStatusListSize)
	}
	if !strings.HasPrefix(id, "https://") && !strings.HasPrefix(id, "http://") {
		return nil, fmt.Errorf("credential: status list id %q must be an http(s) URL", id)
	}
	if purpose != Revocation && purpose != Suspension {
		return nil, fmt.Errorf("credential: unknown status purpose %q", purpose)
	}
	if !strings.HasPrefix(issuer, "did:") {
		return nil, fmt.Errorf("credential: status list issuer %q must be a DID", issuer)
	}
	return &StatusList{ID: id, Issuer: issuer, Purpose: purpose, bits: make([]byte, size/8), used: make([]byte, size/8)}, nil
}

// Len returns the number of entries.
func (l *StatusList) Len() int { return len(l.bits) * 8 }

// InUse returns how many indexes were allocated.
func (l *StatusList) InUse() int { return l.inUse }

func getBit(b []byte, i int) bool { return b[i/8]&(0x80>>(i%8)) != 0 }

func setBit(b []byte, i int, on bool) {
	if on {
		b[i/8] |= 0x80 >> (i % 8)
	} else {
		b[i/8] &^= 0x80 >> (i % 8)
	}
}

// Allocate hands out a free index chosen uniformly at random (from r, or
// crypto/rand when r is nil), so that indexes say nothing about issue order.
func (l *StatusList) Allocate(r io.Reader) (int, error) {
	if r == nil {
		r = rand.Reader
	}
	n := l.Len()
	if l.inUse >= n {
		return 0, ErrStatusListFull
	}
	max := big.NewInt(int64(n))
	for tries := 0; tries < 64; tries++ {
		v, err := rand.Int(r, max)
		if err != nil {
			return 0, fmt.Errorf("credential: allocate status index: %w", err)
		}
		i := int(v.Int64())
		if !getBit(l.used, i) {
			setBit(l.used, i, true)
			l.inUse++
			return i, nil
		}
	}
	// A nearly full list: take the free index nearest a random start.
	v, err := rand.Int(r, max)
	if err != nil {
		return 0, fmt.Errorf("credential: allocate status index: %w", err)
	}
	start := int(v.Int64())
	for k := 0; k < n; k++ {
		i := (start + k) % n
		if !getBit(l.used, i) {
			setBit(l.used, i, true)
			l.inUse++
			return i, nil
		}
	}
	return 0, ErrStatusListFull
}

// Allocated reports whether index i was handed out.
func (l *StatusList) Allocated(i int) bool {
	return i >= 0 && i < l.Len() && getBit(l.used, i)
}

// Get returns the status bit of index i.
func (l *StatusList) Get(i int) (bool, error) {
	if i < 0 || i >= l.Len() {
		return false, fmt.Errorf("credential: status index %d out of range", i)
	}
	return getBit(l.bits, i), nil
}

// Set sets (revokes, suspends) or clears (lifts a suspension) the status of
// index i, which must have been allocated. Clearing a revocation fails with
// ErrRevocationFinal.
func (l *StatusList) Set(i int, on bool) error {
	if !l.Allocated(i) {
		return fmt.Errorf("credential: status index %d was not allocated", i)
	}
	if !on && l.Purpose == Revocation && getBit(l.bits, i) {
		return ErrRevocationFinal
	}
	setBit(l.bits, i, on)
	return nil
}

// Encode returns the list's encodedList: multibase base64url (prefix 'u')
// of the GZIP-compressed bitstring.
func (l *StatusList) Encode() string { return EncodeBitstring(l.bits) }

// EncodeBitstring returns the encodedList form of a bitstring.
func EncodeBitstring(bits []byte) string {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(bits)
	zw.Close()
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// DecodeBitstring decodes an encodedList value.
func DecodeBitstring(encoded string) ([]byte, error) {
	s, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, errors.New("encodedList is not multibase base64url (it must start with 'u')")
	}
	if len(s) > 4*maxStatusListBytes/3+4 {
		return nil, errors.New("encodedList is too long")
	}
	z, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not base64url: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not GZIP data: %v", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, maxStatusListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not GZIP data: %v", err)
	}
	if len(bits) > maxStatusListBytes {
		return nil, errors.New("encodedList expands beyond the largest list accepted")
	}
	return bits, nil
}

// StatusEntry is a BitstringStatusListEntry (a credential's credentialStatus).
type StatusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// Entry returns the credentialStatus entry for index i of the list.
func (l *StatusList) Entry(i int) StatusEntry {
	idx := strconv.Itoa(i)
	return StatusEntry{
		ID: l.ID + "#" + idx, Type: "BitstringStatusListEntry", StatusPurpose: string(l.Purpose),
		StatusListIndex: idx, StatusListCredential: l.ID,
	}
}

// StatusListCredential is an unsigned BitstringStatusListCredential.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	ValidUntil        string            `json:"validUntil,omitempty"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
}

// StatusListSubject is the BitstringStatusList a status list credential holds.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// Credential returns the list as an unsigned status list credential.
func (l *StatusList) Credential(validFrom time.Time) *StatusListCredential {
	return &StatusListCredential{
		Context:   []string{contexts.CredentialsV2},
		ID:        l.ID,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    l.Issuer,
		ValidFrom: FormatTime(validFrom),
		CredentialSubject: StatusListSubject{
			ID: l.ID + "#list", Type: "BitstringStatusList", StatusPurpose: string(l.Purpose), EncodedList: l.Encode(),
		},
	}
}

// SignedCredential returns the list as a signed status list credential,
// ready to serve at l.ID. Sign again after every change.
func (l *StatusList) SignedCredential(id *Identity, now time.Time) ([]byte, error) {
	s, err := id.SignerFor(l.Issuer)
	if err != nil {
		return nil, err
	}
	return Sign(l.Credential(now), s, now)
}

const statusListMagic = "TLSL2"

// MarshalBinary encodes the list (id, purpose, bits and allocations) for
// storage.
func (l *StatusList) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(statusListMagic)
	zw := gzip.NewWriter(&buf)
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(l.ID)))
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(l.bits)))
	zw.Write(hdr[:])
	zw.Write([]byte(l.ID))
	zw.Write(binary.BigEndian.AppendUint16(nil, uint16(len(l.Issuer))))
	zw.Write([]byte(l.Issuer))
	zw.Write([]byte{byte(len(l.Purpose))})
	zw.Write([]byte(l.Purpose))
	zw.Write(l.bits)
	zw.Write(l.used)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores a list encoded by MarshalBinary.
func (l *StatusList) UnmarshalBinary(data []byte) error {
	rest, ok := bytes.CutPrefix(data, []byte(statusListMagic))
	if !ok {
		return errors.New("credential: not an encoded status list")
	}
	zr, err := gzip.NewReader(bytes.NewReader(rest))
	if err != nil {
		return fmt.Errorf("credential: encoded status list: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, 2*maxStatusListBytes+4096))
	if err != nil {
		return fmt.Errorf("credential: encoded status list: %w", err)
	}
	bad := errors.New("credential: encoded status list is corrupt")
	if len(b) < 8 {
		return bad
	}
	idLen, n := int(binary.BigEndian.Uint32(b[:4])), int(binary.BigEndian.Uint32(b[4:8]))
	b = b[8:]
	if idLen > len(b) {
		return bad
	}
	id := string(b[:idLen])
	b = b[idLen:]
	if len(b) < 2 || int(binary.BigEndian.Uint16(b)) > len(b)-2 {
		return bad
	}
	issLen := int(binary.BigEndian.Uint16(b))
	issuer := string(b[2 : 2+issLen])
	b = b[2+issLen:]
	if len(b) < 1 || int(b[0]) > len(b)-1 {
		return bad
	}
	purpose := StatusPurpose(b[1 : 1+int(b[0])])
	b = b[1+int(b[0]):]
	if len(b) != 2*n {
		return bad
	}
	nl, err := NewStatusList(id, issuer, purpose, n*8)
	if err != nil {
		return err
	}
	copy(nl.bits, b[:n])
	copy(nl.used, b[n:])
	for _, x := range nl.used {
		for ; x != 0; x &= x - 1 {
			nl.inUse++
		}
	}
	*l = *nl
	return nil
}

// verifiedList is a status list credential that passed verification.
type verifiedList struct {
	issuer     string
	purposes   []string
	bits       []byte
	validFrom  string
	validUntil string
}

func (vl *verifiedList) dates() map[string]any {
	m := make(map[string]any, 2)
	if vl.validFrom != "" {
		m["validFrom"] = vl.validFrom
	}
	if vl.validUntil != "" {
		m["validUntil"] = vl.validUntil
	}
	return m
}

// statusCache keeps verified status list credentials by the hash of their
// bytes: the same bytes verify the same way, so only dates are rechecked.
type statusCache struct {
	mu sync.Mutex
	m  map[[32]byte]*verifiedList
}

const maxCachedLists = 256

func (c *statusCache) get(k [32]byte) *verifiedList {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *statusCache) put(k [32]byte, v *verifiedList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedLists {
		c.m = make(map[[32]byte]*verifiedList)
	}
	c.m[k] = v
}

// checkStatus reads every BitstringStatusListEntry of doc. statuses is nil
// when the credential has none.
func (v *Verifier) checkStatus(ctx context.Context, doc map[string]any, issuer string) ([]StatusResult, *Reason) {
	cs, ok := doc["credentialStatus"]
	if !ok || cs == nil {
		return nil, nil
	}
	list, ok := cs.([]any)
	if !ok {
		list = []any{cs}
	}
	if len(list) == 0 {
		return nil, nil
	}
	out := make([]StatusResult, 0, len(list))
	var failure *Reason
	for _, item := range list {
		entry, ok := item.(map[string]any)
		if !ok {
			return out, reasonf(CodeStatusInvalid, "credentialStatus entries must be objects")
		}
		sr, reason := v.checkEntry(ctx, entry, issuer)
		if reason != nil {
			return out, reason
		}
		out = append(out, sr)
		if sr.Set && failure == nil {
			switch sr.Purpose {
			case string(Revocation):
				failure = reasonf(CodeRevoked, "the credential has been revoked")
			case string(Suspension):
				failure = reasonf(CodeSuspended, "the credential is suspended")
			}
		}
	}
	return out, failure
}

func (v *Verifier) checkEntry(ctx context.Context, e map[string]any, issuer string) (StatusResult, *Reason) {
	var sr StatusResult
	if t, _ := e["type"].(string); t != "BitstringStatusListEntry" {
		return sr, reasonf(CodeStatusInvalid, "status type %v is not supported; only BitstringStatusListEntry is", e["type"])
	}
	purpose, ok := e["statusPurpose"].(string)
	if !ok || purpose == "" {
		return sr, reasonf(CodeStatusInvalid, "the status entry has no statusPurpose")
	}
	url, ok := e["statusListCredential"].(string)
	if !ok || url == "" {
		return sr, reasonf(CodeStatusInvalid, "the status entry has no statusListCredential")
	}
	idxStr, ok := e["statusListIndex"].(string)
	idx, err := strconv.Atoi(idxStr)
	if !ok || err != nil || idx < 0 || strconv.Itoa(idx) != idxStr {
		return sr, reasonf(CodeStatusInvalid, "statusListIndex %v is not a non-negative integer string", e["statusListIndex"])
	}
	if size, ok := e["statusSize"]; ok && size != "1" && size != float64(1) {
		return sr, reasonf(CodeStatusInvalid, "statusSize %v is not supported; only 1 is", size)
	}
	sr = StatusResult{Purpose: purpose, Index: idx, List: url}
	if v.StatusFetcher == nil {
		return sr, reasonf(CodeStatusUnavailable, "no way to fetch the status list %s", url)
	}
	raw, err := v.StatusFetcher.FetchStatusList(ctx, url)
	if err != nil {
		return sr, reasonf(CodeStatusUnavailable, "the status list %s could not be fetched: %v", url, err)
	}
	key := sha256.Sum256(raw)
	vl := v.lists.get(key)
	if vl == nil {
		var reason *Reason
		if vl, reason = v.verifyList(ctx, raw, url); reason != nil {
			return sr, reason
		}
		v.lists.put(key, vl)
	} else if r := v.checkDates(vl.dates()); r != nil {
		return sr, reasonf(CodeStatusUnverified, "the status list %s is not valid now: %s", url, r.Message)
	}
	if vl.issuer != issuer {
		return sr, reasonf(CodeStatusUnverified, "the status list %s was issued by %q, not by the credential's issuer", url, vl.issuer)
	}
	if !contains(vl.purposes, purpose) {
		return sr, reasonf(CodeStatusInvalid, "the status list %s is for %v, not %s", url, vl.purposes, purpose)
	}
	if idx >= len(vl.bits)*8 {
		return sr, reasonf(CodeStatusInvalid, "status index %d is beyond the list's %d entries", idx, len(vl.bits)*8)
	}
	sr.Set = getBit(vl.bits, idx)
	return sr, nil
}

// verifyList verifies a status list credential and decodes its bitstring.
func (v *Verifier) verifyList(ctx context.Context, raw []byte, url string) (*verifiedList, *Reason) {
	res := v.verify(ctx, raw, false)
	if !res.Verified {
		r := res.Failure()
		return nil, reasonf(CodeStatusUnverified, "the status list %s does not verify: %s: %s", url, r.Code, r.Message)
	}
	doc := res.Credential
	if id, _ := doc["id"].(string); id != url {
		return nil, reasonf(CodeStatusInvalid, "the status list at %s has id %q", url, id)
	}
	types, _ := stringOrStrings(doc["type"])
	if !contains(types, "BitstringStatusListCredential") {
		return nil, reasonf(CodeStatusInvalid, "%s is not a BitstringStatusListCredential", url)
	}
	subj, ok := doc["credentialSubject"].(map[string]any)
	if !ok {
		return nil, reasonf(CodeStatusInvalid, "the status list %s has no BitstringStatusList subject", url)
	}
	if t, _ := stringOrStrings(subj["type"]); !contains(t, "BitstringStatusList") {
		return nil, reasonf(CodeStatusInvalid, "the status list %s has no BitstringStatusList subject", url)
	}
	purposes, ok := stringOrStrings(subj["statusPurpose"])
	if !ok || len(purposes) == 0 {
		return nil, reasonf(CodeStatusInvalid, "the status list %s has no statusPurpose", url)
	}
	enc, ok := subj["encodedList"].(string)
	if !ok {
		return nil, reasonf(CodeStatusInvalid, "the status list %s has no encodedList", url)
	}
	bits, err := DecodeBitstring(enc)
	if err != nil {
		return nil, reasonf(CodeStatusInvalid, "the status list %s cannot be decoded: %v", url, err)
	}
	if len(bits)*8 < MinStatusListSize {
		return nil, reasonf(CodeStatusInvalid, "the status list %s has %d entries, fewer than the %d required", url, len(bits)*8, MinStatusListSize)
	}
	vf, _ := doc["validFrom"].(string)
	vu, _ := doc["validUntil"].(string)
	return &verifiedList{issuer: res.Issuer, purposes: purposes, bits: bits, validFrom: vf, validUntil: vu}, nil
}
