package result

// Analysis is the capacity analysis of a result (spec/result.md ANALYSIS),
// produced by internal/analysis and printed alone by `analyze --json`.
//
// The spec's fields come first; the rest are additions (spec: "add fields
// freely"). Every number is finite: a quantity that could not be computed
// is 0 and the neighbouring verdict or note says why.
type Analysis struct {
	Model       Model           `json:"model"`
	Stages      []StageAnalysis `json:"stages"`
	Knee        *Knee           `json:"knee,omitempty"`
	CapacityRPS float64         `json:"capacity_rps"`
	Warnings    []string        `json:"warnings,omitempty"`

	// CapacitySource says where CapacityRPS comes from: "model" (c/E[S]),
	// "plateau" (the highest stage throughput once the target stopped
	// keeping up), "saturated stage" (the 2xx throughput of a stage whose
	// workers were saturated, over the model's utilisation there), "rate
	// limit" (a rate limit's rate), or "" when the run says nothing about it
	// (CapacityRPS 0). It is never below a stage's sustained 2xx throughput.
	CapacitySource string `json:"capacity_source,omitempty"`
	// MaxThroughputRPS is the highest 2xx throughput of any stage, a lower
	// bound of the capacity whatever the model: what the target served
	// while the stage ran, not the backlog it answered after (docs/result.md).
	MaxThroughputRPS float64 `json:"max_throughput_rps"`
	// Overhead is what the client measures on top of the server's own
	// response time (loopback, HTTP, scheduling, send lag).
	Overhead *Overhead `json:"overhead,omitempty"`
	// Level is the confidence level of every interval (0.95).
	Level float64 `json:"confidence_level"`
	// Shedding is how the target shed load (shedding.go).
	Shedding *Shedding `json:"shedding,omitempty"`
	// Metastability judges each stage after a drop in offered rate when
	// the clients retried (docs/retry.md); absent otherwise.
	Metastability []Metastability `json:"metastability,omitempty"`
}

// Metastability is the check of one stage whose offered rate dropped
// (internal/analysis.CheckMetastability): once the largest retry delay in
// force has passed (FromS), did the attempt rate come back to the
// first-attempt rate?
type Metastability struct {
	Stage   int    `json:"stage"` // the stage's index (1-based)
	Name    string `json:"name"`
	Verdict string `json:"verdict"` // "recovered", "amplified" or "undecided"
	// FromS is where the judged span starts (s from the run's start);
	// FirstRPS and AttemptRPS are the rates over its whole windows and
	// Factor is AttemptRPS ÷ FirstRPS (0 when no first attempt was sent).
	FromS      float64 `json:"from_s"`
	FirstRPS   float64 `json:"first_rps"`
	AttemptRPS float64 `json:"attempt_rps"`
	Factor     float64 `json:"factor"`
	// RecoveryS is the time from the stage's start until every later
	// window of it was within 10%; -1 when it never settled.
	RecoveryS float64 `json:"recovery_s"`
}

// Model is the queueing model the predictions come from.
type Model struct {
	Name         string  `json:"name"`
	Workers      int     `json:"workers"`
	Queue        int     `json:"queue"`
	ServiceMeanS float64 `json:"service_mean_s"`
	ServiceSCV   float64 `json:"service_scv"`
	// Source is "given", "server-timing" or "estimated": where the service
	// time E[S] (and its SCV) came from.
	Source string `json:"source"`
	Notes  string `json:"notes,omitempty"`

	// Kendall is the model in Kendall notation with the numbers filled in
	// ("M/M/8/24", "G/LN/8/24", "M/M/8").
	Kendall string `json:"kendall,omitempty"`
	// SystemCapacity is K = workers + queue, the requests the server holds
	// at most (0 when unbounded or unknown).
	SystemCapacity int `json:"system_capacity,omitempty"`
	// WorkersSource is "given" or "estimated" (from the throughput
	// plateau); QueueSource is "given", "unbounded" or "unknown".
	WorkersSource string `json:"workers_source,omitempty"`
	QueueSource   string `json:"queue_source,omitempty"`
	// ServiceMeanCIS is δS, the half-width of the uncertainty of E[S] the
	// prediction bands are computed with (seconds).
	ServiceMeanCIS float64 `json:"service_mean_ci_s"`
	// ServiceMeasuredS is the Server-Timing mean service time when E[S]
	// came from elsewhere (0 when there was none).
	ServiceMeasuredS float64 `json:"service_measured_s,omitempty"`
	// Tolerance is the model's own relative error allowed in agreement
	// bands: 0 for an exact model, ~0.1 for approximations.
	Tolerance float64 `json:"tolerance"`
}

