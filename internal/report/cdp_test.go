package report

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
// Chromium reads NUL-terminated JSON commands from fd 3 and writes
// responses and events to fd 4. Enough to load a page, collect console
// messages and network requests, evaluate JavaScript and take a
// screenshot, without a websocket library or a driver.

// chromiumFlags start a headless browser that reaches nothing on its own.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
	"--remote-debugging-pipe",
}

// findChromium returns the browser's path, or "".
func findChromium() string {
	if p := os.Getenv("BPLOADGEN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type cdpBrowser struct {
	cmd    *exec.Cmd
	w      *os.File
	mu     sync.Mutex
	nextID int64
	wait   map[int64]chan cdpMessage
	events chan cdpMessage
	done   chan struct{}
}

// startChromium launches the browser with a fresh profile of its own. On
// cleanup it closes the browser, ends its process group (the renderers and
// helpers it started) and removes the profile.
func startChromium(t *testing.T, path string) *cdpBrowser {
	t.Helper()
	dir, err := os.MkdirTemp("", "bploadgen-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	toChrome, ourW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ourR, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+dir, "about:blank")
	cmd := exec.Command(path, args...)
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fd 3, fd 4
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &cdpBrowser{cmd: cmd, w: ourW, wait: map[int64]chan cdpMessage{},
		events: make(chan cdpMessage, 4096), done: make(chan struct{})}
	go b.read(ourR)
	t.Cleanup(func() { b.close(t, dir) })
	return b
}

// close shuts the browser down and removes its profile directory.
func (b *cdpBrowser) close(t *testing.T, dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.call(ctx, "", "Browser.close", nil, nil)
	exited := make(chan struct{})
	go func() { b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-ctx.Done():
	}
	// The helpers share the browser's process group, which we created.
	syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	<-exited
	b.w.Close()
	var err error
	for i := 0; i < 20; i++ {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("could not remove the browser profile %s: %v", dir, err)
}

func (b *cdpBrowser) read(r *os.File) {
	defer close(b.done)
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		frame, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(frame[:len(frame)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.wait[m.ID]
			delete(b.wait, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // drop events nobody reads rather than block
		}
	}
}

// call sends a command (to a page session when session != "") and waits
// for its result.
func (b *cdpBrowser) call(ctx context.Context, session, method string, params any, out any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.wait[id] = ch
	b.mu.Unlock()
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if params == nil {
		raw = []byte("{}")
	}
	msg, _ := json.Marshal(cdpMessage{ID: id, Method: method, Params: raw, SessionID: session})
	if _, err := b.w.Write(append(msg, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: the browser exited", method)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// waitEvent returns the next event of the given method, passing every
// event it reads (including that one) to seen.
func (b *cdpBrowser) waitEvent(ctx context.Context, method string, seen func(cdpMessage)) error {
	for {
		select {
		case m := <-b.events:
			seen(m)
			if m.Method == method {
				return nil
			}
		case <-b.done:
			return errors.New("the browser exited")
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", method, ctx.Err())
		}
	}
}

// drain passes every event already received to seen.
func (b *cdpBrowser) drain(seen func(cdpMessage)) {
	for {
		select {
		case m := <-b.events:
			seen(m)
		default:
			return
		}
	}
}
