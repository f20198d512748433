// Package resulttest helps tests build result encodings a reader can meet
// besides the ones bploadgen writes: the same histogram compressed
// otherwise, or a well-formed stream around damaged contents.
package resulttest

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"testing"
)

// Rewrap is enc, a histogram in the V2 compressed encoding (base64), with
// its inner bytes (the 40-byte header and the counts) changed by edit (nil:
// unchanged) and compressed again at zlib level, the outer length fixed.
func Rewrap(t testing.TB, enc string, level int, edit func([]byte) []byte) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < 8 {
		t.Fatalf("not an encoded histogram: %v", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		t.Fatal(err)
	}
	var inner bytes.Buffer
	if _, err := inner.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	b := inner.Bytes()
	if edit != nil {
		b = edit(b)
	}
	var zb bytes.Buffer
	zw, err := zlib.NewWriterLevel(&zb, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := binary.BigEndian.AppendUint32(append([]byte(nil), raw[:4]...), uint32(zb.Len()))
	return base64.StdEncoding.EncodeToString(append(out, zb.Bytes()...))
}
