package analysis

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestModelInputSpec(t *testing.T) {
	given := func(names ...string) func(string) bool {
		return func(s string) bool {
			for _, n := range names {
				if n == s {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		in   ModelInput
		want ModelSpec
	}{
		{ModelInput{}, ModelSpec{}},
		{ModelInput{Workers: 8, Queue: 16, ServiceTime: "10ms", Given: given("queue")},
			ModelSpec{Workers: 8, Queue: 16, QueueKnown: true, ServiceMean: 0.01}},
		{ModelInput{Workers: 8, Queue: 16, ServiceTime: "10ms"}, // the queue not given: unknown
			ModelSpec{Workers: 8, ServiceMean: 0.01}},
		{ModelInput{Workers: 4, ServiceTime: "exp:20ms", Given: given("queue")},
			ModelSpec{Workers: 4, QueueKnown: true, ServiceMean: 0.02, ServiceSCV: 1, SCVKnown: true}},
		{ModelInput{Unbounded: true, ServiceTime: "det:5ms"}, ModelSpec{Unbounded: true, ServiceMean: 0.005, SCVKnown: true}},
		{ModelInput{ServiceTime: "10ms", ServiceSCV: 0.5, Given: given("service_scv")}, ModelSpec{ServiceMean: 0.01, ServiceSCV: 0.5, SCVKnown: true}},
		{ModelInput{ServiceSCV: 0, Given: given("service_scv")}, ModelSpec{SCVKnown: true}},
		{ModelInput{QueueTimeout: 20 * time.Millisecond}, ModelSpec{Mechanism: "queue-timeout", QueueTimeout: 0.02}},
		{ModelInput{RateLimit: 200, Burst: 10}, ModelSpec{Mechanism: "rate-limit", RateLimit: 200, Burst: 10}},
		{ModelInput{Mechanism: "none"}, ModelSpec{Mechanism: "none"}},
		{ModelInput{ShedStatus: "502, 503,429"}, ModelSpec{ShedStatus: []string{"502", "503", "429"}}},
	} {
		got, err := tc.in.Spec()
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v:\n got %+v, %v\nwant %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestModelInputErrors(t *testing.T) {
	flag := func(s string) string { return "--model-" + strings.ReplaceAll(s, "_", "-") }
	all := func(string) bool { return true }
	for _, tc := range []struct {
		in   ModelInput
		want string
	}{
		{ModelInput{Workers: -1}, "workers must be ≥ 1, got -1"},
		{ModelInput{Workers: -1, Name: flag}, "--model-workers must be ≥ 1, got -1"},
		{ModelInput{Queue: -3, Given: all}, "queue must be ≥ 0 waiting slots, got -3"},
		{ModelInput{Queue: 4, Unbounded: true, Given: all, Name: flag}, "--model-queue: give a queue or unbounded, not both"},
		{ModelInput{ServiceTime: "fast"}, `service_time: "fast": want a positive duration like 10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5`},
		{ModelInput{ServiceTime: "exp:10ms", ServiceSCV: 2, Given: all, Name: flag}, `--model-service-time "exp:10ms" already names a distribution; drop the service SCV`},
		{ModelInput{ServiceSCV: -1, Given: all}, "service SCV -1: must be in [0, 100]"},
		{ModelInput{Mechanism: "magic"}, `mechanism "magic"`},
		{ModelInput{ShedStatus: "502,200"}, `shed_status "200": want status codes in 400–599`},
		{ModelInput{ShedStatus: "502,,503", Name: flag}, `--model-shed-status "": want status codes`},
		{ModelInput{ShedStatus: "503,503"}, `shed_status 503 given twice`},
	} {
		_, err := tc.in.Spec()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestModelInputAnyGiven: only the queueing model's settings count; the
// shedding mechanism's do not.
func TestModelInputAnyGiven(t *testing.T) {
	for _, tc := range []struct {
		given []string
		want  bool
	}{
		{nil, false},
		{[]string{"mechanism", "queue_timeout", "rate_limit", "burst"}, false},
		{[]string{"workers"}, true},
		{[]string{"queue"}, true},
		{[]string{"unbounded"}, true},
		{[]string{"service_time"}, true},
		{[]string{"service_scv"}, true},
	} {
		in := ModelInput{Given: func(s string) bool { return slices.Contains(tc.given, s) }}
		if got := in.AnyGiven(); got != tc.want {
			t.Errorf("given %v: AnyGiven = %v, want %v", tc.given, got, tc.want)
		}
	}
	if (ModelInput{}).AnyGiven() {
		t.Error("nil Given: AnyGiven = true")
	}
}
