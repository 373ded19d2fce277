// Package console is aced's local console: "aced cli", a process in the
// operator's own terminal that attaches to the running daemon over a
// root-only unix socket (like FRR's vtysh) and edits lines with go-prompt.
// The daemon side (Listen, Serve) opens one CLI session per connection on
// the same session engine as SSH; the client side (Main) is either an
// interactive go-prompt loop or a script runner ("-c CMD", or commands on a
// non-terminal stdin).
//
// Wire protocol: newline-delimited JSON, strictly one response per request,
// in order, on one connection:
//
//	-> {"op":"hello","version":1,"width":80,"height":24}
//	<- {"version":1,"prompt":"switch/Admin#","banner":"..."}
//	-> {"op":"exec","line":"show version","width":80,"height":24}
//	<- {"output":"...","prompt":"switch/Admin#","length":24,"exit":false,"failed":false}
//	-> {"op":"help","line":"show "}
//	<- {"output":"  clock  Show the system clock\n...","items":[{"word":"clock","help":"..."}]}
//	-> {"op":"complete","line":"sh"}
//	<- {"line":"show "}
//	-> {"op":"prompt"}
//	<- {"prompt":"switch/Admin#"}
//
// A response with "error" set reports a refused request; the daemon sends
// one unsolicited error frame and closes when it refuses the peer (not
// root). The daemon never sends anything else unasked, so the client
// treats end of stream as "the daemon went away".
package console

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// protocolVersion is bumped on any incompatible change of the messages.
const protocolVersion = 1

// Frame size limits. Requests are typed lines; responses carry whole
// command outputs (a large running-config is a few MB).
const (
	maxRequestBytes  = 64 << 10
	maxResponseBytes = 64 << 20
)

// Request operations.
const (
	opHello    = "hello"
	opExec     = "exec"
	opHelp     = "help"
	opComplete = "complete"
	opPrompt   = "prompt"
)

// request is one client message.
type request struct {
	Op      string `json:"op"`
	Version int    `json:"version,omitempty"` // hello
	Line    string `json:"line,omitempty"`    // exec, help, complete
	// Width and Height are the client's window (0: not a terminal); they
	// set the session's defaults, as an SSH window-change does.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// response is the daemon's answer to one request.
type response struct {
	Error   string     `json:"error,omitempty"`
	Version int        `json:"version,omitempty"` // hello
	Banner  string     `json:"banner,omitempty"`  // hello
	Prompt  string     `json:"prompt,omitempty"`  // hello, exec, prompt
	Output  string     `json:"output,omitempty"`  // exec, help ("\n" line ends)
	Exit    bool       `json:"exit,omitempty"`    // exec: the session ended
	Failed  bool       `json:"failed,omitempty"`  // exec: a line was rejected
	Length  int        `json:"length,omitempty"`  // exec: pager length, 0 = no paging
	Line    string     `json:"line,omitempty"`    // complete
	Items   []HelpItem `json:"items,omitempty"`   // help
}

// HelpItem is one possible next word with its help text, as listed by `?`.
type HelpItem struct {
	Word string `json:"word"`
	Help string `json:"help,omitempty"`
}

// errFrameTooLong is a frame above the reader's limit.
var errFrameTooLong = errors.New("console: frame too long")

// writeFrame sends v as one JSON line.
func writeFrame(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("console: encode: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// readFrame reads one JSON line of at most max bytes. io.EOF means the
// peer closed between frames; a stream cut inside a frame is
// io.ErrUnexpectedEOF.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			return nil, errFrameTooLong
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// decodeRequest parses and checks one request frame.
func decodeRequest(b []byte) (request, error) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return request{}, fmt.Errorf("console: bad request: %w", err)
	}
	switch req.Op {
	case opHello, opExec, opHelp, opComplete, opPrompt:
	default:
		return request{}, fmt.Errorf("console: unknown op %q", req.Op)
	}
	if req.Width < 0 || req.Height < 0 {
		return request{}, errors.New("console: negative window size")
	}
	return req, nil
}

// decodeResponse parses one response frame. Unknown fields are ignored so
// that a newer daemon can add some.
func decodeResponse(b []byte) (response, error) {
	var resp response
	if err := json.Unmarshal(b, &resp); err != nil {
		return response{}, fmt.Errorf("console: bad response: %w", err)
	}
	return resp, nil
}

// parseHelp turns the session's `?` text into items. The layout is IOS's:
// two spaces, the word padded to the widest, two spaces, the help; a line
// starting with '%' (or a caret line above one) means the text is an error,
// not a list, and yields no items.
func parseHelp(text string) []HelpItem {
	var items []HelpItem
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "%") {
			return nil
		}
		rest, ok := strings.CutPrefix(l, "  ")
		if !ok || rest == "" || rest[0] == ' ' {
			continue
		}
		word, help, _ := strings.Cut(rest, " ")
		items = append(items, HelpItem{Word: word, Help: strings.TrimSpace(help)})
	}
	return items
}
