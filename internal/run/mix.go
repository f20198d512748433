package run

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/replay"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Mix is a plan's request set (docs/profile.md, "Request mixes"): a
// profile's requests: and data:, a targets file, a replayed log, or the
// one request when its URL, headers or body hold placeholders.
type Mix struct {
	Set *mix.Set
	// ByRequest: the result breaks every stage down by request name
	// (false for the one request with placeholders: its result is a
	// one-request run's).
	ByRequest bool
	// Replay is the replayed log's schedule; nil unless --replay.
	Replay *Replay
	// the requests' headers and the data, whose secret values every output
	// hides.
	headers []profile.Header
	data    *mix.Table
}

// Replay is a replay's explicit schedule: arrival i at Times[i] from the
// start (already scaled), in stages of Stage.
type Replay struct {
	Times   []time.Duration
	Stage   time.Duration
	Skipped int // log lines with no request (a warning)
}

// DefaultReplayStage is the default length of a replay's stages.
const DefaultReplayStage = 10 * time.Second

// addSecrets adds the set's secret values to sec.
func (m *Mix) addSecrets(sec *redact.Secrets) {
	if m == nil {
		return
	}
	for _, h := range m.headers {
		sec.AddHeader(h.Name, h.Value)
	}
	if m.data != nil {
		m.data.AddSecrets(sec) // the secret-named columns' values
	}
}

// names are the request names a result of the plan reports by (nil
// without a breakdown).
func (p *Plan) requestNames() []string {
	if p.Mix == nil || !p.Mix.ByRequest {
		return nil
	}
	return p.Mix.Set.Names()
}

// bodyBytes is the one request's body length as sent (the result's
// target.body_bytes): `\{{` counts as the `{{` sent; a body whose
// placeholders make it vary counts as arrival 0's. A request set's
// requests carry their own bodies: 0.
func (p *Plan) bodyBytes() int {
	switch {
	case p.Mix == nil:
		return len(p.Request.Body)
	case p.Mix.ByRequest:
		return 0
	}
	n, _ := p.Mix.Set.BodyBytes(0)
	return n
}

// schedule is the plan's schedule for shard sh: the replay's times, or
// the stages' arrivals.
func (p *Plan) schedule(segs []schedule.Segment, sh schedule.Shard) (*schedule.Schedule, error) {
	if p.Mix != nil && p.Mix.Replay != nil {
		return schedule.NewExplicit(p.Mix.Replay.Times, p.Mix.Replay.Stage, sh)
	}
	return schedule.New(segs, p.Arrival, schedule.NewRand(p.Seed), uint64(p.Seed), sh)
}

// shapeGiven reports whether the overrides give a rate plan.
func (o *Overrides) shapeGiven() bool {
	given := o.Shape.Kind != "" || len(o.Shape.Set) > 0
	for _, k := range profile.ShapeKeys {
		given = given || (o.Given != nil && o.Given(k))
	}
	return given
}

// replaying reports whether a replay gives the plan's arrivals.
func (o *Overrides) replaying() bool { return o.Replay != "" }

