package result

import "time"

// Schema is the value of Result.Schema for this version of the document.
const Schema = "bploadgen.result/v1"

// Error classes, the keys of Stage.Errors. Every class is always present.
const (
	ErrTimeout  = "timeout"  // the per-request timeout expired
	ErrConnect  = "connect"  // the connection could not be made (refused, unreachable, DNS)
	ErrReset    = "reset"    // the peer reset or closed the connection mid-request
	ErrOther    = "other"    // anything else (malformed response, TLS, ...)
	ErrCanceled = "canceled" // abandoned by the generator after an interrupt's grace period
)

// ErrorClasses lists the error classes in display order.
var ErrorClasses = [...]string{ErrTimeout, ErrConnect, ErrReset, ErrOther, ErrCanceled}

// Result is the whole document written by `run -o`.
type Result struct {
	Schema      string    `json:"schema"`
	Tool        Tool      `json:"tool"`
	Target      Target    `json:"target"`
	Arrival     string    `json:"arrival"` // "uniform" or "poisson"
	Seed        int64     `json:"seed"`
	StartedAt   time.Time `json:"started_at"`
	DurationS   float64   `json:"duration_s"` // planned
	ElapsedS    float64   `json:"elapsed_s"`  // actual, from start to the last completion
	Interrupted bool      `json:"interrupted"`

	// Plan is the planned rate shape, enough to re-create the schedule and to
	// refuse merging results of different plans.
	Plan Plan `json:"plan"`
	// Shard is set when this result is one part of a split plan (run --shard).
	Shard *Shard `json:"shard,omitempty"`
	// Merged lists the shards a merged result was built from.
	Merged []Shard `json:"merged,omitempty"`

	// Client is the HTTP client that sent the requests ("h1" or "net/http").
	Client string `json:"client,omitempty"`
	// Protocol is the HTTP version spoken with the target: "HTTP/1.1" (h1
	// and loop; net/http over HTTP/1.x), "HTTP/2.0" (net/http when the
	// target negotiated h2 under --http2); versions seen are joined with
	// ", "; absent when no response came.
	Protocol string `json:"protocol,omitempty"`
	// Connections is the number of connections the client opened, and
	// Retries the requests it resent after a stale keep-alive connection.
	Connections int64 `json:"connections"`
	Retries     int64 `json:"retries"`
	// TCPRetransmits is how many TCP segments the client's kernel resent
	// on those connections (Linux's tcpi_total_retrans, read as each
	// closed): SYNs and requests the target's kernel dropped, as a full
	// listen backlog does, or the network lost; absent when none, and
	// where it is not read (not Linux).
	TCPRetransmits int64 `json:"tcp_retransmits,omitempty"`
	// TimerSlackS is the timer slack the run used, seconds: --timer-slack,
	// or what auto chose (openloop.SlackAuto; the largest of the event
	// loops'); absent when none.
	TimerSlackS float64 `json:"timer_slack_s,omitempty"`
	MaxInFlight int     `json:"max_in_flight"`
	TimeoutS    float64 `json:"timeout_s"`
	// GeneratorLimited is true when the generator, not the target, bounded
	// the load: requests were not sent because of --max-in-flight, or the
	// send lag was large enough to matter.
	GeneratorLimited bool `json:"generator_limited"`
	// RetryPolicy is how the simulated clients retried (docs/retry.md);
	// absent when they did not. Not to be confused with Retries above.
	RetryPolicy *RetryPolicy `json:"retry_policy,omitempty"`
	// Warnings are problems the reader should see; none stops the run.
	Warnings []string `json:"warnings,omitempty"`

	HDR HDRConfig `json:"hdr"`

	Stages     []Stage     `json:"stages"`
	Total      Stage       `json:"total"`
	Timeline   []Window    `json:"timeline"`
	Assertions []Assertion `json:"assertions"`
	Analysis   *Analysis   `json:"analysis,omitempty"`

	// Samples keeps the first response seen for each non-2xx status code and
	// the first message seen for each error class, truncated and redacted,
	// so a reader can see what the target said. Never trusted as markup.
	Samples *Samples `json:"samples,omitempty"`
}

// Tool names the program that wrote the result.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go,omitempty"`
}

// Target describes the request that was sent. Secrets are redacted.
type Target struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers,omitempty"`
	BodyBytes int               `json:"body_bytes,omitempty"`
}

