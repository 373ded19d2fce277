package credential

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("Secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || !Valid(h) {
		t.Fatalf("hash %q", h)
	}
	if !Verify(h, "Secret-1") {
		t.Error("right password refused")
	}
	if Verify(h, "Secret-2") || Verify(h, "") {
		t.Error("wrong password accepted")
	}
	h2, _ := Hash("Secret-1")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	for _, h := range []string{"", "cisco", "$1$abc$def", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$!!", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5"} {
		if Valid(h) || Verify(h, "") {
			t.Errorf("%q accepted", h)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "pw")
	f.Add("$argon2id$v=19$m=,t=1,p=1$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		Verify(hash, pw) // must never panic
	})
}
