package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// pageReport is what the browser saw while loading a report.
type pageReport struct {
	Problems []string // console errors and warnings, exceptions, log errors
	Requests []string // every URL the page asked for
	Checks   pageChecks
	PNG      []byte
}

// pageChecks is computed inside the page by checkScript.
type pageChecks struct {
	Charts []struct {
		ID     string  `json:"id"`
		SVG    bool    `json:"svg"`
		Empty  bool    `json:"empty"`
		W      float64 `json:"w"`
		H      float64 `json:"h"`
		Paths  int     `json:"paths"`
		Drawn  int     `json:"drawn"`
		Texts  int     `json:"texts"`
		Legend int     `json:"legend"`
	} `json:"charts"`
	Scripts     int    `json:"scripts"`
	Pwned       string `json:"pwned"`
	HostileText bool   `json:"hostileText"`
	Embeds      int    `json:"embeds"`
	OnAttrs     int    `json:"onAttrs"`
	Title       string `json:"title"`
	HasSecret   bool   `json:"hasSecret"`
	Sections    []string
}

// checkScript inspects the rendered page: every chart's SVG, its drawn
// paths (by bounding box, so a path that renders nothing does not count),
// and whether anything hostile became markup or ran.
const checkScript = `(() => {
  const charts = [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg.plot');
    if (!svg) return {id: f.id, svg: false, empty: !!f.querySelector('.empty')};
    const bb = svg.getBoundingClientRect();
    const paths = [...svg.querySelectorAll('g.data path, g.data circle')];
    let drawn = 0;
    for (const p of paths) { const b = p.getBBox(); if (b.width > 1 || b.height > 1) drawn++; }
    return {id: f.id, svg: true, w: bb.width, h: bb.height, paths: paths.length, drawn,
            texts: svg.querySelectorAll('text').length, legend: f.querySelectorAll('.legend li').length};
  });
  return JSON.stringify({
    charts,
    scripts: document.querySelectorAll('script').length,
    pwned: typeof window.__pwned,
    hostileText: document.body.innerText.includes('<script>window.__pwned=1</script>'),
    embeds: document.querySelectorAll('iframe,object,embed,img,foreignObject,a[href]').length,
    onAttrs: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length,
    title: document.title,
    hasSecret: document.documentElement.outerHTML.includes('s3cr3t'),
    Sections: [...document.querySelectorAll('main > section')].map(s => s.id),
  });
})()`

