package result

// Analysis is the capacity analysis of a result (spec/result.md ANALYSIS),
// produced by internal/analysis and printed alone by `analyze --json`.
type Analysis struct {
	Model       Model           `json:"model"`
	Stages      []StageAnalysis `json:"stages"`
	Knee        *Knee           `json:"knee,omitempty"`
	CapacityRPS float64         `json:"capacity_rps"`
	Warnings    []string        `json:"warnings,omitempty"`
}

// Model is the queueing model the predictions come from.
type Model struct {
	Name         string  `json:"name"`
	Workers      int     `json:"workers"`
	Queue        int     `json:"queue"`
	ServiceMeanS float64 `json:"service_mean_s"`
	ServiceSCV   float64 `json:"service_scv"`
	// Source is "given", "server-timing" or "estimated".
	Source string `json:"source"`
	Notes  string `json:"notes,omitempty"`
}

// StageAnalysis compares prediction with observation for one stage.
type StageAnalysis struct {
	Index         int     `json:"index"`
	OfferedRPS    float64 `json:"offered_rps"`
	ThroughputRPS float64 `json:"throughput_rps"`
	Little        Little  `json:"little"`
	Utilization   float64 `json:"utilization"`
	Predicted     Metrics `json:"predicted"`
	Observed      Metrics `json:"observed"`
}

// Little is the Little's-law check L = X·W over one stage.
type Little struct {
	InFlightMean      float64 `json:"in_flight_mean"`
	RateXResponseMean float64 `json:"rate_x_response_mean"`
	Ratio             float64 `json:"ratio"`
}

// Metrics are the quantities predicted and observed per stage.
type Metrics struct {
	BlockRatio    float64 `json:"block_ratio"`
	ResponseMeanS float64 `json:"response_mean_s"`
	ResponseP99S  float64 `json:"response_p99_s"`
}

// Knee is the first stage where the target stopped keeping up.
type Knee struct {
	Stage      int     `json:"stage"`
	OfferedRPS float64 `json:"offered_rps"`
	Reason     string  `json:"reason"`
}
