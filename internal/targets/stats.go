package targets

import "time"

// Stats is a consistent snapshot of a Server's counters, taken at one
// instant (Uptime). Rejected requests are answered at arrival and are never
// in flight; InFlight is the model's N(t) = Busy + QueueDepth.
type Stats struct {
	Uptime     time.Duration // since New, monotonic; the instant of the snapshot
	Served     uint64        // answered 200 after service
	Rejected   uint64        // answered 503 at arrival (system full, or over the AIMD limit)
	TimedOut   uint64        // answered 503 when their queue timeout passed (Deadline)
	Limited    uint64        // refused by the token bucket (RateLimit: 429 or 503)
	Limit      int           // the admission limit now: K, the AIMD limit; -1 when none
	Aborted    uint64        // admitted but cut off by Close or a drain timeout
	Busy       int           // requests in service
	QueueDepth int           // admitted requests waiting for a worker
	InFlight   int           // Busy + QueueDepth

	// Time integrals up to Uptime (exact, accumulated at every change):
	// ∫ Busy dt, ∫ QueueDepth dt, ∫ InFlight dt, in request·seconds. Over
	// any interval, Δarea/Δuptime is the mean of the gauge (Little's law).
	BusyWorkerSeconds float64
	QueueDepthSeconds float64
	InFlightSeconds   float64
	// LimitSeconds is ∫ Limit dt: its rate is the mean AIMD limit.
	LimitSeconds float64

	// Started counts requests that began service; QueueWaitSeconds is the
	// sum of their queue waits. ServiceSeconds is the sum of the measured
	// service times of the Served requests (stalls included).
	Started          uint64
	QueueWaitSeconds float64
	ServiceSeconds   float64
	// NominalServiceSeconds is the sum of the sampled (intended) service
	// times of the Served requests; ServiceSeconds minus it is what timer
	// overshoot, scheduling and stalls added.
	NominalServiceSeconds float64
}

// MeanService is the mean measured service time in seconds of the served
// requests, or 0 if none was served.
func (s Stats) MeanService() float64 {
	if s.Served == 0 {
		return 0
	}
	return s.ServiceSeconds / float64(s.Served)
}

// snapshot reads the model at now, integrating the areas up to now.
func (m *model) snapshot(now time.Duration) Stats {
	m.advance(now)
	return Stats{
		Uptime:                max(now, m.last),
		Served:                m.served,
		Rejected:              m.rejected,
		TimedOut:              m.timedOut,
		Limited:               m.limited,
		Limit:                 m.limit,
		LimitSeconds:          m.limitArea,
		Aborted:               m.aborted,
		Busy:                  m.busy,
		QueueDepth:            m.waiting.len(),
		InFlight:              m.inSystem(),
		BusyWorkerSeconds:     m.busyArea,
		QueueDepthSeconds:     m.queueArea,
		InFlightSeconds:       m.busyArea + m.queueArea,
		Started:               m.wait.count,
		QueueWaitSeconds:      m.wait.sum,
		ServiceSeconds:        m.svc.sum,
		NominalServiceSeconds: m.nominal,
	}
}
