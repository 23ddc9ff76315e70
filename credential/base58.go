package credential

import "errors"

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

// base58Encode encodes b with the Bitcoin alphabet (base58btc).
func base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// Repeated division of a byte slice, base 256 -> base 58.
	size := len(b)*138/100 + 1
	buf := make([]byte, size)
	high := size - 1
	for _, c := range b[zeros:] {
		carry := int(c)
		j := size - 1
		for ; j > high || carry != 0; j-- {
			carry += 256 * int(buf[j])
			buf[j] = byte(carry % 58)
			carry /= 58
		}
		high = j
	}
	i := 0
	for i < size && buf[i] == 0 {
		i++
	}
	out := make([]byte, zeros+size-i)
	for k := 0; k < zeros; k++ {
		out[k] = '1'
	}
	for k, d := range buf[i:] {
		out[zeros+k] = base58Alphabet[d]
	}
	return string(out)
}

var errBase58 = errors.New("invalid base58btc character")

// base58Decode decodes a base58btc string.
func base58Decode(s string) ([]byte, error) {
	if len(s) > 4096 {
		return nil, errors.New("base58btc value too long")
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// Repeated multiplication of a byte slice, base 58 -> base 256.
	size := (len(s)-zeros)*733/1000 + 1
	buf := make([]byte, size)
	high := size - 1
	for i := zeros; i < len(s); i++ {
		d := base58Index[s[i]]
		if d < 0 {
			return nil, errBase58
		}
		carry := int(d)
		j := size - 1
		for ; j > high || carry != 0; j-- {
			carry += 58 * int(buf[j])
			buf[j] = byte(carry)
			carry >>= 8
		}
		high = j
	}
	i := 0
	for i < size && buf[i] == 0 {
		i++
	}
	out := make([]byte, zeros+size-i)
	copy(out[zeros:], buf[i:])
	return out, nil
}
