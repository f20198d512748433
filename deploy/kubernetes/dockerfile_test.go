package kubernetes_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The images have two build paths, checked here without a container engine
// (deploy/container/check.sh builds and runs the second with podman):
//   - ../../Dockerfile: multi-stage, pulls golang and distroless;
//   - ../container/Containerfile.local: no pull; build-local.sh stages the
//     static binary built here, the host's CA bundle and busybox-static, on
//     scratch.
//
// Both must make the same final stages: `shard` (with a shell, for the
// Job's pod script) and the default, shell-less one last, each running
// /usr/local/bin/bploadgen as a numeric non-root user.

// stage is one FROM of a Dockerfile and its instructions, continuation
// lines joined, comments and blank lines dropped.
type stage struct {
	from, name string
	instr      []string
}

func parseStages(t *testing.T, text string) []stage {
	t.Helper()
	var out []stage
	from := regexp.MustCompile(`^FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$`)
	for _, line := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := from.FindStringSubmatch(line); m != nil {
			out = append(out, stage{from: m[1], name: m[2]})
		} else if strings.HasPrefix(line, "FROM") {
			t.Fatalf("unparsed FROM line %q", line)
		} else if len(out) > 0 {
			out[len(out)-1].instr = append(out[len(out)-1].instr, line)
		}
	}
	return out
}

// last is the argument of the stage's last instruction op ("" if none).
func (s stage) last(op string) string {
	arg := ""
	for _, in := range s.instr {
		if rest, ok := strings.CutPrefix(in, op+" "); ok {
			arg = strings.TrimSpace(rest)
		}
	}
	return arg
}

// checkFinal checks the promises every image makes, whichever the path.
func checkFinal(t *testing.T, file string, finals []stage) {
	t.Helper()
	var names []string
	for _, s := range finals {
		names = append(names, s.name)
		if !strings.HasPrefix(s.from, "gcr.io/distroless/static") && s.from != "scratch" {
			t.Errorf("%s: final stage %q is based on %s, want distroless static or scratch", file, s.name, s.from)
		}
		// runAsNonRoot can only verify a numeric user.
		if u := regexp.MustCompile(`^(\d+)(?::\d+)?$`).FindStringSubmatch(s.last("USER")); u == nil || u[1] == "0" {
			t.Errorf("%s: stage %q has no numeric non-root USER (%q)", file, s.name, s.last("USER"))
		}
		if e := s.last("ENTRYPOINT"); e != `["/usr/local/bin/bploadgen"]` {
			t.Errorf("%s: stage %q: ENTRYPOINT %s, want the binary at /usr/local/bin/bploadgen", file, s.name, e)
		}
	}
	if !slices.Equal(names, []string{"shard", "runtime"}) {
		t.Errorf("%s: final stages %q, want shard then runtime (the default, last)", file, names)
	}
	for _, s := range finals {
		path := s.last("ENV")
		switch s.name {
		case "shard":
			// The Job's script calls bploadgen, gzip and base64 by name.
			if !strings.Contains(path, "/busybox") || !strings.Contains(path, "/usr/local/bin") {
				t.Errorf("%s: the shard stage's PATH (%q) must hold /usr/local/bin and /busybox", file, path)
			}
		case "runtime":
			if strings.Contains(s.from, "debug") || strings.Contains(strings.Join(s.instr, "\n"), "busybox") {
				t.Errorf("%s: the default (last) stage must be the shell-less image", file)
			}
		}
	}
}

