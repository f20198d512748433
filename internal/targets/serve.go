package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Serve is a server's whole life as a foreground process: it starts cfg
// (Start), writes the banner (Config.Banner) to w, serves until ctx is
// cancelled, then drains (Shutdown) for at most drain and writes how long
// it ran and its counters (Stats.Summary) to w. When the drain runs out,
// cutOff (if set) is told how many admitted requests were cut off before
// that last line, and Serve still returns nil: the server did stop.
// Errors are Start's, or a drain that failed otherwise.
func Serve(ctx context.Context, cfg Config, drain time.Duration, w io.Writer, cutOff func(aborted uint64)) error {
	srv, err := Start(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, cfg.Banner(srv.URL()))

	<-ctx.Done()
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err = srv.Shutdown(dctx)
	st := srv.Stats()
	if errors.Is(err, context.DeadlineExceeded) {
		if cutOff != nil {
			cutOff(st.Aborted)
		}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(w, "target stopped after %v: %s\n", st.Uptime.Round(time.Millisecond), st.Summary())
	return nil
}
