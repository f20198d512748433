package live

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Stream writes a run's timeline as JSON lines: one line per 1-second
// window, the result's timeline row (result.Window, same fields), as the
// recorder seals it, then a last line {"total": ...} with the result's
// total. The first write error stops it; Err reports it.
type Stream struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

// NewStream writes to w; each line is one Write.
func NewStream(w io.Writer) *Stream { return &Stream{w: w} }

// Window writes one timeline row; it has the signature of
// openloop.Config.OnWindow.
func (s *Stream) Window(row result.Window) { s.line(row) }

// Total writes the last line: the result's total.
func (s *Stream) Total(t result.Stage) {
	s.line(struct {
		Total result.Stage `json:"total"`
	}{t})
}

// Err is the first error the stream met, or nil.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Stream) line(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.err = fmt.Errorf("encoding a stream line: %w", err)
		return
	}
	if _, err := s.w.Write(append(b, '\n')); err != nil {
		s.err = fmt.Errorf("writing the stream: %w", err)
	}
}