func TestDockerfile(t *testing.T) {
	stages := parseStages(t, readFile(t, "../../Dockerfile"))
	if len(stages) < 2 || !strings.HasPrefix(stages[0].from, "golang:") {
		t.Fatalf("want a multi-stage build starting from golang:, got %+v", stages)
	}
	var build string // the RUN instruction with go build
	for _, in := range stages[0].instr {
		if strings.HasPrefix(in, "RUN") && strings.Contains(in, "go build") {
			build = in
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "./cmd/bploadgen"} {
		if !strings.Contains(build, want) {
			t.Errorf("the go build step lacks %q:\n%s", want, build)
		}
	}
	checkFinal(t, "Dockerfile", stages[1:])
	di := readFile(t, "../../.dockerignore")
	for _, want := range []string{".git", "*.test"} {
		if !strings.Contains(di, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
}

// The pull-free path: every stage on scratch, the same final stages, and a
// context staged by build-local.sh (for real: the binary is built) that
// holds what the Containerfile copies: a static binary, the CA bundle, a
// world-writable /tmp and, for the shard stage, busybox with the shell the
// Job's command names.
func TestContainerfileLocal(t *testing.T) {
	stages := parseStages(t, readFile(t, "../container/Containerfile.local"))
	for _, s := range stages {
		if s.from != "scratch" {
			t.Errorf("stage %q is based on %s: this path pulls nothing, every stage is scratch", s.name, s.from)
		}
	}
	checkFinal(t, "Containerfile.local", stages)
	script := readFile(t, "../container/build-local.sh")
	build := regexp.MustCompile(`(?m)^.*go build(?:.*\\\n)*.*$`).FindString(script)
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "./cmd/bploadgen"} {
		if !strings.Contains(build, want) {
			t.Errorf("build-local.sh's go build lacks %q:\n%s", want, build)
		}
	}
	if !strings.Contains(script, "/etc/ssl/certs/ca-certificates.crt") || !strings.Contains(script, "busybox-static") {
		t.Error("build-local.sh must stage the host's /etc/ssl/certs/ca-certificates.crt and busybox-static")
	}

	for _, tool := range []string{"sh", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	ctx := filepath.Join(t.TempDir(), "ctx")
	cmd := exec.Command("sh", "../container/build-local.sh", "--target", "shard", "--stage", ctx)
	cmd.Env = append(os.Environ(), "VERSION=test")
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "no busybox at") {
			t.Skipf("busybox-static is not installed here: %s", out)
		}
		t.Fatalf("build-local.sh --stage: %v\n%s", err, out)
	}
	for _, s := range stages {
		for _, in := range s.instr {
			if f := strings.Fields(in); f[0] == "COPY" {
				if _, err := os.Stat(filepath.Join(ctx, f[len(f)-2])); err != nil {
					t.Errorf("stage %q copies %s, which the staged context lacks: %v", s.name, f[len(f)-2], err)
				}
			}
		}
	}
	checkStatic(t, filepath.Join(ctx, "rootfs/usr/local/bin/bploadgen"))
	checkStatic(t, filepath.Join(ctx, "busybox/busybox"))
	if ca := readFile(t, filepath.Join(ctx, "rootfs/etc/ssl/certs/ca-certificates.crt")); !strings.Contains(ca, "BEGIN CERTIFICATE") {
		t.Error("the staged CA bundle holds no certificate")
	}
	if fi, err := os.Stat(filepath.Join(ctx, "rootfs/tmp")); err != nil {
		t.Error(err)
	} else if want := os.ModeDir | os.ModeSticky | 0o777; fi.Mode() != want {
		t.Errorf("rootfs/tmp has mode %v, want %v (user 65532 writes there)", fi.Mode(), want)
	}
	// COPY busybox/ /busybox/: the Job's command and the applets it calls.
	job := find(t, readManifests(t), "Job")
	sh := job.Spec.Template.Spec.Containers[0].Command[0]
	for _, applet := range []string{strings.TrimPrefix(sh, "/busybox/"), "gzip", "base64"} {
		if l, err := os.Readlink(filepath.Join(ctx, "busybox", applet)); err != nil || l != "busybox" {
			t.Errorf("busybox/%s: %q, %v; want a link to busybox (the Job runs %s)", applet, l, err, sh)
		}
	}
}

// checkStatic fails unless path is an ELF executable with no interpreter
// and no shared libraries: scratch has no libc.
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s needs a dynamic loader", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %q", path, libs)
	}
}

// check.sh runs the Job's pod script as jobscript.sh prints it: that must be
// exactly what a YAML parser reads from job.yaml.
func TestJobScriptExtraction(t *testing.T) {
	for _, tool := range []string{"sh", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	out, err := exec.Command("sh", "../container/jobscript.sh", "job.yaml").Output()
	if err != nil {
		t.Fatalf("jobscript.sh: %v", err)
	}
	job := find(t, readManifests(t), "Job")
	if want := job.Spec.Template.Spec.Containers[0].Args[0]; string(out) != want {
		t.Errorf("jobscript.sh printed\n%s\nwant (job.yaml's args[0])\n%s", out, want)
	}
}
