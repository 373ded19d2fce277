package shell

import (
	"bufio"
	"io"
	"unicode"
	"unicode/utf8"
)

// keyKind classifies one decoded keystroke.
type keyKind int

const (
	keyRune    keyKind = iota // printable character in r
	keyControl                // C0 control byte or DEL in r
	keyEnter                  // \r, \n or \r\n
	keyUp
	keyDown
	keyLeft
	keyRight
	keyHome
	keyEnd
	keyDelete
	keyMeta    // ESC followed by r (Esc-B, Esc-F, Esc-D)
	keyIgnored // an escape sequence we do not act on
)

// Control bytes the editor acts on.
const (
	ctrlA     = 0x01
	ctrlB     = 0x02
	ctrlC     = 0x03
	ctrlD     = 0x04
	ctrlE     = 0x05
	ctrlF     = 0x06
	backspace = 0x08
	tab       = 0x09
	ctrlK     = 0x0b
	ctrlL     = 0x0c
	ctrlN     = 0x0e
	ctrlP     = 0x10
	ctrlR     = 0x12
	ctrlT     = 0x14
	ctrlU     = 0x15
	ctrlV     = 0x16
	ctrlW     = 0x17
	ctrlX     = 0x18
	ctrlZ     = 0x1a
	esc       = 0x1b
	del       = 0x7f
)

// maxEscapeLen bounds a CSI sequence so a hostile client cannot make the
// decoder swallow input forever.
const maxEscapeLen = 16

type key struct {
	kind keyKind
	r    rune
}

// keyReader turns the client's byte stream into keys. It flushes pending
// output before every blocking read: echo for a pipelined burst goes out in
// one write, and nothing is ever left unsent while the session waits.
type keyReader struct {
	br      *bufio.Reader
	flush   func() error
	afterCR bool // the previous byte was \r: a following \n or NUL is part of that Enter
}

func newKeyReader(r io.Reader, flush func() error) *keyReader {
	return &keyReader{br: bufio.NewReaderSize(r, 4096), flush: flush}
}

func (k *keyReader) readByte() (byte, error) {
	if k.br.Buffered() == 0 && k.flush != nil {
		if err := k.flush(); err != nil {
			return 0, err
		}
	}
	return k.br.ReadByte()
}

// next returns the next key. Invalid UTF-8 is dropped so that the echo
// never contains bytes the client did not send.
func (k *keyReader) next() (key, error) {
	for {
		b, err := k.readByte()
		if err != nil {
			return key{}, err
		}
		if k.afterCR {
			k.afterCR = false
			if b == '\n' || b == 0 {
				continue
			}
		}
		switch {
		case b == '\r':
			k.afterCR = true
			return key{kind: keyEnter}, nil
		case b == '\n':
			return key{kind: keyEnter}, nil
		case b == esc:
			return k.escape()
		case b < 0x20 || b == del:
			return key{kind: keyControl, r: rune(b)}, nil
		case b < utf8.RuneSelf:
			return key{kind: keyRune, r: rune(b)}, nil
		}
		if err := k.br.UnreadByte(); err != nil {
			return key{}, err
		}
		r, _, err := k.br.ReadRune()
		if err != nil {
			return key{}, err
		}
		// C1 controls (U+0080-U+009F) and other non-printing runes are
		// dropped: some terminals act on them like escape sequences.
		if r != utf8.RuneError && unicode.IsPrint(r) {
			return key{kind: keyRune, r: r}, nil
		}
	}
}

// escape decodes what follows ESC: CSI (ESC [) and SS3 (ESC O) cursor keys,
// or a meta key. A lone ESC waits for the next byte, as IOS treats ESC as a
// prefix (Esc-B, Esc-F).
func (k *keyReader) escape() (key, error) {
	b, err := k.readByte()
	if err != nil {
		return key{}, err
	}
	switch b {
	case '[':
		return k.csi()
	case 'O':
		f, err := k.readByte()
		if err != nil {
			return key{}, err
		}
		return finalKey(f, ""), nil
	}
	if b < 0x20 || b >= utf8.RuneSelf {
		return key{kind: keyIgnored}, nil
	}
	return key{kind: keyMeta, r: rune(b)}, nil
}

func (k *keyReader) csi() (key, error) {
	var params []byte
	for range maxEscapeLen {
		b, err := k.readByte()
		if err != nil {
			return key{}, err
		}
		if b >= 0x40 && b <= 0x7e {
			return finalKey(b, string(params)), nil
		}
		if b < 0x20 || b > 0x3f {
			return key{kind: keyIgnored}, nil
		}
		params = append(params, b)
	}
	return key{kind: keyIgnored}, nil
}

// finalKey maps the final byte (and "~" parameters) of a cursor-key
// sequence to a key; bracketed-paste markers and anything unknown are
// ignored.
func finalKey(f byte, params string) key {
	switch f {
	case 'A':
		return key{kind: keyUp}
	case 'B':
		return key{kind: keyDown}
	case 'C':
		return key{kind: keyRight}
	case 'D':
		return key{kind: keyLeft}
	case 'H':
		return key{kind: keyHome}
	case 'F':
		return key{kind: keyEnd}
	case '~':
		switch params {
		case "1", "7":
			return key{kind: keyHome}
		case "4", "8":
			return key{kind: keyEnd}
		case "3":
			return key{kind: keyDelete}
		}
	}
	return key{kind: keyIgnored}
}
