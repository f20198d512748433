package analysis

import "testing"

// BenchmarkAnalyzeDemo: one analysis of the demo's shape with nothing
// given (recognition and its fits included).
func BenchmarkAnalyzeDemo(b *testing.B) {
	r := demoSynth(1).result(b)
	for b.Loop() {
		if _, err := Analyze(r, ModelSpec{}); err != nil {
			b.Fatal(err)
		}
	}
}
