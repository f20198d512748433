// Package report holds bploadgen's renderers, the last step of the data
// flow: a result (internal/result) for people and for CI — the text
// summary (Text, text.go), the plain-language reading (Reading), a
// self-contained HTML report with charts, JUnit XML, a Markdown summary, the
// timeline as CSV, and an HdrHistogram interval log — a capacity analysis
// as text (AnalysisText, analysis.go, what `analyze` prints), and a sizing
// recommendation as text or JSON (WriteSizingText, WriteSizingJSON,
// sizing*.go, what `size` prints) — and retrying client populations side
// by side as text and HTML (WriteRetryText, WriteRetryHTML, retrydemo*.go,
// what `demo --retries` writes). Numbers are written with internal/numfmt.
//
// Every renderer is a pure function of the Result: no clock, no map-order
// randomness, no environment. `bploadgen report RESULT.json --html F`
// therefore reproduces byte for byte the file `run --html F` wrote.
//
// # Entry points
//
// WriteFiles renders the requested Outputs into files (all renderings are
// done before any file is written; each file is replaced atomically).
// WriteOutputs does the same and lets "-" mean standard output.
// WriteHTML, WriteJUnit, WriteMarkdown, WriteCSV and WriteHLog write one
// rendering to an io.Writer.
//
// # HTML: hand-written SVG through html/template
//
// The charts are inline SVG computed in Go (scale.go, svg.go, charts_*.go:
// data → coordinates → path strings) and written by html/template, which
// escapes every value in its context. The page has an inline style sheet,
// no script at all, and a Content-Security-Policy (default-src 'none',
// the style sheet allowed by its hash): opened from a mail attachment or an
// archived CI artifact it fetches nothing, and even a string that escaped
// escaping could neither run nor load anything. Tooltips are SVG <title>
// elements, which browsers show without script.
//
// Why hand-written SVG, measured with go1.26.8 on linux/amd64:
//
//   - This package, all five renderings included, adds 3.7 MB to a program
//     that already links cobra, net/http and the result package (9.78 →
//     13.47 MB; stripped 6.81 → 9.43 MB). Its own code is about 160 KB;
//     the rest is html/template, which the issue requires for any HTML
//     we write, and the exported methods the linker must keep once
//     text/template's reflective method calls are in the binary.
//   - gonum.org/v1/plot v0.17.0 (vgsvg backend, one log-scale line chart)
//     adds 9.1 MB on top of a program that already uses html/template
//     (5.40 → 14.51 MB; stripped 3.72 → 11.63 MB), mostly the Liberation
//     fonts it embeds for text metrics. Its SVG names "Liberation Serif",
//     which a viewer may not have, so measured label widths do not match
//     what is drawn; and its log axes need custom tickers for 1-2-5 labels.
//   - uPlot 1.6.32 (MIT, npm) is 51 KB of minified JS plus 1.9 KB of CSS,
//     embedded into the binary and into every report. It draws on a canvas
//     at view time, so the report needs script (a CSP hash), shows nothing
//     where scripts are off (mail previews, some artifact viewers), prints
//     as bitmaps, and cannot be checked by golden files of its output.
//
// Hand-written SVG costs about 160 KB of code (uPlot would be 53 KB of
// assets plus the code to feed it data), needs no script and no fonts, prints as vectors, scales with the page, and its
// output is plain text that golden files and a DOM test can check. The
// price is the axis code: linear axes with 1-2-5 steps, log latency axes
// with labelled decades (1ms, 10ms, 100ms, 1s) and 2/5 marks over short
// ranges, the HDR percentile axis (log of 1/(1−p)), stage bands and marks.
//
// # Other formats
//
//   - JUnit (WriteJUnit): one <testsuite>, one <testcase> per assertion
//     named "EXPR [SCOPE]", with a <failure> giving observed value and
//     threshold in the metric's unit. No assertions: a valid empty suite.
//   - Markdown (WriteMarkdown): a verdict line, a per-stage table,
//     assertion verdicts (✅/❌) and the capacity finding, for
//     $GITHUB_STEP_SUMMARY or a pull-request comment. Text from the result
//     is escaped (Markdown punctuation, HTML, line breaks).
//   - CSV (WriteCSV): one row per timeline window; scraped metrics last,
//     as "scrape:NAME" columns sorted by name.
//   - HdrHistogram log (WriteHLog): format 1.3 via hdrhistogram-go's
//     HistogramLogWriter, one interval per window: untagged = response time
//     from the intended send time; tags latency_2xx and service_time.
//     Values are nanoseconds: give HdrHistogram's tools an output value
//     unit ratio of 1e6 to read milliseconds
//     (HistogramLogProcessor -outputValueUnitRatio 1000000).
//
// Secrets: the engine stores the target redacted; the renderers redact
// again (URL userinfo, query parameters and headers whose names look
// secret) because a result file may come from anywhere.
package report