// Plan is the rate shape of a run.
type Plan struct {
	// Profile is "constant", "step", "spike", "ramp" or "stages".
	Profile string      `json:"profile"`
	Stages  []PlanStage `json:"stages"`
}

// PlanStage is one planned stage: the rate goes linearly from Rate to To
// (To == Rate for a constant stage) over DurationS seconds.
type PlanStage struct {
	Name      string  `json:"name"`
	StartS    float64 `json:"start_s"`
	DurationS float64 `json:"duration_s"`
	Rate      float64 `json:"rate"`
	To        float64 `json:"to"`
}

// Shard identifies one part of a split plan: Index (1-based) of Count.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Stage is the record of one stage, or of the whole run (Result.Total).
// A request belongs to the stage in which its intended send time falls.
// Invariants: Scheduled = Sent + NotSent; Sent = Completed unless the run
// was interrupted and requests were abandoned; Completed = Σ Status + Σ Errors.
type Stage struct {
	Index  int     `json:"index"`
	Name   string  `json:"name"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`

	OfferedRPS float64 `json:"offered_rps"` // planned mean rate of the stage
	Scheduled  int64   `json:"scheduled"`
	Sent       int64   `json:"sent"`
	NotSent    int64   `json:"not_sent"`
	Completed  int64   `json:"completed"`

	AchievedRPS   float64 `json:"achieved_rps"`   // Sent / stage length
	ThroughputRPS float64 `json:"throughput_rps"` // 2xx responses / stage length

	Status map[string]int64 `json:"status"`
	Errors map[string]int64 `json:"errors"`
	// InFlightAtSend counts the responses by status and by their level:
	// how many of the generator's other requests were in flight when each
	// was sent (element i: level i; the last of MaxLevel+1 elements:
	// MaxLevel or more). A limit on requests in flight refuses only at the
	// high levels, a rate limit at any (the analysis's evidence). Absent in
	// results from before it was recorded.
	InFlightAtSend map[string][]int64 `json:"in_flight_at_send,omitempty"`

	Latency     Summary `json:"latency_s"`      // from the intended send time, responses only
	Latency2xx  Summary `json:"latency_2xx_s"`  // the same, 2xx responses only
	ServiceTime Summary `json:"service_time_s"` // from the actual send time, responses only
	SendLag     Summary `json:"send_lag_s"`     // actual minus intended send time, every sent request

	// InFlightMean is the exact time average of requests in flight (from
	// actual send to completion) over the stage's wall-clock interval.
	InFlightMean float64 `json:"in_flight_mean"`
	InFlightMax  int64   `json:"in_flight_max"`
	// BusyS is Σ over completed requests of (completion − actual send), the
	// area X·W of Little's law for the requests that belong to the stage.
	BusyS float64 `json:"busy_s"`

	// ArrivalSCV is the squared coefficient of variation of the gaps between
	// consecutive actual send times in the stage (0 uniform, 1 Poisson).
	ArrivalSCV float64 `json:"arrival_scv"`
	// Gaps is the number of gaps ArrivalSCV was computed from; GapSum and
	// GapSumSq are its sums (seconds, seconds²) so that merges stay exact.
	Gaps     int64   `json:"gaps"`
	GapSum   float64 `json:"gap_sum_s"`
	GapSumSq float64 `json:"gap_sum_sq_s2"`

	// ServerTiming summarises the target's own Server-Timing header
	// (queue and svc entries) when it sent one.
	ServerTiming *ServerTiming `json:"server_timing,omitempty"`

	HDR StageHDR `json:"hdr"`

	// ByRequest breaks the stage down by request name (a mix, a targets
	// file or a replay; absent for a one-request run): at most 100 names
	// and "other" (docs/result.md).
	ByRequest map[string]*RequestStats `json:"by_request,omitempty"`

	// Attempts, Amplification and GoodputRPS are set when the clients
	// retry (Result.RetryPolicy; docs/retry.md), absent otherwise:
	// Amplification is Attempts.Count ÷ Scheduled and GoodputRPS the
	// logical requests that ended 2xx per second of the stage
	// (SetRetryRates).
	Attempts      *Attempts `json:"attempts,omitempty"`
	Amplification *float64  `json:"amplification,omitempty"`
	GoodputRPS    *float64  `json:"goodput_rps,omitempty"`
}

