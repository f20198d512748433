// Package textout renders a capacity analysis (result.Analysis) as the
// readable text that `bploadgen analyze` prints: the model and where its
// parameters came from, the overhead, the capacity and the knee, one row
// per stage (rates, utilisation, Little's law, verdict), then predicted
// against observed per metric with the agreement band, notes and warnings.
package textout
