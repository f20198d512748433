package compare

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/result"
)

// requestSections compares each request name both results break their
// traffic down by (by_request of the total), in the base's order. A
// request's part has no timeline windows, so its noise is the binomial,
// Poisson or order-statistic error alone (no batch means); its verdicts
// are shown, and the report's overall verdict is left to the stages and
// the run.
func (o Options) requestSections(base, next *result.Result) ([]Section, error) {
	if !base.HasByRequest() || !next.HasByRequest() {
		return nil, nil
	}
	var out []Section
	for _, name := range base.Total.RequestNames() {
		qn := next.Total.ByRequest[name]
		if qn == nil {
			continue
		}
		bs, ns := base.Total.ByRequest[name].AsStage(&base.Total), qn.AsStage(&next.Total)
		sc, err := o.section("request "+assert.QuoteRequest(name), 0, requestPart(&bs), requestPart(&ns))
		if err != nil {
			return nil, err
		}
		sc.Request = name
		out = append(out, sc)
	}
	return out, nil
}

func requestPart(st *result.Stage) *part {
	return &part{st: st, hists: map[string]*hdr.Histogram{}}
}