// Summary is a latency distribution in seconds. With Count == 0 every other
// field is 0.
type Summary struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	P9999 float64 `json:"p9999"`
	Max   float64 `json:"max"`
}

// ServerTiming summarises what the target reported about itself.
type ServerTiming struct {
	Queue   Summary `json:"queue_s"`
	Service Summary `json:"service_s"`
	// ServiceSCV is Var/mean² of the reported service times, computed from
	// ServiceSum and ServiceSumSq (kept for exact merges).
	ServiceSCV   float64 `json:"service_scv"`
	ServiceSum   float64 `json:"service_sum_s"`
	ServiceSumSq float64 `json:"service_sum_sq_s2"`
}

// StageHDR holds base64 V2-compressed HdrHistograms (nanoseconds, HDRConfig
// geometry) from which the summaries were computed; merge adds them exactly.
type StageHDR struct {
	Latency       string `json:"latency"`
	Latency2xx    string `json:"latency_2xx"`
	ServiceTime   string `json:"service_time"`
	SendLag       string `json:"send_lag"`
	ServerQueue   string `json:"server_queue,omitempty"`
	ServerService string `json:"server_service,omitempty"`
}

// Window is one timeline row: WindowS seconds (1 s) of the run. Counts are
// of requests whose intended send time falls in the window; in-flight is of
// the wall-clock interval.
type Window struct {
	TS         float64 `json:"t_s"`
	DurationS  float64 `json:"duration_s"`
	OfferedRPS float64 `json:"offered_rps"`
	Scheduled  int64   `json:"scheduled"`
	Sent       int64   `json:"sent"`
	NotSent    int64   `json:"not_sent"`
	Completed  int64   `json:"completed"`

	AchievedRPS   float64 `json:"achieved_rps"`
	ThroughputRPS float64 `json:"throughput_rps"`

	Status map[string]int64 `json:"status"`
	Errors map[string]int64 `json:"errors"`

	P50S  float64 `json:"p50_s"`
	P90S  float64 `json:"p90_s"`
	P99S  float64 `json:"p99_s"`
	MaxS  float64 `json:"max_s"`
	MeanS float64 `json:"mean_s"`

	InFlightMean float64 `json:"in_flight_mean"`
	InFlightMax  int64   `json:"in_flight_max"`

	// Attempts are the window's first attempts and attempts by their own
	// intended send times, when the clients retry.
	Attempts *WindowAttempts `json:"attempts,omitempty"`

	// Scrape holds the target's metrics sampled during the window (--scrape).
	Scrape map[string]float64 `json:"scrape,omitempty"`

	HDR WindowHDR `json:"hdr"`
}

// WindowHDR holds the window's histograms (see StageHDR). A run's own
// windows keep them in a Spill (spill.go), the fields empty: read them
// with Load.
type WindowHDR struct {
	Latency     string `json:"latency"`
	Latency2xx  string `json:"latency_2xx"`
	ServiceTime string `json:"service_time"`

	spill *Spill      // where the encodings are, when not in the fields
	at    [3]spillRef // latency, latency_2xx, service_time in it
}

// Assertion is one evaluated gate. An assertion with a scope of several
// parts (`each stage`, `each 10s`) yields one Assertion per part.
type Assertion struct {
	Expr     string  `json:"expr"`
	Scope    string  `json:"scope"`
	Metric   string  `json:"metric"`
	Op       string  `json:"op"`
	Value    float64 `json:"threshold"`
	Observed float64 `json:"observed"`
	Pass     bool    `json:"pass"`
	// Note explains a verdict that is not a plain comparison (no data).
	Note string `json:"note,omitempty"`
	// Request is the request the gate was scoped to (`for NAME`), "" for
	// the whole traffic.
	Request string `json:"request,omitempty"`
}

// Samples keeps examples of what went wrong (see Result.Samples).
type Samples struct {
	// Responses maps a non-2xx status code to the first such response.
	Responses map[string]ResponseSample `json:"responses,omitempty"`
	// Errors maps an error class to the first error message of that class.
	Errors map[string]string `json:"errors,omitempty"`
}

// ResponseSample is a truncated response: a few headers and the body's start.
type ResponseSample struct {
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}
