package sizing

import "testing"

// BenchmarkSizeExact: the sheet's sizing example end to end.
func BenchmarkSizeExact(b *testing.B) {
	for b.Loop() {
		if _, err := Size(sheetSpec(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
