package queueing

// minHeap is a binary min-heap of float64 times, hand-rolled because the
// simulator's inner loop cannot afford container/heap's interface calls.
type minHeap []float64

func (h minHeap) top() float64 { return h[0] }

func (h *minHeap) push(v float64) {
	*h = append(*h, v)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p] <= v {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = v
}

// pop removes and returns the smallest element; the heap must not be empty.
func (h *minHeap) pop() float64 {
	s := *h
	v := s[0]
	n := len(s) - 1
	last := s[n]
	*h = s[:n]
	if n > 0 {
		h.siftDown(last)
	}
	return v
}

// replaceTop replaces the smallest element by v ≥ top and restores order.
func (h *minHeap) replaceTop(v float64) { h.siftDown(v) }

// siftDown places v at the root and moves it down to its place.
func (h *minHeap) siftDown(v float64) {
	s := *h
	n := len(s)
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && s[r] < s[l] {
			l = r
		}
		if s[l] >= v {
			break
		}
		s[i] = s[l]
		i = l
	}
	s[i] = v
}