// requests builds the plan's request set, if it has one: from --replay,
// --targets, the profile's requests:, or placeholders in the one request.
// Call it with the plan's request and seed resolved.
func (o *Overrides) requests(prof *profile.Profile, pl *Plan) error {
	spec := mix.Spec{Base: pl.Request.URL, Common: pl.Request.Headers, Seed: uint64(pl.Seed)}
	m := &Mix{ByRequest: true, headers: pl.Request.Headers}
	switch n := btoi(o.Replay != "") + btoi(o.Targets != "") + btoi(len(prof.Requests) > 0); {
	case n > 1:
		return fmt.Errorf("%s, %s and a profile's requests: each give the requests; give one", o.name("replay"), o.name("targets"))
	case n == 1 && (o.given("body") || o.given("body_file")):
		// As target.body in a profile with requests: it would go with no
		// request (each brings its own body, or none).
		key := "body"
		if o.given("body_file") {
			key = "body_file"
		}
		return fmt.Errorf("%s applies to no request of %s: each request gives its own body", o.name(key), o.mixSource(prof))
	case o.Replay != "":
		log, err := o.readReplay()
		if err != nil {
			return err
		}
		spec.Requests, spec.File, spec.Literal = log.Requests, o.Replay, true
		stage := o.ReplayStage
		if stage == 0 {
			stage = DefaultReplayStage
		}
		if stage < 0 {
			return fmt.Errorf("%s must be > 0", o.name("replay_stage"))
		}
		m.Replay = &Replay{Times: log.Times, Stage: stage, Skipped: log.Skipped}
		if err := o.build(spec, m, prof); err != nil {
			return err
		}
		if err := m.Set.SetArrivals(log.Index); err != nil {
			return fmt.Errorf("%s: %v", o.Replay, err)
		}
		if err := replayStages(pl, m.Replay); err != nil {
			return fmt.Errorf("%s: %v", o.name("replay"), err)
		}
	case o.Targets != "":
		data, err := os.ReadFile(o.Targets)
		if err != nil {
			return fmt.Errorf("%s: %v", o.name("targets"), err)
		}
		if spec.Requests, err = mix.ParseTargets(o.Targets, data); err != nil {
			return err
		}
		spec.File, spec.Literal = o.Targets, true
		if err := o.build(spec, m, prof); err != nil {
			return err
		}
	case len(prof.Requests) > 0:
		spec.Requests, spec.File = prof.Requests, prof.File
		for _, r := range prof.Requests {
			m.headers = append(m.headers, r.Headers...)
		}
		if prof.Data != nil {
			t, err := mix.LoadData(prof.Data)
			if err != nil {
				return err
			}
			spec.Data, m.data = t, t
		}
		if err := o.build(spec, m, prof); err != nil {
			return err
		}
	case hasPlaceholder(&pl.Request):
		// The one request, its texts compiled as a set of one; `\{{` is a
		// literal `{{`. It reports as a one-request run.
		m.ByRequest, spec.Common = false, nil
		spec.Requests = []profile.Request{{Method: pl.Request.Method, URL: pl.Request.URL,
			Headers: pl.Request.Headers, Body: string(pl.Request.Body)}}
		if err := o.build(spec, m, prof); err != nil {
			return o.flagError(err)
		}
	default:
		return nil
	}
	pl.Mix = m
	if _, ok := m.Set.Limit(); !ok || spec.Data == nil {
		return nil
	}
	// Order unique: the whole plan's arrivals (every shard's), counted by
	// walking its seeded schedule, must each have a row.
	n, err := schedule.PlanArrivals(segments(pl), pl.Arrival, pl.Seed)
	if err != nil {
		return err
	}
	return spec.Data.CheckPlan(n)
}

// build compiles spec into m.Set. A common header's error names where
// the header was given: --header, or the profile's target.headers.
func (o *Overrides) build(spec mix.Spec, m *Mix, prof *profile.Profile) error {
	s, err := mix.Build(spec)
	var me *mix.Error
	if errors.As(err, &me) && me.Request == 0 {
		name := strings.TrimPrefix(me.Field, "header ")
		for _, h := range o.Headers {
			if hd, e := profile.ParseHeader(h); e == nil && hd.Name == name {
				return fmt.Errorf("%s: %s: %s", o.name("header"), name, me.Msg)
			}
		}
		if prof != nil && prof.File != "" {
			return fmt.Errorf("%s: target.headers: %s: %s", prof.File, name, me.Msg)
		}
	}
	if err != nil {
		return err
	}
	m.Set = s
	return nil
}

// flagError says a set error of the one request in the words of the
// setting that gave the text (--header, --body, the URL).
func (o *Overrides) flagError(err error) error {
	var me *mix.Error
	if !errors.As(err, &me) {
		return err
	}
	setting := "url"
	switch {
	case strings.HasPrefix(me.Field, "header"):
		setting = "header"
	case me.Field == "body" || me.Field == "body_file":
		setting = "body"
	}
	return fmt.Errorf("%s: %s", o.name(setting), me.Msg)
}

// readReplay parses --replay in --replay-format and scales it by
// --replay-speed.
func (o *Overrides) readReplay() (*replay.Log, error) {
	f, err := os.Open(o.Replay)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", o.name("replay"), err)
	}
	defer f.Close()
	var log *replay.Log
	switch o.ReplayFormat {
	case "", replay.FormatJSON:
		log, err = replay.ParseJSON(o.Replay, f)
	case replay.FormatCombined:
		log, err = replay.ParseCombined(o.Replay, f)
	default:
		return nil, fmt.Errorf("%s must be %s or %s, not %q", o.name("replay_format"), replay.FormatJSON, replay.FormatCombined, o.ReplayFormat)
	}
	if err != nil {
		return nil, err
	}
	speed := o.ReplaySpeed
	if speed == 0 {
		speed = 1
	}
	if err := log.Scale(speed); err != nil {
		return nil, fmt.Errorf("%s: %v", o.name("replay_speed"), err)
	}
	return log, nil
}

