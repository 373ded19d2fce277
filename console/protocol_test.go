package console

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	reqs := []request{
		{Op: opHello, Version: protocolVersion, Width: 80, Height: 24},
		{Op: opExec, Line: "show running-config | include rserver"},
		{Op: opExec, Line: `description "a \"quoted\" ? text"` + "\t|\x01"},
		{Op: opHelp, Line: "show "},
		{Op: opComplete, Line: "sh"},
		{Op: opPrompt},
	}
	resps := []response{
		{Version: protocolVersion, Prompt: "switch/Admin#", Banner: "Authorised use only\nline 2"},
		{Output: "line 1\nline 2\n", Prompt: "switch/Admin(config)#", Length: 24},
		{Output: "% Invalid input\n", Failed: true, Exit: true},
		{Output: "  show  Show\n", Items: []HelpItem{{Word: "show", Help: "Show"}, {Word: "<cr>"}}},
		{Line: "show "},
		{Error: "permission denied"},
	}
	var buf bytes.Buffer
	for _, r := range reqs {
		if err := writeFrame(&buf, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range resps {
		if err := writeFrame(&buf, r); err != nil {
			t.Fatal(err)
		}
	}
	br := bufio.NewReaderSize(&buf, 16) // frames longer than the buffer
	for _, want := range reqs {
		b, err := readFrame(br, maxRequestBytes)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRequest(b)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("request: got %+v, want %+v", got, want)
		}
	}
	for _, want := range resps {
		b, err := readFrame(br, maxResponseBytes)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeResponse(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("response: got %+v, want %+v", got, want)
		}
	}
	if _, err := readFrame(br, maxRequestBytes); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame: %v, want EOF", err)
	}
}

func TestReadFrameErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want error
	}{
		{"too long", strings.Repeat("x", 100) + "\n", 50, errFrameTooLong},
		{"too long without end", strings.Repeat("x", 100), 50, errFrameTooLong},
		{"cut", `{"op":"ex`, 50, io.ErrUnexpectedEOF},
		{"empty", "", 50, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readFrame(bufio.NewReaderSize(strings.NewReader(tt.in), 16), tt.max)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeRequestRejects(t *testing.T) {
	for _, in := range []string{
		`{"op":"format-disk"}`,
		`{"op":"exec","sudo":true}`,
		`{"op":"exec","width":-1}`,
		`{"op":"exec","line":3}`,
		`not json`,
		``,
	} {
		if req, err := decodeRequest([]byte(in)); err == nil {
			t.Errorf("%s: accepted as %+v", in, req)
		}
	}
}

func TestParseHelp(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []HelpItem
	}{
		{
			name: "next words",
			in:   "  checkpoint      Show configuration checkpoints\n  running-config  Current operating configuration\n  |               Output modifiers\n  <cr>\n",
			want: []HelpItem{
				{Word: "checkpoint", Help: "Show configuration checkpoints"},
				{Word: "running-config", Help: "Current operating configuration"},
				{Word: "|", Help: "Output modifiers"},
				{Word: "<cr>"},
			},
		},
		{
			name: "partial word",
			in:   "  show  Show running system information\n",
			want: []HelpItem{{Word: "show", Help: "Show running system information"}},
		},
		{
			name: "invalid input with caret",
			in:   "             ^\n% Invalid input detected at '^' marker.\n\n",
		},
		{
			name: "caret right after the prompt",
			in:   "  ^\n% Invalid input detected at '^' marker.\n\n",
		},
		{name: "unrecognized", in: "% Unrecognized command\n"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseHelp(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"op":"hello","version":1,"width":80,"height":24}`,
		`{"op":"exec","line":"show version"}`,
		`{"op":"help","line":"show "}`,
		`{"op":"exec","line":"\u0000\ud800"}`,
		`{"op":"exec"}{"op":"help"}`,
		`[]`, `null`, `{"op":"exec","width":1e309}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeRequest(b)
		if err != nil {
			return
		}
		// Whatever was accepted encodes and decodes to itself.
		var buf bytes.Buffer
		if err := writeFrame(&buf, req); err != nil {
			t.Fatal(err)
		}
		fr, err := readFrame(bufio.NewReader(&buf), maxRequestBytes+len(b)+16)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeRequest(fr)
		if err != nil || again != req {
			t.Fatalf("re-decode: %+v, %v; want %+v", again, err, req)
		}
	})
}

func FuzzParseHelp(f *testing.F) {
	for _, s := range []string{
		"  show  Show running system information\n",
		"  a    b\n  <cr>\n",
		"  ^\n% Invalid input detected at '^' marker.\n",
		"   \n  \n", "  x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, it := range parseHelp(s) {
			if it.Word == "" || strings.ContainsAny(it.Word, " \n") {
				t.Fatalf("bad word %q in %q", it.Word, s)
			}
			if strings.Contains(it.Help, "\n") {
				t.Fatalf("help spans lines: %q", it.Help)
			}
		}
	})
}
