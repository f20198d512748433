package scrape

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestWarningHidesURLSecrets (issue 14, item 1): the scrape URL's user
// info and token never appear in a warning, whether the endpoint is
// unreachable (Go's url.Error quotes the URL) or answers an error.
func TestWarningHidesURLSecrets(t *testing.T) {
	const user, pw, tok = "scrapeuser", "Pa55wordXYZ", "T0kenQRS"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens here now: connection refused
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	for _, host := range []string{closed, strings.TrimPrefix(srv.URL, "http://")} {
		s := New("http://"+user+":"+pw+"@"+host+"/metrics?token="+tok+"&x=1", nil)
		s.client.Timeout = time.Minute // the test is about text, not time
		s.once(context.Background(), time.Now())
		w := strings.Join(s.Apply(nil), "\n")
		if !strings.Contains(w, "failed") || !strings.Contains(w, host) {
			t.Errorf("no failure warning naming %s: %q", host, w)
		}
		for _, secret := range []string{user, pw, tok} {
			if strings.Contains(w, secret) {
				t.Errorf("warning %q shows %q", w, secret)
			}
		}
	}
}

// hostile is a misbehaving /metrics (issue 14, item 14): a body sent
// once (built before the memory baseline), or a chunk sent until the
// client goes away.
type hostile struct {
	name    string
	body    func() []byte
	endless []byte
}

func hostileEndpoints() []hostile {
	lines := func(format string) func() []byte {
		return func() []byte {
			var b bytes.Buffer
			for i := range 100_000 {
				fmt.Fprintf(&b, format, i, i)
			}
			return b.Bytes()
		}
	}
	return []hostile{
		{name: "100k builtin series", body: lines("# TYPE bploadgen_target_m%d gauge\nbploadgen_target_m%[1]d %d\n")},
		{name: "100k labelled series", body: lines("bploadgen_target_req_total{path=\"/p%d\"} %d\n")},
		{name: "100k other series", body: lines("other_metric_%06d %d\n")},
		{name: "huge labels", body: func() []byte {
			var b bytes.Buffer
			fmt.Fprintf(&b, "# TYPE bploadgen_target_a gauge\nbploadgen_target_a{l=%q} 1\n", strings.Repeat("x", 200_000))
			for i := range 200 {
				fmt.Fprintf(&b, "bploadgen_target_b{l=%q} 1\n", strings.Repeat("y", 10_000+i))
			}
			b.WriteString("bploadgen_target_ok 1\n")
			return b.Bytes()
		}},
		{name: "endless body", body: func() []byte { return []byte("# TYPE bploadgen_target_g gauge\nbploadgen_target_g 1\n") },
			endless: bytes.Repeat([]byte("other 1\n"), 1000)},
		{name: "endless line", endless: bytes.Repeat([]byte("x"), 64<<10)},
		{name: "endless builtin lines", endless: bytes.Repeat([]byte("bploadgen_target_x{i=\"0123456789\"} 1\n"), 1000)},
	}
}

// TestHostileEndpointBounded: whatever the endpoint sends, the scraper
// keeps at most MaxSeries series of bounded names, says what it left
// out, holds little memory after and while scraping, and the timeline it
// fills stays small.
func TestHostileEndpointBounded(t *testing.T) {
	// Collect often, so that HeapAlloc follows what is live rather than
	// the garbage GOGC=100 lets pile up (up to the live heap again).
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	for _, h := range hostileEndpoints() {
		t.Run(h.name, func(t *testing.T) {
			var body []byte
			if h.body != nil {
				body = h.body()
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write(body)
				for h.endless != nil && r.Context().Err() == nil {
					if _, err := w.Write(h.endless); err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			s := New(srv.URL+"/metrics", nil)
			// The bounds are the subject, not the timing: scrapes run one
			// after another, each allowed all the time it needs (the race
			// detector on a busy 2-core machine is slow).
			s.client.Timeout = time.Minute
			base := heapAfterGC()
			peak := watchHeap()
			start := time.Now()
			for range 3 {
				s.once(context.Background(), start)
			}
			high := peak()
			// One window per sample, ending at it.
			tl := make([]result.Window, len(s.samples))
			for i, smp := range s.samples {
				tl[i] = result.Window{TS: smp.at.Seconds() - 1e-3, DurationS: 1e-3}
			}
			warns := s.Apply(tl)
			retained := heapAfterGC() - base
			runtime.KeepAlive(s)
			runtime.KeepAlive(body)

			// Retained: MaxSeries names of at most maxKeyBytes, and a few
			// samples of MaxSeries float64s — tens of KB. 1 MiB leaves
			// room for what the HTTP client and server keep between
			// requests (buffers of a few KB per connection) and for
			// runtime noise; unbounded, this kept ~27 MB per scrape.
			if retained > 1<<20 {
				t.Errorf("%d bytes retained after scraping", retained)
			}
			// Peak: one scrape holds a 64 KiB line buffer, at most 1 MiB
			// of chosen text and the parser's families for it (≤ 5,000
			// series of ~1 KB, or a hundred 10 KB labels copied a few
			// times): under 8 MB. GOGC=10 adds a tenth of the live heap
			// as garbage; sampling every 5 ms can only miss a peak, not
			// invent one. 16 MiB is that with room to spare; unbounded,
			// one scrape of 100k series alone took ~100 MB.
			if high-base > 16<<20 {
				t.Errorf("heap grew by %d MB while scraping", (high-base)>>20)
			}
			if len(s.names) > MaxSeries {
				t.Errorf("%d series kept", len(s.names))
			}
			js, err := json.Marshal(tl)
			if err != nil {
				t.Fatal(err)
			}
			// Each window: at most MaxSeries values and their rates, each
			// a name of at most maxKeyBytes (+ "rate()") and a number.
			if limit := len(tl) * 2 * MaxSeries * (maxKeyBytes + 40); len(js) > limit {
				t.Errorf("timeline JSON %d bytes > %d", len(js), limit)
			}
			if len(tl) != 3 && h.name != "endless line" {
				t.Errorf("%d of 3 scrapes gave a sample; warnings %q", len(tl), warns)
			}
			if filled := windowsWithScrape(tl); filled == 0 && h.name != "endless line" {
				t.Errorf("no window got a sample; warnings %q", warns)
			}
			if !strings.Contains(strings.Join(warns, "\n"), "scrape: ") {
				t.Errorf("nothing said about what was left out: %q", warns)
			}
			t.Logf("kept %d series, retained %d KB, peak +%d KB; %q", len(s.names), retained>>10, (high-base)>>10, warns)
		})
	}
}

func windowsWithScrape(tl []result.Window) int {
	n := 0
	for _, w := range tl {
		if len(w.Scrape) > 0 {
			n++
		}
	}
	return n
}

func heapAfterGC() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// watchHeap samples HeapAlloc every 5 ms until the returned function is
// called, which returns the highest value seen.
func watchHeap() func() int64 {
	var mu sync.Mutex
	var high int64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				mu.Lock()
				high = max(high, int64(m.HeapAlloc))
				mu.Unlock()
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return high
	}
}
