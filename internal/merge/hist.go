package merge

import (
	"errors"
	"fmt"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// histSum adds encoded histograms of several inputs into one dense
// histogram with the shared geometry. An input in the shared encoding goes
// into the sum bucket by bucket (result.Decoder.MergeIf); any other through
// the sparse form, in memory in proportion to its used buckets.
type histSum struct {
	h   *hdr.Histogram
	dec result.Decoder
	enc result.Encoder
}

func newHistSum() *histSum { return &histSum{h: result.NewHistogram()} }

// reset empties the sum for reuse.
func (s *histSum) reset() { s.h.Reset() }

// add decodes enc (input i's histogram at field, which the input says holds
// want values, or -1 when the input does not say) and adds it exactly.
func (s *histSum) add(i int, field, enc string, want int64) error {
	if enc == "" {
		if want > 0 {
			return &InputError{Index: i, Other: -1, Field: field, Reason: fmt.Sprintf(
				"missing, yet the input has %d values there: cannot merge exactly without it", want)}
		}
		return nil
	}
	dropped, err := s.dec.MergeIf(s.h, enc, func(total int64) error {
		if want >= 0 && total != want {
			return &InputError{Index: i, Other: -1, Field: field, Reason: fmt.Sprintf(
				"holds %d values but the input's summary counts %d", total, want)}
		}
		return nil
	})
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return err
	case err != nil:
		// The library's words, as before the Decoder: "not a histogram: illegal base64 ..."
		return &InputError{Index: i, Other: -1, Field: field, Reason: fmt.Sprintf("not a histogram: %v", errors.Unwrap(err))}
	case dropped != 0:
		return &InputError{Index: i, Other: -1, Field: field, Reason: fmt.Sprintf(
			"%d values lie outside the shared histogram range", dropped)}
	}
	return nil
}

// summary returns the percentiles of the sum.
func (s *histSum) summary() result.Summary { return result.Summarize(s.h) }

// encode returns the sum in the result's encoding.
func (s *histSum) encode() (string, error) { return s.enc.Dense(s.h) }
