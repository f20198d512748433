package openloop

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// WindowLength is the timeline's resolution.
const WindowLength = time.Second

// recorder receives every request's events. All times are offsets from
// the run's start. Its methods are safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	stages  []acc
	windows []acc
	limit   time.Duration // areas are clipped to [0, limit): the plan's end, or the interrupt

	// passed is how far the dispatcher has got: every arrival with an
	// intended time before it has been scheduled. An interval that ended
	// before passed and whose members all finished is final.
	passed           time.Duration
	scanWin, scanStg int
	// marks is how far each dispatcher has got when several share the
	// run (one per event loop): passed is their minimum.
	marks []time.Duration

	fly sweep // the in-flight count in time order (inflight.go)
	// open counts the requests sent and not yet done, in the order the
	// recorder hears of them: a request's level (levels.go) is its value
	// at the send.
	open int64

	// finals receives intervals that just became final; the finalizer
	// goroutine encodes them off the lock (see finalize.go).
	finals  chan *acc
	opened  []bool // stages given dense histograms (read and set locked)
	reached int    // 1 + the last stage an arrival was scheduled in (locked)
	freeMu  sync.Mutex
	free    []*hdr.Histogram // dense histograms of finished stages, for reuse
	samples result.Samples
	redact  func(string) string

	// The stream of sealed windows (Config.OnWindow): row builds a
	// window's timeline row, onWindow receives it; streamNext is the next
	// window to report, the finalizer's alone (then build's).
	row        func(w *acc, end time.Duration) result.Window
	onWindow   func(result.Window)
	streamNext int

	// enc encodes the histograms, the finalizer's (then build's): one
	// zlib writer for the run, not one per histogram (result.Encoder).
	enc result.Encoder
	// spill holds the sealed windows' encodings off the heap (nil: in
	// memory, when no temporary file could be made), the finalizer's
	// (then build's).
	spill *result.Spill

	// byReq records by request name (mixrec.go); nil: not asked for.
	byReq *reqRec
}

// newRecorder prepares the recording of schedule s, sent by parts
// dispatchers.
func newRecorder(s *schedule.Schedule, parts int, redact func(string) string) *recorder {
	d := s.Duration()
	r := &recorder{limit: d, redact: redact, finals: make(chan *acc, 1024), marks: make([]time.Duration, parts)}
	r.spill, _ = result.NewSpill("") // without one the windows stay in memory
	r.fly.bound, r.fly.forced = maxPending, math.MinInt64
	r.stages = make([]acc, s.Stages())
	r.opened = make([]bool, s.Stages())
	for i := range r.stages {
		r.stages[i].start, r.stages[i].end = s.StageBounds(i)
	}
	n := int((d + WindowLength - 1) / WindowLength)
	r.windows = make([]acc, n)
	for i := range r.windows {
		r.windows[i].start = time.Duration(i) * WindowLength
		r.windows[i].end = min(time.Duration(i+1)*WindowLength, d)
		r.windows[i].window = true
	}
	return r
}

func (r *recorder) windowOf(t time.Duration) int {
	w := int(t / WindowLength)
	return min(max(w, 0), len(r.windows)-1)
}

// stageAt is the stage whose interval contains t (clamped).
func (r *recorder) stageAt(t time.Duration) int {
	i := sort.Search(len(r.stages), func(i int) bool { return r.stages[i].end > t })
	return min(i, len(r.stages)-1)
}

// scheduled counts an arrival that dispatcher part (0 when there is one)
// reached.
func (r *recorder) scheduled(part int, a schedule.Arrival) {
	r.mu.Lock()
	st := &r.stages[a.Stage]
	if !r.opened[a.Stage] { // once per stage, unless preopened
		r.opened[a.Stage] = true
		st.dense = r.denseSet()
	}
	if a.Stage >= r.reached {
		r.reached = a.Stage + 1
		go func(next int) {
			background()    // background_linux.go
			r.preopen(next) // finalize.go
		}(a.Stage + 1)
	}
	r.fly.live(a.At) // it will be sent at or after a.At
	r.reach(part, a.At)
	st.scheduled++
	r.windows[r.windowOf(a.At)].scheduled++
	if r.byReq != nil {
		r.byReq.of(a).scheduled++
	}
	r.mu.Unlock()
}

// reach records that dispatcher part has scheduled everything before t;
// with several dispatchers the run has passed the least of their marks.
// Called locked.
func (r *recorder) reach(part int, t time.Duration) {
	if len(r.marks) <= 1 {
		r.advance(t)
		return
	}
	r.marks[part] = max(r.marks[part], t)
	r.advance(slices.Min(r.marks))
}

