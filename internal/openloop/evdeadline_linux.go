//go:build linux

package openloop

import (
	"context"
	"time"
)

// Deadlines of the event loop: the requests in flight in a binary
// min-heap by deadline (the loop sleeps until the earliest), and ending
// those whose deadline passed (timeouts) or whose grace ran out (an
// interrupt's abandon).

// expire fails the requests whose deadline has passed.
func (l *evLoop) expire(now time.Duration) {
	for len(l.heap) > 0 && l.heap[0].deadline <= now {
		c := l.heap[0]
		c.retried = true // a timeout is never resent
		l.fail(c, context.DeadlineExceeded)
	}
}

// abandon ends every request still in flight as canceled (after an
// interrupt's grace period).
func (l *evLoop) abandon() { l.failAll(context.Canceled) }

// failAll ends every request in flight with err, resending none.
func (l *evLoop) failAll(err error) {
	for len(l.heap) > 0 {
		c := l.heap[0]
		c.retried = true
		l.fail(c, err)
	}
}

func (l *evLoop) heapPush(c *loopConn) {
	c.hi = len(l.heap)
	l.heap = append(l.heap, c)
	l.heapUp(c.hi)
}

func (l *evLoop) heapRemove(c *loopConn) {
	i := c.hi
	if i < 0 {
		return
	}
	last := len(l.heap) - 1
	l.heapSwap(i, last)
	l.heap = l.heap[:last]
	c.hi = -1
	if i < last {
		l.heapDown(i)
		l.heapUp(i)
	}
}

func (l *evLoop) heapSwap(i, j int) {
	l.heap[i], l.heap[j] = l.heap[j], l.heap[i]
	l.heap[i].hi, l.heap[j].hi = i, j
}

func (l *evLoop) heapUp(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if l.heap[p].deadline <= l.heap[i].deadline {
			return
		}
		l.heapSwap(i, p)
		i = p
	}
}

func (l *evLoop) heapDown(i int) {
	for {
		m, a, b := i, 2*i+1, 2*i+2
		if a < len(l.heap) && l.heap[a].deadline < l.heap[m].deadline {
			m = a
		}
		if b < len(l.heap) && l.heap[b].deadline < l.heap[m].deadline {
			m = b
		}
		if m == i {
			return
		}
		l.heapSwap(i, m)
		i = m
	}
}
