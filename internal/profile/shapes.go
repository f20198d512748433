package profile

import (
	"fmt"
	"time"
)

// Constant is one stage at rate for d.
func Constant(rate float64, d time.Duration) ([]Stage, error) { return constant(rate, d, KeyName) }

// Step is n stages of stepDur each, with rates evenly spaced from from to
// to inclusive (n == 1 runs at from; then to must equal from).
func Step(from, to float64, n int, stepDur time.Duration) ([]Stage, error) {
	return step(from, to, n, stepDur, KeyName)
}

// Spike runs at base, jumps to spike at at for spikeFor, and returns to
// base until d. The base stages before and after are omitted when empty.
func Spike(base, spike float64, at, spikeFor, d time.Duration) ([]Stage, error) {
	return spikeShape(base, spike, at, spikeFor, d, KeyName)
}

// Ramp goes linearly from from to to over d, reported as n stages of equal
// length (each itself a linear ramp); n < 1 means 1.
func Ramp(from, to float64, d time.Duration, n int) ([]Stage, error) {
	return ramp(from, to, d, n, KeyName)
}

// The shapes' builders name their parameters with name in errors.

func constant(rate float64, d time.Duration, name func(string) string) ([]Stage, error) {
	if err := checkRate(name("rate"), rate); err != nil {
		return nil, err
	}
	if err := checkDuration(name("duration"), d); err != nil {
		return nil, err
	}
	return []Stage{{Name: "constant @ " + rateName(rate) + " rps", Rate: rate, To: rate, Duration: d}}, nil
}

func step(from, to float64, n int, stepDur time.Duration, name func(string) string) ([]Stage, error) {
	if err := checkRate(name("from"), from); err != nil {
		return nil, err
	}
	if err := checkRate(name("to"), to); err != nil {
		return nil, err
	}
	if n < 1 || n > 10_000 {
		return nil, fmt.Errorf("%s must be between 1 and 10000", name("steps"))
	}
	if n == 1 && to != from {
		return nil, fmt.Errorf("%s 1 runs one stage: %s must equal %s", name("steps"), name("to"), name("from"))
	}
	if err := checkDuration(name("step_duration"), stepDur); err != nil {
		return nil, err
	}
	out := make([]Stage, n)
	for i := range out {
		r := from
		if n > 1 {
			r = from + (to-from)*float64(i)/float64(n-1)
		}
		out[i] = Stage{Name: fmt.Sprintf("step %d @ %s rps", i+1, rateName(r)), Rate: r, To: r, Duration: stepDur}
	}
	return out, ValidateStages(out)
}

func spikeShape(base, spike float64, at, spikeFor, d time.Duration, name func(string) string) ([]Stage, error) {
	if err := checkRate(name("rate"), base); err != nil {
		return nil, err
	}
	if err := checkRate(name("spike_rate"), spike); err != nil {
		return nil, err
	}
	if at < 0 {
		return nil, fmt.Errorf("%s must be >= 0", name("spike_at"))
	}
	if err := checkDuration(name("spike_for"), spikeFor); err != nil {
		return nil, err
	}
	if err := checkDuration(name("duration"), d); err != nil {
		return nil, err
	}
	if at+spikeFor > d {
		return nil, fmt.Errorf("the spike (%s %s + %s %s) ends after %s %s", name("spike_at"), at, name("spike_for"), spikeFor, name("duration"), d)
	}
	var out []Stage
	if at > 0 {
		out = append(out, Stage{Name: "base @ " + rateName(base) + " rps", Rate: base, To: base, Duration: at})
	}
	out = append(out, Stage{Name: "spike @ " + rateName(spike) + " rps", Rate: spike, To: spike, Duration: spikeFor})
	if rest := d - at - spikeFor; rest > 0 {
		out = append(out, Stage{Name: "after @ " + rateName(base) + " rps", Rate: base, To: base, Duration: rest})
	}
	return out, nil
}

func ramp(from, to float64, d time.Duration, n int, name func(string) string) ([]Stage, error) {
	if err := checkRate(name("from"), from); err != nil {
		return nil, err
	}
	if err := checkRate(name("to"), to); err != nil {
		return nil, err
	}
	if err := checkDuration(name("duration"), d); err != nil {
		return nil, err
	}
	if n < 1 {
		n = 1
	}
	if n > 10_000 || time.Duration(n) > d/time.Millisecond {
		return nil, fmt.Errorf("%s %d splits the ramp into pieces shorter than 1ms", name("steps"), n)
	}
	out := make([]Stage, n)
	var start time.Duration
	for i := range out {
		end := d * time.Duration(i+1) / time.Duration(n)
		r0 := from + (to-from)*float64(start)/float64(d)
		r1 := from + (to-from)*float64(end)/float64(d)
		name := fmt.Sprintf("ramp %s→%s rps", rateName(r0), rateName(r1))
		if n > 1 {
			name = fmt.Sprintf("ramp %d %s→%s rps", i+1, rateName(r0), rateName(r1))
		}
		out[i] = Stage{Name: name, Rate: r0, To: r1, Duration: end - start}
		start = end
	}
	return out, nil
}
