package scrypt

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"

	xscrypt "golang.org/x/crypto/scrypt"
)

// The test vectors of RFC 7914, section 12 (the last, N=2^20, takes a
// gigabyte and is left to the upstream package).
func TestKeyRFC7914(t *testing.T) {
	tests := []struct {
		password, salt string
		N, r, p        int
		want           string
	}{
		{"", "", 16, 1, 1, "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"},
		{"password", "NaCl", 1024, 8, 16, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"},
		{"pleaseletmein", "SodiumChloride", 16384, 8, 1, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"},
	}
	for _, tt := range tests {
		got, err := Key([]byte(tt.password), []byte(tt.salt), tt.N, tt.r, tt.p, 64)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("Key(%q, %q, N=%d, r=%d, p=%d) = %x, want %s", tt.password, tt.salt, tt.N, tt.r, tt.p, got, tt.want)
		}
	}
}

// The same key as golang.org/x/crypto/scrypt, at Cadang's parameters and
// around them, including blocks smaller than a huge page (Go heap) and
// parameters it refuses.
func TestKeyMatchesXCrypto(t *testing.T) {
	tests := []struct{ N, r, p, keyLen int }{
		{1 << 15, 8, 1, 32}, // Cadang's key files
		{1 << 14, 8, 2, 32},
		{1 << 10, 8, 1, 64}, // 1 MiB: below a huge page
		{1 << 16, 1, 1, 16},
		{3, 8, 1, 32}, // not a power of two: refused by both
		{1 << 10, 0, 1, 32},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("N=%d,r=%d,p=%d", tt.N, tt.r, tt.p), func(t *testing.T) {
			pw, salt := []byte("correct horse battery"), []byte("0123456789abcdef")
			got, err := Key(pw, salt, tt.N, tt.r, tt.p, tt.keyLen)
			want, wantErr := xscrypt.Key(pw, salt, tt.N, tt.r, tt.p, tt.keyLen)
			if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
				t.Errorf("Key = %x, %v; x/crypto: %x, %v", got, err, want, wantErr)
			}
		})
	}
}

func BenchmarkKeyCadangParameters(b *testing.B) {
	for range b.N {
		if _, err := Key([]byte("pw"), []byte("0123456789abcdef"), 1<<15, 8, 1, 32); err != nil {
			b.Fatal(err)
		}
	}
}
