package report

import (
	"encoding/json"
	"io"
	"math"
)

// sizingJSON is `size --json`: the fields named in docs/cli.md first,
// then the details.
type sizingJSON struct {
	Workers     int                 `json:"workers"`
	Queue       int                 `json:"queue"`
	Utilization float64             `json:"utilization"`
	Model       string              `json:"model"`
	Predicted   sizingPredictedJSON `json:"predicted"`
	Capacity    int                 `json:"capacity_k"`
	Feasible    bool                `json:"feasible"`
	Reason      string              `json:"reason,omitempty"`
	Method      string              `json:"method"`
	Bounds      *sizingBoundsJSON   `json:"bounds,omitempty"`
	WhyNotFewer string              `json:"why_not_fewer,omitempty"`
	Simulation  *sizingSimJSON      `json:"simulation,omitempty"`
	Notes       []string            `json:"notes,omitempty"`
	Input       sizingInputJSON     `json:"input"`
}

type sizingPredictedJSON struct {
	ResponseP99      float64  `json:"response_p99_s"`
	BlockRatio       float64  `json:"block_ratio"`
	ResponseP50      float64  `json:"response_p50_s"`
	ResponseMean     float64  `json:"response_mean_s"`
	ResponseSLO      float64  `json:"response_slo_s"` // at input.slo_quantile
	Busy             float64  `json:"utilization_busy"`
	ResponseP99CI    float64  `json:"response_p99_ci_s,omitempty"` // 95% half-widths (simulation)
	ResponseSLOCI    float64  `json:"response_slo_ci_s,omitempty"`
	BlockRatioCI     float64  `json:"block_ratio_ci,omitempty"`
	UnboundedSLOResp *float64 `json:"response_slo_unbounded_s,omitempty"`
}

type sizingBoundsJSON struct {
	KMinBlock int  `json:"k_min_block"`
	KMaxMean  int  `json:"k_max_mean"`
	KMaxPct   *int `json:"k_max_pct"` // null: any K (or not computed, with simulation)
	KMaxWorst *int `json:"k_max_worst,omitempty"`
}

type sizingSimJSON struct {
	Arrivals int    `json:"arrivals"`
	Seed     uint64 `json:"seed"`
	Runs     int    `json:"runs"`
}

type sizingInputJSON struct {
	RateRPS        float64 `json:"rate_rps"`
	Service        string  `json:"service"`
	ServiceMean    float64 `json:"service_mean_s"`
	ServiceSCV     float64 `json:"service_scv"`
	ArrivalSCV     float64 `json:"arrival_scv"`
	SLO            string  `json:"slo"`
	SLOQuantile    float64 `json:"slo_quantile"`
	SLOTarget      float64 `json:"slo_s"`
	MaxReject      float64 `json:"max_reject"`
	MaxUtilization float64 `json:"max_utilization"`
}

// WriteSizingJSON prints the recommendation for scripts.
func WriteSizingJSON(w io.Writer, in Sizing) error {
	s, z := in.Spec, in.Result
	pr := z.Predicted
	out := sizingJSON{
		Workers: z.Workers, Queue: z.Queue, Utilization: z.Utilization, Model: z.Model,
		Predicted: sizingPredictedJSON{
			ResponseP99: pr.ResponseP99.Value, BlockRatio: pr.BlockRatio.Value,
			ResponseP50: pr.ResponseP50.Value, ResponseMean: pr.ResponseMean.Value,
			ResponseSLO: pr.ResponseSLO.Value, Busy: pr.Busy,
			ResponseP99CI: pr.ResponseP99.HalfWidth, ResponseSLOCI: pr.ResponseSLO.HalfWidth, BlockRatioCI: pr.BlockRatio.HalfWidth,
		},
		Capacity: z.Capacity, Feasible: z.Feasible, Reason: z.Reason, Method: z.Method,
		WhyNotFewer: z.Below, Notes: z.Notes,
		Input: sizingInputJSON{
			RateRPS: s.Rate, Service: s.Service.Rounded(), ServiceMean: s.Service.Mean, ServiceSCV: s.Service.SCV(),
			ArrivalSCV: s.ArrivalSCV, SLO: in.SLO, SLOQuantile: s.SLO.Quantile, SLOTarget: s.SLO.Target,
			MaxReject: s.MaxReject, MaxUtilization: s.MaxUtilization,
		},
	}
	if !math.IsNaN(z.UnboundedSLO) && z.Feasible {
		v := z.UnboundedSLO
		out.Predicted.UnboundedSLOResp = &v
	}
	if z.Feasible {
		bd := &sizingBoundsJSON{KMinBlock: z.Bounds.MinBlock, KMaxMean: z.Bounds.MaxMean}
		if k := z.Bounds.MaxPct; k > 0 {
			bd.KMaxPct = &k
		}
		if k := z.Bounds.MaxWorst; k > 0 {
			bd.KMaxWorst = &k
		}
		out.Bounds = bd
	}
	if z.Method == "simulation" {
		out.Simulation = &sizingSimJSON{Arrivals: z.SimArrivals, Seed: in.Seed, Runs: z.Simulations}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
