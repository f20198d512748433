package result

import "github.com/bploadgen/bploadgen/internal/redact"

// Redact hides secrets, in place, in every string of r that came from the
// run's inputs or from the target: the target's URL and headers, the
// warnings (the analysis's too), the response and error samples, stage
// names, assertion text and scraped series names. It hides the values in
// sec (nil: none), the values r's target shows unredacted (a result written
// elsewhere: credentials in its URL, secret-named headers' values) and
// whatever redact.Text finds by shape. (The target's own secret-named
// response headers are hidden by name, not searched for: a server's
// cookie "mode=step" would otherwise rename the stages.) Numbers, enumerations and
// histograms are left alone. Idempotent: every writer of a result and
// every reader that renders one calls it.
func (r *Result) Redact(sec *redact.Secrets) {
	str := redactTarget(sec, &r.Target)
	redactAll(r.Warnings, str)
	if r.Samples != nil {
		for code, s := range r.Samples.Responses {
			r.Samples.Responses[code] = ResponseSample{Headers: redactHeaders(s.Headers, str), Body: str(s.Body)}
		}
		for class, msg := range r.Samples.Errors {
			r.Samples.Errors[class] = str(msg)
		}
	}
	names := memo(str)
	for i := range r.Stages {
		r.Stages[i].Name = str(r.Stages[i].Name)
		r.Stages[i].ByRequest = redactRequests(r.Stages[i].ByRequest, names)
	}
	r.Total.Name = str(r.Total.Name)
	r.Total.ByRequest = redactRequests(r.Total.ByRequest, names)
	for i := range r.Plan.Stages {
		r.Plan.Stages[i].Name = str(r.Plan.Stages[i].Name)
	}
	for i := range r.Assertions {
		r.Assertions[i].Expr = str(r.Assertions[i].Expr)
		r.Assertions[i].Note = str(r.Assertions[i].Note)
		r.Assertions[i].Request = names(r.Assertions[i].Request)
	}
	keys := memo(str)
	for i := range r.Timeline {
		r.Timeline[i].Scrape = redactKeys(r.Timeline[i].Scrape, keys)
	}
	if r.Analysis != nil {
		redactAll(r.Analysis.Warnings, str)
	}
}

// Redact removes the secrets of a capacity search's document, as
// Result.Redact does a result's: the target's URL and headers, and
// wherever the SLOs, notes and warnings repeat them (a request name in an
// SLO may be a replayed path).
func (c *Capacity) Redact(sec *redact.Secrets) {
	str := redactTarget(sec, &c.Target)
	redactAll(c.SLO, str)
	redactAll(c.Warnings, str)
	names := memo(str)
	stage := func(st *Stage) {
		st.Name = str(st.Name)
		st.ByRequest = redactRequests(st.ByRequest, names)
	}
	for i := range c.Probes {
		p := &c.Probes[i]
		p.Note = str(p.Note)
		stage(&p.Stage)
		for j := range p.SLOChecks {
			p.SLOChecks[j].Expr, p.SLOChecks[j].Note = str(p.SLOChecks[j].Expr), str(p.SLOChecks[j].Note)
		}
	}
	for i := range c.Overload {
		stage(&c.Overload[i].Stage)
	}
	if f := c.Predicted; f != nil {
		f.Note = str(f.Note)
	}
}

// redactTarget learns the target's secrets (its URL's and headers',
// beside sec's), redacts the target with them, and returns the redactor
// for the rest of the document.
func redactTarget(sec *redact.Secrets, t *Target) func(string) string {
	own := sec.Clone()
	own.AddURL(t.URL)
	for k, v := range t.Headers {
		own.AddHeader(k, v)
	}
	str := own.String
	t.URL = redact.URL(str(t.URL))
	t.Headers = redactHeaders(t.Headers, str)
	return str
}

func redactAll(ss []string, str func(string) string) {
	for i, s := range ss {
		ss[i] = str(s)
	}
}

// redactHeaders redacts names and values; a secret-named header's value
// is hidden whole.
func redactHeaders(h map[string]string, str func(string) string) map[string]string {
	if h == nil {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[str(k)] = redact.Header(k, str(v))
	}
	return out
}

// redactKeys redacts the names of scraped series (labels are the
// target's text); two names that become one keep one of their values.
func redactKeys(m map[string]float64, str func(string) string) map[string]float64 {
	for k := range m {
		if str(k) != k {
			out := make(map[string]float64, len(m))
			for k2, v := range m {
				out[str(k2)] = v
			}
			return out
		}
	}
	return m
}

// redactRequests redacts the request names of a by_request map (a
// replayed path may hold a secret); two names that become one keep the
// record of one of them.
func redactRequests(m map[string]*RequestStats, str func(string) string) map[string]*RequestStats {
	for k := range m {
		if str(k) != k {
			out := make(map[string]*RequestStats, len(m))
			for k2, v := range m {
				out[str(k2)] = v
			}
			return out
		}
	}
	return m
}

// memo remembers str's answers: every window repeats the same series names.
func memo(str func(string) string) func(string) string {
	seen := map[string]string{}
	return func(s string) string {
		out, ok := seen[s]
		if !ok {
			out = str(s)
			seen[s] = out
		}
		return out
	}
}
