package kubernetes_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// fakeRun stands in for `bploadgen run` inside the pods: it copies the
// synthetic result of the shard named by --shard I/N to the -o file.
const fakeRun = `#!/bin/sh
shard="" out=""
while [ $# -gt 0 ]; do
	case $1 in
	--shard) shard=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	*) shift ;;
	esac
done
i=${shard%/*}
[ -f "$SHARDS/shard-$i.json" ] || { echo "fake run: no shard $shard" >&2; exit 3; }
cp "$SHARDS/shard-$i.json" "$out"
echo "fake run: shard $shard done"
`

// fakeKubectl answers collect.sh from the files under $FAKE_K8S.
const fakeKubectl = `#!/bin/sh
if [ "$1" = "-n" ]; then shift 2; fi
case "$1 $2" in
"get job")
	case "$*" in
	*completions*) printf '%s' "$(cat "$FAKE_K8S/completions")" ;;
	*conditions*) printf 'Complete' ;;
	esac ;;
"get pods") cat "$FAKE_K8S/pods" ;;
"logs "*) cat "$FAKE_K8S/logs/$2" ;;
*) echo "fake kubectl: unexpected: $*" >&2; exit 1 ;;
esac
`

// The mechanics of the Kubernetes deployment, without a cluster: the pod
// script of job.yaml runs once per completion index, its logs go through a
// fake kubectl to collect.sh, and the real `bploadgen merge` merges them;
// the merged percentiles must equal those of one histogram of every request.
func TestCollectMergesThePodLogs(t *testing.T) {
	for _, tool := range []string{"sh", "awk", "gzip", "base64", "grep", "sed", "mktemp", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	job := find(t, readManifests(t), "Job")
	n := *job.Spec.Completions
	script := job.Spec.Template.Spec.Containers[0].Args[0]

	dir := t.TempDir()
	bin := buildBploadgen(t, dir)
	spec := mergetest.Spec{
		Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), URL: "http://my-service:8080/", Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1", StartS: 0, DurationS: 3, Rate: 400},
			{Name: "step 2", StartS: 3, DurationS: 3, Rate: 800},
		},
		Arrival: "poisson", Seed: 11, Service: 3 * time.Millisecond, Reject: 0.02, Shards: n,
	}
	shards, reqs := mergetest.MustBuild(spec)
	shardDir := mkdir(t, dir, "shards")
	for i, r := range shards {
		if err := result.WriteFile(filepath.Join(shardDir, fmt.Sprintf("shard-%d.json", i+1)), r); err != nil {
			t.Fatal(err)
		}
	}
	fakeBin := mkdir(t, dir, "fakebin")
	writeExec(t, filepath.Join(fakeBin, "bploadgen"), fakeRun)
	writeExec(t, filepath.Join(fakeBin, "kubectl"), fakeKubectl)

	k8s := mkdir(t, dir, "k8s")
	logs := mkdir(t, k8s, "logs")
	var pods strings.Builder
	for index := range n {
		pod := fmt.Sprintf("bploadgen-%d-x%d", index, 7*index)
		fmt.Fprintf(&pods, "%s %d\n", pod, index)
		log := runPod(t, script, index, mkdir(t, dir, pod), fakeBin, shardDir)
		if index == 0 && !strings.Contains(log, "-----BEGIN BPLOADGEN RESULT 1-----") {
			t.Fatalf("pod 0 printed no result block:\n%s", log)
		}
		if err := os.WriteFile(filepath.Join(logs, pod), []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(k8s, "pods"), pods.String())
	writeFile(t, filepath.Join(k8s, "completions"), fmt.Sprint(n))

	out := filepath.Join(dir, "merged.json")
	code, stderr := collect(t, dir, bin, k8s, fakeBin, "-o", out, "-d", filepath.Join(dir, "collected"))
	if code != 0 {
		t.Fatalf("collect.sh exit %d:\n%s", code, stderr)
	}
	m, err := result.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Merged) != n || m.Total.Scheduled != int64(len(reqs)) {
		t.Errorf("merged %v shards, %d scheduled; want %d and %d", m.Merged, m.Total.Scheduled, n, len(reqs))
	}
	if want := result.Summarize(mergetest.Histogram(reqs, mergetest.Latency)); m.Total.Latency != want {
		t.Errorf("merged latency %+v\nwant (one histogram of every request) %+v", m.Total.Latency, want)
	}

	// A gate after -- reaches merge, and its failure is collect.sh's exit.
	if code, _ := collect(t, dir, bin, k8s, fakeBin, "-o", out, "--", "--assert", "p99 < 1us"); code != 1 {
		t.Errorf("a failed gate: exit %d, want 1", code)
	}

	// A pod that printed no result is reported and left out; merge warns.
	writeFile(t, filepath.Join(logs, "bploadgen-2-x14"), "bploadgen: run: the target's address cannot be resolved\n")
	code, stderr = collect(t, dir, bin, k8s, fakeBin, "-o", out)
	if code != 0 || !strings.Contains(stderr, "bploadgen-2-x14 (shard 3/4) printed no result") {
		t.Errorf("a missing shard: exit %d, stderr:\n%s", code, stderr)
	}
	m, err = result.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Merged) != n-1 || !strings.Contains(strings.Join(m.Warnings, "\n"), "only 3 of 4 shards merged") {
		t.Errorf("merged %v, warnings %q", m.Merged, m.Warnings)
	}
}

// runPod runs the pod script as the Job would for one completion index and
// returns its log (stdout and stderr). /tmp is the pod's own directory.
func runPod(t *testing.T, script string, index int, podTmp, fakeBin, shardDir string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(script, "/tmp/", podTmp+"/"))
	cmd.Env = append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", index), "START_AT=0",
		"PATH="+fakeBin+string(os.PathListSeparator)+os.Getenv("PATH"), "SHARDS="+shardDir)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		t.Fatalf("pod %d: %v\n%s", index, err, log.String())
	}
	return log.String()
}

// collect runs collect.sh and returns its exit code and stderr.
func collect(t *testing.T, dir, bin, k8s, fakeBin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"collect.sh"}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECTL="+filepath.Join(fakeBin, "kubectl"), "BPLOADGEN="+bin,
		"FAKE_K8S="+k8s, "TMPDIR="+dir)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// buildBploadgen builds the real command into dir.
func buildBploadgen(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bploadgen")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/bploadgen/bploadgen/cmd/bploadgen")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func mkdir(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(parts...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeExec(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o755); err != nil {
		t.Fatal(err)
	}
}
