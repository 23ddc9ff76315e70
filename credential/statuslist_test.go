package credential

import (
	"bytes"
	"errors"
	"testing"
)

func newList(t *testing.T, purpose StatusPurpose, size int) *StatusList {
	t.Helper()
	l, err := NewStatusList("https://tl.example/status/1", "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", purpose, size)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestStatusListEncoding(t *testing.T) {
	l := newList(t, Revocation, 0)
	if got, want := l.Len(), MinStatusListSize; got != want {
		t.Fatalf("size: got %d, want %d", got, want)
	}
	for _, i := range []int{0, 7, 8, 131071} {
		l.used[i/8] |= 0x80 >> (i % 8)
		if err := l.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	enc := l.Encode()
	if enc[0] != 'u' {
		t.Fatalf("encodedList %q does not start with the multibase base64url prefix", enc[:8])
	}
	bits, err := DecodeBitstring(enc)
	if err != nil {
		t.Fatal(err)
	}
	// Index 0 is the left-most (most significant) bit of the first byte.
	if bits[0] != 0x81 || bits[1] != 0x80 || bits[len(bits)-1] != 0x01 {
		t.Errorf("bit order: got %08b %08b ... %08b", bits[0], bits[1], bits[len(bits)-1])
	}
	if !bytes.Equal(bits, l.bits) {
		t.Error("decoded bits differ")
	}
}

func TestStatusListAllocateIsRandomAndComplete(t *testing.T) {
	l := newList(t, Suspension, 0)
	seen := map[int]bool{}
	sequential := 0
	prev := -1
	for range 1000 {
		i, err := l.Allocate(nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[i] {
			t.Fatalf("index %d allocated twice", i)
		}
		seen[i] = true
		if i == prev+1 {
			sequential++
		}
		prev = i
	}
	if sequential > 5 {
		t.Errorf("%d of 1000 indexes followed their predecessor: allocation is not random", sequential)
	}
	if l.InUse() != 1000 {
		t.Errorf("in use: got %d, want 1000", l.InUse())
	}
	// Fill the list completely: the last indexes come from the scan.
	for l.InUse() < l.Len() {
		if _, err := l.Allocate(nil); err != nil {
			t.Fatalf("after %d: %v", l.InUse(), err)
		}
	}
	if _, err := l.Allocate(nil); !errors.Is(err, ErrStatusListFull) {
		t.Errorf("full list: got %v, want ErrStatusListFull", err)
	}
}

func TestStatusListRules(t *testing.T) {
	l := newList(t, Revocation, 0)
	if err := l.Set(5, true); err == nil {
		t.Error("setting an unallocated index: got no error")
	}
	i, _ := l.Allocate(nil)
	if err := l.Set(i, true); err != nil {
		t.Fatal(err)
	}
	if err := l.Set(i, false); !errors.Is(err, ErrRevocationFinal) {
		t.Errorf("clearing a revocation: got %v, want ErrRevocationFinal", err)
	}
	s := newList(t, Suspension, 0)
	j, _ := s.Allocate(nil)
	if err := s.Set(j, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(j, false); err != nil {
		t.Errorf("lifting a suspension: %v", err)
	}
	for _, size := range []int{8, MinStatusListSize + 3} {
		if _, err := NewStatusList("https://tl.example/s", "did:key:z6Mk", Revocation, size); err == nil {
			t.Errorf("size %d: got no error", size)
		}
	}
	if _, err := NewStatusList("https://tl.example/s", "did:key:z6Mk", "message", 0); err == nil {
		t.Error("unknown purpose: got no error")
	}
}

func TestStatusListMarshalRoundTrip(t *testing.T) {
	l := newList(t, Suspension, 2*MinStatusListSize)
	var idx []int
	for range 50 {
		i, _ := l.Allocate(nil)
		idx = append(idx, i)
	}
	l.Set(idx[3], true)
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got StatusList
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if got.ID != l.ID || got.Issuer != l.Issuer || got.Purpose != l.Purpose || got.Len() != l.Len() || got.InUse() != 50 {
		t.Fatalf("got %s %s %s %d %d", got.ID, got.Issuer, got.Purpose, got.Len(), got.InUse())
	}
	if !bytes.Equal(got.bits, l.bits) || !bytes.Equal(got.used, l.used) {
		t.Error("bits or allocations differ")
	}
	if err := got.UnmarshalBinary(b[:len(b)-9]); err == nil {
		t.Error("truncated data: got no error")
	}
}

func TestDecodeBitstringRejects(t *testing.T) {
	bomb := EncodeBitstring(make([]byte, maxStatusListBytes+1))
	for _, in := range []string{"", "zABC", "u***", "uAAAA", bomb} {
		if _, err := DecodeBitstring(in); err == nil {
			t.Errorf("%.20q: got no error", in)
		}
	}
}
