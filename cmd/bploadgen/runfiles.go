package main

import "github.com/bploadgen/bploadgen/internal/report"

// checkFiles refuses two of -o, the reports, --stream, --log-requests and
// --cpuprofile naming one file (report.Delivery.Check), before any file
// is created or anything sent: exit 2.
func (o *runOptions) checkFiles(e *env) error {
	d := e.delivery(o.Out, o.Files)
	d.Side = []report.SideFile{{Setting: "stream", Path: o.StreamTo}, {Setting: "log_requests", Path: o.LogRequests}, {Setting: "cpuprofile", Path: o.CPUProfile}}
	if err := d.Check(); err != nil {
		return asUsage(err)
	}
	return nil
}
