package kubernetes_test

import (
	"regexp"
	"strings"
	"testing"
)

// The image cannot be built here (no container engine); check the
// Dockerfile's promises as text: multi-stage, a static stripped build, a
// distroless base and a numeric non-root USER in every final stage.
func TestDockerfile(t *testing.T) {
	df := readFile(t, "../../Dockerfile")
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?`).FindAllStringSubmatch(df, -1)
	if len(stages) < 2 || !strings.HasPrefix(stages[0][1], "golang:") {
		t.Fatalf("want a multi-stage build starting from golang:, got %q", stages)
	}
	var build string // the RUN instruction with go build, continuation lines joined
	for _, line := range strings.Split(strings.ReplaceAll(df, "\\\n", " "), "\n") {
		if strings.HasPrefix(line, "RUN") && strings.Contains(line, "go build") {
			build = line
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "./cmd/bploadgen"} {
		if !strings.Contains(build, want) {
			t.Errorf("the go build step lacks %q:\n%s", want, build)
		}
	}
	names := map[string]bool{}
	for _, s := range stages[1:] {
		names[s[2]] = true
		if !strings.HasPrefix(s[1], "gcr.io/distroless/static") && s[1] != "scratch" {
			t.Errorf("final stage %q is based on %s, want distroless static or scratch", s[2], s[1])
		}
	}
	if !names["shard"] {
		t.Error("no `shard` stage (the image job.yaml runs)")
	}
	// Every stage after the build must switch to a numeric non-root user
	// (runAsNonRoot can only verify a numeric one).
	parts := regexp.MustCompile(`(?m)^FROM `).Split(df, -1)
	for _, p := range parts[2:] {
		user := regexp.MustCompile(`(?m)^USER\s+(\d+)(?::(\d+))?\s*$`).FindStringSubmatch(p)
		if user == nil || user[1] == "0" {
			t.Errorf("stage without a numeric non-root USER:\n%s", p)
		}
	}
	if last := parts[len(parts)-1]; strings.Contains(last, "debug") {
		t.Error("the default (last) stage must be the shell-less image")
	}
	di := readFile(t, "../../.dockerignore")
	for _, want := range []string{".git", "*.test"} {
		if !strings.Contains(di, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
}