// StageAnalysis compares prediction with observation for one stage.
type StageAnalysis struct {
	Index         int     `json:"index"`
	OfferedRPS    float64 `json:"offered_rps"`
	ThroughputRPS float64 `json:"throughput_rps"`
	Little        Little  `json:"little"`
	// Utilization is the offered per-worker load ρ = λ·E[S]/c at the
	// achieved rate (> 1 in overload; 0 when c or E[S] is unknown).
	Utilization float64 `json:"utilization"`
	// Predicted is what the client should observe: the model's server
	// response time plus the measured overhead (Analysis.Overhead).
	Predicted Metrics `json:"predicted"`
	// Observed: BlockRatio is the shed answers (503s and 429s, or
	// Shedding.Statuses) / responses (requests that reached the
	// server); ResponseMeanS and ResponseP99S are the client's latency of
	// 2xx responses from the intended send time (latency_2xx_s).
	Observed Metrics `json:"observed"`

	// AchievedRPS is the rate actually sent (sent / stage length): the λ
	// every prediction is driven with.
	AchievedRPS float64 `json:"achieved_rps"`
	// ArrivalSCV is the arrival SCV given to the model: the measured
	// arrival_scv less the part explained by send-time jitter.
	ArrivalSCV float64 `json:"arrival_scv"`
	// Responses is the number of HTTP responses (the block ratio's
	// denominator); Samples2xx the number of 2xx latencies.
	Responses  int64 `json:"responses"`
	Samples2xx int64 `json:"samples_2xx"`
	// OverheadS is the overhead added to the model's times for this stage.
	OverheadS float64 `json:"overhead_s"`
	// PredictedServer is the model's own (server-side) prediction.
	PredictedServer *Metrics `json:"predicted_server,omitempty"`
	// ObservedServer is what the target reported in Server-Timing.
	ObservedServer *ServerObserved `json:"observed_server,omitempty"`
	// Agreement judges each metric (absent when nothing was predicted).
	Agreement *Agreement `json:"agreement,omitempty"`
	// Growth is set for a stage with no steady state (unbounded queue in
	// overload): how fast latency grows instead of percentiles.
	Growth *Growth `json:"growth,omitempty"`
	// Verdict sums the stage up in a few words.
	Verdict string   `json:"verdict"`
	Notes   []string `json:"notes,omitempty"`
}

// Little is the Little's-law check L = X·W over one stage.
type Little struct {
	InFlightMean      float64 `json:"in_flight_mean"`
	RateXResponseMean float64 `json:"rate_x_response_mean"`
	Ratio             float64 `json:"ratio"`
	// EdgeBound is the largest |L − X·W|/(X·W) that the stage's ends can
	// explain: (in flight at start × longest earlier sojourn + in flight at
	// end × longest sojourn of the stage) / (τ·X·W).
	EdgeBound float64 `json:"edge_bound"`
	// Flagged is true when |ratio − 1| exceeds both 0.02 and EdgeBound: a
	// measurement (bookkeeping) problem, not a queueing effect.
	Flagged bool `json:"flagged"`
}

// Metrics are the quantities predicted and observed per stage.
type Metrics struct {
	BlockRatio    float64 `json:"block_ratio"`
	ResponseMeanS float64 `json:"response_mean_s"`
	ResponseP99S  float64 `json:"response_p99_s"`
}