// notSent counts an arrival that could not be sent (--max-in-flight).
func (r *recorder) notSent(a schedule.Arrival) {
	r.mu.Lock()
	r.stages[a.Stage].notSent++
	r.windows[r.windowOf(a.At)].notSent++
	if r.byReq != nil {
		r.byReq.of(a).notSent++
	}
	r.fly.unlive(a.At)
	r.settle()
	r.mu.Unlock()
}

// sent records the actual send of an arrival at offset t.
func (r *recorder) sent(a schedule.Arrival, t time.Duration) (level int32) {
	r.mu.Lock()
	level = int32(min(max(r.open, 0), maxLevel))
	r.open++
	st, w := &r.stages[a.Stage], &r.windows[r.windowOf(a.At)]
	st.sent++
	w.sent++
	st.record(hSendLag, int64(t-a.At))
	if r.byReq != nil {
		r.byReq.of(a).sent++
	}
	r.fly.unlive(a.At)
	r.fly.live(t) // it ends at or after t
	r.changeAt(t, +1)
	r.mu.Unlock()
	return level
}

// done records the outcome of a request sent at offset s that ended at e,
// level the requests in flight at its send (sent's).
func (r *recorder) done(a schedule.Arrival, s, e time.Duration, resp *Response, level int32) {
	lat, svc := int64(e-a.At), int64(e-s)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open--
	r.fly.unlive(s)
	r.changeAt(e, -1)
	r.settle()
	wi := r.windowOf(a.At)
	st, w := &r.stages[a.Stage], &r.windows[wi]
	for _, x := range [2]*acc{st, w} {
		x.completed++
		x.busyNS += float64(svc)
		if resp.ErrClass != "" {
			x.errors[errIndex(resp.ErrClass)]++
			continue
		}
		x.addStatus(resp.Status)
		x.record(hLatency, lat)
		x.record(hService, svc)
		if resp.Status >= 200 && resp.Status <= 299 {
			x.record(hLatency2xx, lat)
		}
	}
	if resp.ErrClass == "" {
		st.addLevel(resp.Status, level, 1) // levels.go
		if resp.ServerQueue >= 0 {
			st.record(hSrvQueue, int64(resp.ServerQueue))
		}
		if resp.ServerService >= 0 {
			st.record(hSrvService, int64(resp.ServerService))
			v := resp.ServerService.Seconds()
			st.srvSum += v
			st.srvSumSq += v * v
		}
	}
	if r.byReq != nil {
		r.byReq.done(a, lat, svc, resp)
	}
	r.addArea(s, e)
	r.sample(resp)
	if !w.final && w.end <= r.passed && w.complete() {
		r.markFinal(w)
	}
	if !st.final && st.end <= r.passed && st.complete() {
		r.markFinal(st)
	}
}

// addArea adds the request's in-flight interval [s, e) to every stage and
// window it overlaps (exact area integration).
func (r *recorder) addArea(s, e time.Duration) {
	for i := r.stageAt(s); i < len(r.stages) && r.stages[i].start < e; i++ {
		r.stages[i].areaNS += r.stages[i].overlap(s, e, r.limit)
	}
	for i := int(s / WindowLength); i < len(r.windows) && r.windows[i].start < e; i++ {
		r.windows[i].areaNS += r.windows[i].overlap(s, e, r.limit)
	}
}

// sample keeps the first response of each non-2xx status and the first
// error of each class, truncated and redacted.
func (r *recorder) sample(resp *Response) {
	if resp.ErrClass != "" {
		if _, ok := r.samples.Errors[resp.ErrClass]; ok || resp.Err == nil {
			return
		}
		if r.samples.Errors == nil {
			r.samples.Errors = map[string]string{}
		}
		r.samples.Errors[resp.ErrClass] = truncate(r.redact(resp.Err.Error()), 300)
		return
	}
	if resp.Status >= 200 && resp.Status <= 299 || resp.Header == nil {
		return
	}
	code := strconv.Itoa(resp.Status)
	if _, ok := r.samples.Responses[code]; ok {
		return
	}
	if r.samples.Responses == nil {
		r.samples.Responses = map[string]result.ResponseSample{}
	}
	r.samples.Responses[code] = result.ResponseSample{
		Headers: sampleHeaders(resp.Header),
		Body:    truncate(string(resp.Body), SampleBodyBytes),
	}
}

func sampleHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		if i == 20 {
			break
		}
		v := redact.Header(k, strings.Join(h[k], ", "))
		out[truncate(k, 100)] = truncate(v, 200)
	}
	return out
}

// truncate cuts s to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
