package credential

import (
	"errors"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// md5Vectors come from independent implementations on the build machine:
//
//	openssl passwd -1 -salt SALT -- PASSWORD   (OpenSSL 3.0.19)
//
// except the two 511-byte passwords, which OpenSSL truncates to 256 bytes;
// those come from glibc/libxcrypt crypt(3):
//
//	perl -e 'print crypt("a" x 511, q{$1$SALT$})'
var md5Vectors = []struct{ password, hash string }{
	{"cisco", "$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1"},
	{"", "$1$rYB7xqNg$zIJk0085ouRyCCLz3RM/f0"},
	{"a password that is longer than sixteen bytes, well past 32", "$1$ab$Dv8jtZwmkyYisOOyvBYJs0"},
	{"exactly16bytes!!", "$1$12345678$JRNJyR5CKQbky2EDI9yu/1"},
	{"sixteen__bytes_x17", "$1$Zz1$Fdue7yqLr6WRlhzkr2E6U/"},
	{"cisco", "$1$$whei2kIpfGnPgpf2uHH4l1"},
	{"p", "$1$x$hiN0EG1U2OVhvWQBid7j81"},
	{"-p", "$1$x$AKOiq27sUVyaq8fgNgEEd0"},
	{"a\tb\x01\xff", "$1$x$VkMfHRADQ8RW/xN.WivI1/"},
	{"Pässwörd-日本", "$1$./09AZaz$RgratRwy8Q1ZWjEdX/uzS/"},
	{strings.Repeat("x", 100), "$1$LongPw12$4RQYz6RPRWlStOKSt2SEV/"},
	{strings.Repeat("a", 256), "$1$capsalt$WrdCnNNWnLUS.yhW//q/M0"},
	{strings.Repeat("a", 511), "$1$capsalt$2sjxOJqDJnXIGnblWr67I1"},
	{strings.Repeat("a", 511), "$1$LongSalt$EV4r7H1Xi4yU0uzDjif/z."},
}

func TestMD5CryptVectors(t *testing.T) {
	for _, v := range md5Vectors {
		if !Valid(v.hash) {
			t.Errorf("Valid(%q) = false", v.hash)
			continue
		}
		if !Verify(v.hash, v.password) {
			t.Errorf("Verify(%q, %.20q) refused the right password", v.hash, v.password)
		}
		for _, wrong := range []string{v.password + "x", "x" + v.password, strings.ToUpper(v.password) + "!", "\x00"} {
			if Verify(v.hash, wrong) {
				t.Errorf("Verify(%q, %.20q) accepted a wrong password", v.hash, wrong)
			}
		}
		if v.password != "" && Verify(v.hash, "") {
			t.Errorf("Verify(%q, \"\") accepted the empty password", v.hash)
		}
		salt, digest, err := parseMD5Crypt(v.hash)
		if err != nil || encodeMD5Crypt(salt, digest) != v.hash {
			t.Errorf("%q does not round-trip: %v", v.hash, err)
		}
	}
}

// The hash of a real ACE config line (its password is unknown here).
func TestMD5CryptACEConfigHash(t *testing.T) {
	if !Valid("$1$rYB7xqNg$CzPFWMw6F1r5e0hP42WKc/") {
		t.Fatal("ACE type-5 hash rejected")
	}
	if Verify("$1$rYB7xqNg$CzPFWMw6F1r5e0hP42WKc/", "cisco") {
		t.Fatal("wrong password accepted")
	}
}

// Cross-checks against the openssl binary on random inputs, when there is one.
func TestMD5CryptLiveOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not on PATH")
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for range 6 {
		salt := make([]byte, r.IntN(md5MaxSalt+1))
		for i := range salt {
			salt[i] = cryptAlphabet[r.IntN(len(cryptAlphabet))]
		}
		// Any byte but NUL fits in argv; OpenSSL keeps at most 256 bytes.
		pw := make([]byte, r.IntN(70))
		for i := range pw {
			pw[i] = byte(1 + r.IntN(255))
		}
		out, err := exec.Command(openssl, "passwd", "-1", "-salt", string(salt), "--", string(pw)).Output()
		if err != nil {
			t.Fatalf("openssl passwd: %v", err)
		}
		hash := strings.TrimSpace(string(out))
		if !Valid(hash) || !Verify(hash, string(pw)) {
			t.Errorf("openssl's %q for %q (salt %q) not verified", hash, pw, salt)
		}
		if Verify(hash, string(pw)+"x") {
			t.Errorf("openssl's %q accepted a wrong password", hash)
		}
	}
}

