// Package openloop is bploadgen's engine: it sends requests at the times a
// schedule.Schedule plans, whatever the target does, and records what
// happened without coordinated omission.
//
// Contracts:
//   - Sending follows the plan. The dispatcher never waits for a response;
//     a request that cannot start because --max-in-flight requests are
//     already in flight is counted as not_sent at once (never queued inside
//     the generator, which would turn the open loop into a closed one).
//   - Latency is measured from the intended send time; service time from the
//     actual send; send lag is their difference.
//   - Every scheduled request ends in exactly one of: a status code, an
//     error class, or not_sent.
//   - Recording uses HDR histograms: dense ones per stage, sparse (packed)
//     ones per 1-second window that are encoded and released as soon as the
//     window's requests have all finished, so memory does not grow with the
//     run's length beyond one small row per second.
//   - In-flight is integrated exactly: each request adds its own interval
//     [actual send, completion], clipped to each stage and window, to their
//     area, so in_flight_mean is the exact time average (what Little's law needs).
//     in_flight_max is the most open at one instant, the requests' events
//     applied in time order whatever order they are heard in (inflight.go).
//
// Two ways of sending, with the same contracts and one recording path
// (recordpath.go: scheduled, not sent, sent, done):
//   - workers: a dispatcher hands each arrival to an idle worker goroutine
//     (or starts one, up to the bound), which sends it with a Doer: the
//     lean HTTP/1.1 client (H1Doer, a keep-alive connection per worker) or
//     net/http (HTTPDoer: https, proxies, HTTP/2);
//   - the event loop (Config.EventLoop, Linux, plain http://): one locked
//     thread does the dispatching and all the I/O on non-blocking sockets
//     with epoll, parsing responses incrementally (h1Stream). It needs no
//     goroutine switch or netpoller wake-up per request, which on the
//     measured machine doubled the highest sustained rate (bench/README.md).
//     It times responses by the kernel's receive timestamps and so wakes
//     once per send, not also per response (evstamp_linux.go). Several
//     loops (Config.Parts: disjoint parts of the schedule, LoopShards) may
//     share a run and its recording (parts.go, loops_linux.go).
//     Its memory is bounded whatever the target sends: a line cut by a
//     read waits in a buffer lent from one pool (evbuf.go) capped across
//     connections by Config.LoopBufferBytes, and one wake reads at most
//     readBudget bytes of a connection, so a fast large body cannot starve
//     the sends. Its system calls go through a seam a test can replace
//     (evsys_linux.go), to make epoll_wait fail mid-run for instance.
//
// The event loop never spins: it sleeps to its next deadline and sends
// every arrival due when it wakes (the worker pool's sleeper still yields
// through the last ≤100 µs: sleep_linux.go), taking a long sleep in two
// parts, as a long sleep ends later (evwait_linux.go, longsleep.go);
// Config.TimerSlack lets arrivals close together share a wake-up
// (lookahead.go), and SlackAuto makes it as much as the machine's sleeps
// end late anyway (wakelat.go).
//
// A run may send a request set (Config.Requests, package mix) instead of
// the Doer's one request: each arrival's request is the set's choice for
// its seq, rendered into the sender's own buffer without allocating
// (mixsend.go), and with Config.ByRequest the recorder also keeps each
// stage's counters and histograms per request name (mixrec.go), under the
// same lock and through the same four calls.
//
// With Config.Retry the clients retry (docs/retry.md): an attempt that
// ends retryable is sent again as one more open-loop send at its due time,
// from a per-dispatcher min-heap merged with the schedule (retrywire.go,
// retryworkers.go, retryloop_linux.go); the four calls keep meaning the
// logical request (sent at its first attempt, done once with its final
// outcome) and the attempts are recorded beside them (retryrec.go).
//
// The clock is the engine's (Config.Clock); tests run the worker mode
// inside testing/synctest with an in-memory Doer, where time is virtual, and
// both modes against real loopback servers.
package openloop