// loadPage opens file in a new tab, waits for the load event, runs the
// checks and, when shot is set, takes a full-page screenshot.
func loadPage(ctx context.Context, t *testing.T, b *cdpBrowser, file string, shot bool) pageReport {
	t.Helper()
	var rep pageReport
	url := "file://" + file
	var session string
	seen := func(m cdpMessage) {
		if m.SessionID != session {
			return
		}
		var p struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
			ExceptionDetails *struct {
				Text string `json:"text"`
			} `json:"exceptionDetails"`
			Entry *struct {
				Level, Text, Source, URL string
			} `json:"entry"`
			Request *struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		json.Unmarshal(m.Params, &p)
		switch m.Method {
		case "Runtime.consoleAPICalled":
			var parts []string
			for _, a := range p.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, strings.TrimSpace(strings.Trim(jsonString(a.Value), `"`)))
				}
			}
			rep.Problems = append(rep.Problems, "console."+p.Type+": "+strings.Join(parts, " "))
		case "Runtime.exceptionThrown":
			if p.ExceptionDetails != nil {
				rep.Problems = append(rep.Problems, "exception: "+p.ExceptionDetails.Text)
			}
		case "Log.entryAdded":
			if p.Entry != nil && (p.Entry.Level == "error" || p.Entry.Level == "warning") {
				rep.Problems = append(rep.Problems, "log "+p.Entry.Level+" ("+p.Entry.Source+"): "+p.Entry.Text)
			}
		case "Network.requestWillBeSent":
			if p.Request != nil {
				rep.Requests = append(rep.Requests, p.Request.URL)
			}
		}
	}
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		t.Fatal(err)
	}
	session = att.SessionID
	for _, m := range []string{"Runtime.enable", "Log.enable", "Network.enable", "Page.enable"} {
		if err := b.call(ctx, session, m, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.call(ctx, session, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		t.Fatal(err)
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := b.call(ctx, session, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		t.Fatal(err)
	}
	if nav.ErrorText != "" {
		t.Fatalf("navigate to %s: %s", url, nav.ErrorText)
	}
	if err := b.waitEvent(ctx, "Page.loadEventFired", seen); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
		ExceptionDetails any `json:"exceptionDetails"`
	}
	if err := b.call(ctx, session, "Runtime.evaluate", map[string]any{"expression": checkScript, "returnByValue": true}, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ExceptionDetails != nil {
		t.Fatalf("check script failed: %v", ev.ExceptionDetails)
	}
	if err := json.Unmarshal([]byte(ev.Result.Value), &rep.Checks); err != nil {
		t.Fatalf("check script result %q: %v", ev.Result.Value, err)
	}
	if shot {
		var lm struct {
			CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
		}
		if err := b.call(ctx, session, "Page.getLayoutMetrics", nil, &lm); err != nil {
			t.Fatal(err)
		}
		var sc struct {
			Data string `json:"data"`
		}
		clip := map[string]any{"x": 0, "y": 0, "width": 1280, "height": lm.CSSContentSize.Height, "scale": 1}
		if err := b.call(ctx, session, "Page.captureScreenshot",
			map[string]any{"format": "png", "captureBeyondViewport": true, "clip": clip}, &sc); err != nil {
			t.Fatal(err)
		}
		png, err := base64.StdEncoding.DecodeString(sc.Data)
		if err != nil {
			t.Fatal(err)
		}
		rep.PNG = png
	}
	b.drain(seen)
	b.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	return rep
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestBrowser opens rendered reports in headless Chromium: no console
// errors, no network request but the file itself, every chart drawn, and
// nothing the target sent turned into markup or ran.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("chromium not found: install Debian's chromium to run the browser test")
	}
	if testing.Short() {
		t.Skip("-short: skipping the browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	dir := t.TempDir()
	b := startChromium(t, chromium)

	shotDir := os.Getenv("BPLOADGEN_SCREENSHOT_DIR")
	if shotDir == "" {
		shotDir = dir
	}
	cases := []struct {
		name string
		r    *result.Result
		full bool // the complete fixture: every chart must be drawn
	}{
		{"step", loadFixture(t), true},
	}
	for _, e := range edgeResults() {
		cases = append(cases, struct {
			name string
			r    *result.Result
			full bool
		}{e.name, e.r, false})
	}
	// First prove the harness sees what it must catch, on a page that does
	// everything a report must not.
	t.Run("harness-self-check", func(t *testing.T) {
		bad := `<!DOCTYPE html><html><head><title>bad</title></head><body>
<script>console.error("boom"); window.__pwned = 1;</script>
<img src="http://127.0.0.1:9/x.png" onerror="void 0">
<script>undefinedFunction()</script></body></html>`
		file := filepath.Join(dir, "bad.html")
		if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		rep := loadPage(ctx, t, b, file, false)
		var consoleErr, exception bool
		for _, p := range rep.Problems {
			consoleErr = consoleErr || strings.Contains(p, "boom")
			exception = exception || strings.Contains(p, "exception")
		}
		external := false
		for _, u := range rep.Requests {
			external = external || strings.HasPrefix(u, "http://127.0.0.1:9/")
		}
		if !consoleErr || !exception || !external || rep.Checks.Scripts != 2 || rep.Checks.Pwned != "number" || rep.Checks.OnAttrs != 1 {
			t.Fatalf("the harness missed something: problems %q, requests %q, checks %+v", rep.Problems, rep.Requests, rep.Checks)
		}
		// A style attribute the report's policy forbids is reported too.
		csp := `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<title>csp</title></head><body><p style="color:red">x</p></body></html>`
		file = filepath.Join(dir, "csp.html")
		if err := os.WriteFile(file, []byte(csp), 0o644); err != nil {
			t.Fatal(err)
		}
		rep = loadPage(ctx, t, b, file, false)
		if len(rep.Problems) == 0 {
			t.Fatalf("the harness missed a Content-Security-Policy violation")
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var html bytes.Buffer
			if err := WriteHTML(&html, c.r); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, c.name+".html")
			if err := os.WriteFile(file, html.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := loadPage(ctx, t, b, file, c.full)
			for _, p := range rep.Problems {
				t.Errorf("browser reported: %s", p)
			}
			for _, u := range rep.Requests {
				if u != "file://"+file {
					t.Errorf("the page requested %s; a report must fetch nothing", u)
				}
			}
			ck := rep.Checks
			if ck.Scripts != 0 {
				t.Errorf("%d <script> elements in the page; the report has none of its own", ck.Scripts)
			}
			if ck.Pwned != "undefined" {
				t.Errorf("window.__pwned is %s: hostile script ran", ck.Pwned)
			}
			if ck.Embeds != 0 || ck.OnAttrs != 0 {
				t.Errorf("%d embedded elements / links and %d on* attributes: hostile markup got in", ck.Embeds, ck.OnAttrs)
			}
			if ck.HasSecret {
				t.Errorf("a secret from the target URL or headers reached the page")
			}
			if len(ck.Charts) < 6 {
				t.Errorf("%d charts in the page, want at least 6", len(ck.Charts))
			}
			for _, ch := range ck.Charts {
				if !ch.SVG {
					if c.full || !ch.Empty {
						t.Errorf("chart %s has no SVG", ch.ID)
					}
					continue
				}
				if ch.W < 250 || ch.H < 100 || ch.Texts < 5 {
					t.Errorf("chart %s: %.0f×%.0f px with %d labels: not legible", ch.ID, ch.W, ch.H, ch.Texts)
				}
				if c.full && (ch.Paths == 0 || ch.Drawn == 0) {
					t.Errorf("chart %s: %d data paths, %d with a visible extent", ch.ID, ch.Paths, ch.Drawn)
				}
				if c.full && ch.Legend == 0 && !strings.HasPrefix(ch.ID, "chart-scrape-") {
					t.Errorf("chart %s has no legend", ch.ID)
				}
			}
			if c.full {
				if !ck.HostileText {
					t.Errorf("the hostile response body is not shown as text")
				}
				want := []string{"chart-rate", "chart-outcomes", "chart-latency", "chart-inflight", "chart-target", "chart-spectrum", "chart-knee"}
				got := map[string]bool{}
				for _, ch := range ck.Charts {
					got[ch.ID] = ch.SVG
				}
				for _, id := range want {
					if !got[id] {
						t.Errorf("chart %s missing or not drawn", id)
					}
				}
			}
			if rep.PNG != nil {
				path := filepath.Join(shotDir, "report-"+c.name+".png")
				if err := os.WriteFile(path, rep.PNG, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s (%d bytes)", path, len(rep.PNG))
			}
		})
	}
}
