package result

// MaxLevel is the highest level Stage.InFlightAtSend counts on its own:
// its last element (index MaxLevel) counts that level and every higher one.
const MaxLevel = 1024

// AddLevels adds src's counts into dst, by status and level, and returns
// dst (made when nil and src has counts): one process's levels over
// consecutive intervals add up (merge.Concat). Shards' do not: each counts
// only its own requests in flight, while the target held them all.
func AddLevels(dst, src map[string][]int64) map[string][]int64 {
	for code, l := range src {
		if dst == nil {
			dst = make(map[string][]int64, len(src))
		}
		d := dst[code]
		if len(l) > len(d) {
			d = append(d, make([]int64, len(l)-len(d))...)
		}
		for i, n := range l {
			d[i] += n
		}
		dst[code] = d
	}
	return dst
}
