// Package runqueue tells how long this process waited for a processor:
// the scheduler's run-queue wait of all its threads (Linux schedstat).
// Timing tests use the difference across a run to tell a machine that
// starved the run (other test packages on CI's two cores) from code that
// was late by its own doing (Meter keeps the threads that end). The
// event loop reads its own thread's (Thread) to say, when it fell behind,
// how long other threads held its CPU.
package runqueue
