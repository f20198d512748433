package openloop

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Classify maps a transport error to its class: timeout (the per-request
// deadline or an I/O timeout), canceled (the generator abandoned it),
// connect (no connection could be made: refused, unreachable, DNS),
// reset (the connection broke: reset, broken pipe, EOF mid-exchange), or other.
func Classify(err error) string {
	var ne net.Error
	var op *net.OpError
	var dns *net.DNSError
	var tlsErr tls.RecordHeaderError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return result.ErrTimeout
	case errors.Is(err, context.Canceled):
		return result.ErrCanceled
	case errors.As(err, &ne) && ne.Timeout():
		return result.ErrTimeout
	case errors.As(err, &dns),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EADDRNOTAVAIL),
		errors.As(err, &op) && op.Op == "dial":
		return result.ErrConnect
	case errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed):
		return result.ErrReset
	case errors.As(err, &tlsErr):
		return result.ErrOther
	}
	return result.ErrOther
}
