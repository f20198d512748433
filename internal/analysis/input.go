package analysis

import (
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// ModelInput is what a person says about the server, as given (analyze's
// flags, run's and capacity's --model-* flags): Spec turns it into a
// ModelSpec. The settings are named workers, queue, unbounded,
// service_time, service_scv, mechanism, queue_timeout, rate_limit and
// burst.
type ModelInput struct {
	Workers     int     // c; 0: estimate
	Queue       int     // waiting slots (K = c + Queue), read when given
	Unbounded   bool    // the server never rejects
	ServiceTime string  // "10ms", or a distribution "exp:10ms" (dist.ParseTime)
	ServiceSCV  float64 // read when given; excludes a distribution ServiceTime

	Mechanism    string        // how the server sheds ("" recognise); implied by QueueTimeout or RateLimit
	QueueTimeout time.Duration // a queue-timeout server's D (0: estimate)
	RateLimit    float64       // a rate limit, per second (0: estimate)
	Burst        float64       // the rate limit's bucket, tokens (0: estimate)
	ShedStatus   string        // status codes counted as shed, "502,503,429" ("": 503, 429 and any 5xx recognised)

	// Given reports whether a setting was given (queue and service_scv
	// are read only then); nil: neither was.
	Given func(setting string) bool
	// Name renders a setting's name in errors ("--model-workers" on a
	// command line); nil: the setting itself.
	Name func(setting string) string
}

func (in ModelInput) given(s string) bool { return in.Given != nil && in.Given(s) }

// AnyGiven reports whether any setting of the queueing model (workers,
// queue, unbounded, service_time, service_scv) was given.
func (in ModelInput) AnyGiven() bool {
	return in.given("workers") || in.given("queue") || in.given("unbounded") || in.given("service_time") || in.given("service_scv")
}

func (in ModelInput) name(s string) string {
	if in.Name != nil {
		return in.Name(s)
	}
	return s
}

// Spec checks the input and turns it into a ModelSpec (validated). Errors
// name the settings with Name.
func (in ModelInput) Spec() (ModelSpec, error) {
	var s ModelSpec
	if in.Workers < 0 {
		return s, fmt.Errorf("%s must be ≥ 1, got %d", in.name("workers"), in.Workers)
	}
	s.Workers = in.Workers
	if in.given("queue") {
		if in.Queue < 0 {
			return s, fmt.Errorf("%s must be ≥ 0 waiting slots, got %d", in.name("queue"), in.Queue)
		}
		if in.Unbounded {
			return s, fmt.Errorf("%s: give a queue or unbounded, not both", in.name("queue"))
		}
		s.Queue, s.QueueKnown = in.Queue, true
	}
	s.Unbounded = in.Unbounded
	if in.ServiceTime != "" {
		d, named, err := dist.ParseTime(in.ServiceTime)
		if err != nil {
			return s, fmt.Errorf("%s: %w", in.name("service_time"), err)
		}
		if named && in.given("service_scv") {
			return s, fmt.Errorf("%s %q already names a distribution; drop the service SCV", in.name("service_time"), in.ServiceTime)
		}
		s.ServiceMean = d.Mean
		if named {
			s.ServiceSCV, s.SCVKnown = d.SCV(), true
		}
	}
	if in.given("service_scv") {
		s.ServiceSCV, s.SCVKnown = in.ServiceSCV, true
	}
	s.Mechanism, s.QueueTimeout, s.RateLimit, s.Burst = in.Mechanism, in.QueueTimeout.Seconds(), in.RateLimit, in.Burst
	if s.Mechanism == "" && s.QueueTimeout > 0 {
		s.Mechanism = mechQueueTimeout
	}
	if s.Mechanism == "" && s.RateLimit > 0 {
		s.Mechanism = mechRateLimit
	}
	if in.ShedStatus != "" {
		codes, err := ParseShedStatus(in.ShedStatus)
		if err != nil {
			return s, fmt.Errorf("%s %w", in.name("shed_status"), err)
		}
		s.ShedStatus = codes
	}
	return s, s.Validate()
}