func TestMD5CryptMalformed(t *testing.T) {
	const good = "$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1"
	for _, h := range []string{
		"$1$", "$1$$", "$1$abc", "$1$abc$", "$1$abc$def",
		"$1$md5$notargon",                      // modes' engine test expects this refused
		"$1$rYB7xqNg1$8HJGnAjz0RmmE1mwFENwC1",  // 9-char salt
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC",    // 21-char hash
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1.",  // 23-char hash
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENw+1",   // '+' is RFC 4648, not crypt
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENw=1",   // padding
		"$1$rY!7xqNg$8HJGnAjz0RmmE1mwFENwC1",   // bad salt character
		"$1$rYB7$xqNg$8HJGnAjz0RmmE1mwFENwC1",  // '$' inside the salt
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC2",   // non-canonical: 3 bits in the last char
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwCz",   // non-canonical
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1\n", // trailing junk
		"$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1 ",
		" " + good, "$1$$$whei2kIpfGnPgpf2uHH4l1", "$1$$whei2kIpfGnPgpf2uHH4l1$",
		"$5$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1", "$apr1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1",
	} {
		if Valid(h) {
			t.Errorf("Valid(%q) = true", h)
		}
		if Verify(h, "cisco") || Verify(h, "") {
			t.Errorf("Verify(%q) = true", h)
		}
		if isMD5Crypt(h) {
			if _, _, err := parseMD5Crypt(h); !errors.Is(err, ErrFormat) {
				t.Errorf("parseMD5Crypt(%q) error %v, want ErrFormat", h, err)
			}
		}
	}
	if !Valid(good) || !Verify(good, "cisco") {
		t.Fatal("the unmodified hash must pass, or the cases above prove nothing")
	}
}

// Passwords past md5MaxPassword are refused without hashing; up to it they work.
func TestMD5CryptPasswordCap(t *testing.T) {
	for _, n := range []int{md5MaxPassword, md5MaxPassword + 1} {
		pw := strings.Repeat("p", n)
		hash := encodeMD5Crypt("capsalt", md5CryptDigest([]byte(pw), []byte("capsalt")))
		if got, want := Verify(hash, pw), n <= md5MaxPassword; got != want {
			t.Errorf("%d-byte password: Verify = %v, want %v", n, got, want)
		}
	}
}

func BenchmarkVerifyMD5Crypt(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !Verify("$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1", "cisco") {
			b.Fatal("refused")
		}
	}
}

func FuzzMD5CryptFormat(f *testing.F) {
	f.Add("$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC1", "cisco")
	f.Add("$1$$whei2kIpfGnPgpf2uHH4l1", "")
	f.Add("$1$md5$notargon", "x")
	f.Add("$1$", "")
	f.Add("$1$rYB7xqNg$8HJGnAjz0RmmE1mwFENwC2", "cisco")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		valid := Valid(hash)
		ok := Verify(hash, pw) // must never panic
		if ok && !valid {
			t.Fatalf("Verify accepted %q, which is not Valid", hash)
		}
		if !valid || !isMD5Crypt(hash) {
			return
		}
		salt, digest, err := parseMD5Crypt(hash)
		if err != nil {
			t.Fatalf("Valid(%q) but parse: %v", hash, err)
		}
		if back := encodeMD5Crypt(salt, digest); back != hash {
			t.Fatalf("%q re-encodes as %q", hash, back)
		}
	})
}
