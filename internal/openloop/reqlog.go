package openloop

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// RequestLogHeader is the first line of a per-request log; a log of a
// run with a request set (a mix, a targets file, a replay) adds
// ",request".
const RequestLogHeader = "seq,stage,intended_ns,sent_ns,end_ns,latency_ns,service_ns,status,error\n"

// RequestLog writes one CSV line per scheduled request (run
// --log-requests): its plan index, stage (1-based), intended send, actual
// send and completion in ns from the run's start, latency (end − intended,
// exactly the value recorded in the histograms) and service time (end −
// sent) in ns, the status code, and the error class ("not_sent" for a
// request that was not sent; then the times after the first are empty);
// with a request set, the request's name last (quoted as CSV quotes).
type RequestLog struct {
	mu   sync.Mutex
	w    *bufio.Writer
	buf  []byte
	err  error
	name func(seq int64) string
}

// NewRequestLog writes the header to w and returns the log. name, if not
// nil, names each arrival's request (a pure function of its seq, safe to
// call from every loop) in a last column, "request".
func NewRequestLog(w io.Writer, name func(seq int64) string) *RequestLog {
	l := &RequestLog{w: bufio.NewWriterSize(w, 64<<10), name: name}
	h := RequestLogHeader
	if name != nil {
		h = h[:len(h)-1] + ",request\n"
	}
	_, l.err = l.w.WriteString(h)
	return l
}

// appendCSV appends s as one CSV field: quoted, its quotes doubled, when
// it holds a comma, a quote or a line break (RFC 4180).
func appendCSV(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

// Record is an engine Config.OnDone.
func (l *RequestLog) Record(a schedule.Arrival, sent, end time.Duration, r *Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return
	}
	b := l.buf[:0]
	b = strconv.AppendInt(b, a.Seq, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(a.Stage+1), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(a.At), 10)
	if r == nil {
		b = append(b, ",,,,,,not_sent"...)
	} else {
		for _, v := range [...]int64{int64(sent), int64(end), int64(end - a.At), int64(end - sent)} {
			b = append(b, ',')
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, ',')
		if r.ErrClass == "" {
			b = strconv.AppendInt(b, int64(r.Status), 10)
		}
		b = append(b, ',')
		b = append(b, r.ErrClass...)
	}
	if l.name != nil {
		b = appendCSV(append(b, ','), l.name(a.Seq))
	}
	b = append(b, '\n')
	l.buf = b
	_, l.err = l.w.Write(b)
}

// Close flushes the log and returns the first write error.
func (l *RequestLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	return l.w.Flush()
}