// replayStages gives the plan the replay's stages: windows of r.Stage,
// each at its offered rate.
func replayStages(pl *Plan, r *Replay) error {
	s, err := schedule.NewExplicit(r.Times, r.Stage, schedule.Shard{})
	if err != nil {
		return err
	}
	pl.Kind, pl.Arrival, pl.Stages = "replay", schedule.Explicit, nil
	for i := 0; i < s.Stages(); i++ {
		start, end := s.StageBounds(i)
		rate := s.Expected(start, end) / (end - start).Seconds()
		pl.Stages = append(pl.Stages, profile.Stage{Name: fmt.Sprintf("replay %s–%s", start, end.Round(time.Millisecond)),
			Rate: rate, To: rate, Duration: end - start})
	}
	return nil
}

// segments are the plan's stages as the schedule's segments.
func segments(p *Plan) []schedule.Segment {
	segs := make([]schedule.Segment, len(p.Stages))
	for i, s := range p.Stages {
		segs[i] = schedule.Segment{Duration: s.Duration, From: s.Rate, To: s.To}
	}
	return segs
}

// pickClient is the client for the plan: a set whose requests go to
// another origin than the target URL's can only be sent by net/http (the
// H1 client and the event loop hold connections to one address), which
// auto then picks; h1 or loop asked for is refused.
func (p *Plan) pickClient(c openloop.Client) (openloop.Client, error) {
	if p.Mix == nil {
		return c, nil
	}
	set := p.Mix.Set
	for i := 0; i < set.Len(); i++ {
		if sameOrigin(set.Origin(i), p.Request.URL) {
			continue
		}
		switch c {
		case "", openloop.ClientAuto:
			return openloop.ClientNetHTTP, nil
		case openloop.ClientNetHTTP:
			return c, nil
		}
		return "", invalid(fmt.Errorf("request %d (%s) goes to %s, not to the target's origin: client %s sends to one address; use client net/http, which sends each request to its own origin",
			i+1, set.Names()[set.NameOf(i)], profile.RedactURL(set.Origin(i)), c))
	}
	return c, nil
}

// sameOrigin compares two URLs' scheme, host and port (the default port
// of the scheme when none is given), case-insensitively.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Hostname(), ub.Hostname()) && port(ua) == port(ub)
}

// hasPlaceholder reports whether the one request's URL, headers or body
// hold `{{` (a placeholder, or `\{{` for a literal one).
func hasPlaceholder(r *profile.RequestSpec) bool {
	if strings.Contains(r.URL, "{{") || strings.Contains(string(r.Body), "{{") {
		return true
	}
	for _, h := range r.Headers {
		if strings.Contains(h.Value, "{{") {
			return true
		}
	}
	return false
}

// replaySkipped is the warning for a replayed log's lines without a request.
func replaySkipped(n int) string {
	if n == 1 {
		return "the replayed log had 1 line with no request (skipped)"
	}
	return fmt.Sprintf("the replayed log had %d lines with no request (skipped)", n)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// targetsOrigin is the origin (scheme://host:port/) of the first absolute
// URL in the targets file, the base a run with --targets and no URL takes,
// as vegeta needs none; "" when every target is relative.
func (o *Overrides) targetsOrigin() (string, error) {
	data, err := os.ReadFile(o.Targets)
	if err != nil {
		return "", fmt.Errorf("%s: %v", o.name("targets"), err)
	}
	reqs, err := mix.ParseTargets(o.Targets, data)
	if err != nil {
		return "", err
	}
	for _, r := range reqs {
		if u, err := url.Parse(r.URL); err == nil && u.IsAbs() && u.Host != "" {
			return u.Scheme + "://" + u.Host + "/", nil
		}
	}
	return "", nil
}

// mixSource names where the run's requests come from, for messages.
func (o *Overrides) mixSource(prof *profile.Profile) string {
	switch {
	case o.Replay != "":
		return o.name("replay")
	case o.Targets != "":
		return o.name("targets")
	}
	return "the profile's requests:"
}