// ServerObserved is the target's own account (Server-Timing) of one stage,
// over its 2xx responses. The p99 of queue + svc cannot be read from the
// two marginal histograms, so only means add up.
type ServerObserved struct {
	QueueMeanS    float64 `json:"queue_mean_s"`
	ServiceMeanS  float64 `json:"service_mean_s"`
	ResponseMeanS float64 `json:"response_mean_s"` // queue + service
	QueueP99S     float64 `json:"queue_p99_s"`
	ServiceP99S   float64 `json:"service_p99_s"`
	// Busy is the measured per-worker utilisation X·E[S]/c (0 when c is unknown).
	Busy float64 `json:"busy,omitempty"`
}

// Agreement holds one Check per predicted metric.
type Agreement struct {
	BlockRatio    *Check `json:"block_ratio,omitempty"`
	ResponseMeanS *Check `json:"response_mean_s,omitempty"`
	ResponseP99S  *Check `json:"response_p99_s,omitempty"`
}

// Check judges one predicted metric against its measurement (docs/queueing.md
// §8): agree ⇔ |observed − predicted| ≤ Band, where Band = ModelTolerance +
// MeasuredCI + PredictionBand + OverheadAllowance.
type Check struct {
	Predicted float64 `json:"predicted"`
	Observed  float64 `json:"observed"`
	// MeasuredCI is the half-width of the measurement's confidence interval
	// (batch means over the stage's 1-second windows).
	MeasuredCI float64 `json:"measured_ci"`
	// PredictionBand is how far the prediction moves when E[S] moves by
	// δS (plus a simulation's own interval).
	PredictionBand float64 `json:"prediction_band"`
	// ModelTolerance is max(abs floor, tolerance·|predicted|).
	ModelTolerance float64 `json:"model_tolerance"`
	// OverheadAllowance covers the spread of the client overhead around
	// its mean (latency metrics only).
	OverheadAllowance float64 `json:"overhead_allowance,omitempty"`
	Band              float64 `json:"band"`
	// RelError is observed/predicted − 1 (0 when predicted is 0).
	RelError float64 `json:"rel_error"`
	// Bound is "lower" when the prediction is only a lower bound (then
	// agreement means observed ≥ predicted − band).
	Bound string `json:"bound,omitempty"`
	// SamplesNeeded, on a p99 check, is the iid sample size for a p99
	// within ±5% at 95% (7 173) when the stage had fewer 2xx latencies
	// (Samples2xx); autocorrelated latencies need more still.
	SamplesNeeded int `json:"samples_needed,omitempty"`
	// Agree is null when the data cannot support a verdict either way.
	Agree   *bool  `json:"agree"`
	Verdict string `json:"verdict"`
}

// Growth describes a stage without steady state: an unbounded queue fed
// faster than it drains.
type Growth struct {
	// BacklogRPS is the predicted growth of the queue, λ − c/E[S], per second.
	BacklogRPS float64 `json:"backlog_rps"`
	// PredictedLatencySPerS is the predicted growth of the wait, seconds per
	// second of run: λ·E[S]/c − 1.
	PredictedLatencySPerS float64 `json:"predicted_latency_s_per_s"`
	// ObservedLatencySPerS is the least-squares slope of the per-window mean
	// latency over the stage.
	ObservedLatencySPerS float64 `json:"observed_latency_s_per_s"`
}

// Overhead is what the client adds to the server's response time.
type Overhead struct {
	MeanS float64 `json:"mean_s"`
	// Source is "server-timing" (client 2xx latency − server queue − svc,
	// per stage), "503 round trip" (mean latency of the fast 503 answers),
	// or "unknown" (taken as 0).
	Source string `json:"source"`
}

// Knee is the first stage where the target stopped keeping up.
type Knee struct {
	Stage      int     `json:"stage"`
	OfferedRPS float64 `json:"offered_rps"`
	Reason     string  `json:"reason"`

	// Criterion is "throughput" (2xx fell significantly short of what was
	// sent) or "p99" (p99 left its low-load level beyond its interval).
	Criterion string `json:"criterion"`
	// KneedleStage is the stage Kneedle picks on (achieved, throughput),
	// 0 when it could not run (fewer than 3 stages, flat data).
	KneedleStage int `json:"kneedle_stage,omitempty"`
}
