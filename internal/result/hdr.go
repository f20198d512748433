package result

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// HDR geometry shared by every histogram bploadgen writes. Values are
// nanoseconds; 3 significant digits keep every percentile within 0.1% of the
// recorded value; one hour is the longest latency that can be recorded
// (larger values are clamped to it and counted in Result warnings).
const (
	HDRLowestNS  = 1_000                // 1 µs: smaller values are recorded as 1 µs buckets
	HDRHighestNS = 3600 * 1_000_000_000 // 1 h
	HDRSigFigs   = 3
)

// HDRConfig records the geometry in the result so readers can check it.
type HDRConfig struct {
	Unit    string `json:"unit"` // always "ns"
	Lowest  int64  `json:"lowest"`
	Highest int64  `json:"highest"`
	SigFigs int    `json:"sig_figs"`
}

// DefaultHDRConfig is the geometry of NewHistogram.
func DefaultHDRConfig() HDRConfig {
	return HDRConfig{Unit: "ns", Lowest: HDRLowestNS, Highest: HDRHighestNS, SigFigs: HDRSigFigs}
}

// NewHistogram returns an empty dense histogram with the shared geometry
// (about 200 KB). Use it for the few long-lived histograms of a run.
func NewHistogram() *hdr.Histogram {
	return hdr.New(HDRLowestNS, HDRHighestNS, HDRSigFigs)
}

// NewPacked returns an empty sparse histogram with the shared geometry;
// its memory grows with the number of distinct buckets used (a few KB).
func NewPacked() *hdr.PackedHistogram {
	return hdr.NewPacked(HDRLowestNS, HDRHighestNS, HDRSigFigs)
}

// ClampNS bounds a duration in nanoseconds to the recordable range.
func ClampNS(ns int64) int64 {
	if ns < 0 {
		return 0
	}
	if ns > HDRHighestNS {
		return HDRHighestNS
	}
	return ns
}

// EncodeHist returns the base64 V2-compressed form of h ("" if h is empty,
// so empty histograms cost nothing in the JSON). One histogram's worth:
// an Encoder kept across many is cheaper.
func EncodeHist(h *hdr.Histogram) (string, error) {
	var e Encoder
	return e.Dense(h)
}

// EncodePacked is EncodeHist for a sparse histogram.
func EncodePacked(h *hdr.PackedHistogram) (string, error) {
	var e Encoder
	return e.Packed(h)
}

// DecodeHist decodes s (as written by EncodeHist) into a dense histogram
// with the shared geometry. "" decodes to an empty histogram. Decoding goes
// through the sparse form (DecodePacked), so it allocates one dense
// histogram, not two.
func DecodeHist(s string) (*hdr.Histogram, error) {
	h := NewHistogram()
	if err := MergeEncoded(h, s); err != nil {
		return nil, err
	}
	return h, nil
}

// DecodePacked decodes s (as written by EncodeHist or EncodePacked) into
// the sparse form: its memory is in proportion to the buckets used (a few
// KB), where a dense decode costs some 200 KB. "" is an empty histogram.
func DecodePacked(s string) (*hdr.PackedHistogram, error) {
	var d Decoder
	return d.Packed(s)
}

// MergeEncoded decodes each non-empty s and adds it to dst, exactly; a
// value outside dst's range is an error. A Decoder kept across calls is
// cheaper.
func MergeEncoded(dst *hdr.Histogram, encoded ...string) error {
	var d Decoder
	return d.Merge(dst, encoded...)
}

// Summarize reads the summary of h, converting ns to seconds. Percentiles
// follow QuantileNS (rank ⌈p·n⌉), so a merged result's summary is exactly
// that of one histogram of all its samples, and merging a result with itself
// changes no percentile.
func Summarize(h *hdr.Histogram) Summary {
	if h == nil {
		return Summary{}
	}
	return SummarizeMergeable(h)
}

// Quantile returns the value at percentile p (0..100] of h in seconds
// (QuantileNS's rule), and false when h is empty.
func Quantile(h *hdr.Histogram, p float64) (float64, bool) {
	if h == nil || h.TotalCount() == 0 {
		return 0, false
	}
	return nsToS(QuantileNS(h, p)), true
}

func nsToS(ns int64) float64 { return float64(ns) / 1e9 }
