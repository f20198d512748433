package kubernetes_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bploadgen/bploadgen/internal/profile"
)

// The parts of the manifest the tests read.
type manifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		CompletionMode          string `yaml:"completionMode"`
		Completions             *int   `yaml:"completions"`
		Parallelism             *int   `yaml:"parallelism"`
		BackoffLimit            *int   `yaml:"backoffLimit"`
		TTLSecondsAfterFinished *int   `yaml:"ttlSecondsAfterFinished"`
		Template                struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	RestartPolicy   string `yaml:"restartPolicy"`
	SecurityContext struct {
		RunAsNonRoot *bool `yaml:"runAsNonRoot"`
		RunAsUser    *int  `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name            string   `yaml:"name"`
		Image           string   `yaml:"image"`
		Command         []string `yaml:"command"`
		Args            []string `yaml:"args"`
		SecurityContext struct {
			AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
			Capabilities             struct {
				Drop []string `yaml:"drop"`
			} `yaml:"capabilities"`
		} `yaml:"securityContext"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		EmptyDir *struct{} `yaml:"emptyDir"`
	} `yaml:"volumes"`
}

// readManifests decodes every document of job.yaml, strictly.
func readManifests(t *testing.T) []manifest {
	t.Helper()
	data, err := os.ReadFile("job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var raw yaml.Node
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("job.yaml: %v", err)
		}
		var m manifest
		if err := raw.Decode(&m); err != nil {
			t.Fatalf("job.yaml: %v", err)
		}
		out = append(out, m)
	}
	return out
}

func find(t *testing.T, ms []manifest, kind string) manifest {
	t.Helper()
	for _, m := range ms {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("job.yaml has no %s", kind)
	return manifest{}
}

var shardFlag = regexp.MustCompile(`--shard \$\(\(JOB_COMPLETION_INDEX\+1\)\)/(\d+)\b`)

func TestJobManifest(t *testing.T) {
	ms := readManifests(t)
	job := find(t, ms, "Job")
	if job.APIVersion != "batch/v1" || job.Metadata.Name == "" {
		t.Errorf("apiVersion %q name %q; want batch/v1 and a name", job.APIVersion, job.Metadata.Name)
	}
	s := job.Spec
	if s.CompletionMode != "Indexed" {
		t.Errorf("completionMode %q, want Indexed", s.CompletionMode)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions < 1 || *s.Completions != *s.Parallelism {
		t.Fatalf("completions %v parallelism %v: want equal and ≥ 1 (every shard runs at once)", s.Completions, s.Parallelism)
	}
	n := *s.Completions
	if s.BackoffLimit == nil || *s.BackoffLimit != 0 {
		t.Errorf("backoffLimit %v, want 0: a retried shard would send its share twice", s.BackoffLimit)
	}
	if s.TTLSecondsAfterFinished == nil || *s.TTLSecondsAfterFinished < 600 {
		t.Errorf("ttlSecondsAfterFinished %v: the pods (and their logs) must outlive the Job long enough to collect", s.TTLSecondsAfterFinished)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q, want Never", pod.RestartPolicy)
	}
	if sc := pod.SecurityContext; sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("pod securityContext %+v: want runAsNonRoot and a non-zero runAsUser", sc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image != shardImage(t) {
		t.Errorf("image %q, want the Dockerfile's shard image %q", c.Image, shardImage(t))
	}
	script := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	m := shardFlag.FindAllStringSubmatch(script, -1)
	if len(m) != 1 {
		t.Fatalf("the command must run bploadgen run --shard $((JOB_COMPLETION_INDEX+1))/N once; got %q", script)
	}
	if got, _ := strconv.Atoi(m[0][1]); got != n {
		t.Errorf("--shard .../%d but completions = parallelism = %d", got, n)
	}
	if !strings.Contains(script, "bploadgen run ") || !strings.Contains(script, "-----BEGIN BPLOADGEN RESULT") {
		t.Errorf("the script must run bploadgen and print its result between markers: %q", script)
	}
	if len(c.Command) == 0 || c.Command[0] != "/busybox/sh" {
		t.Errorf("command %q: the shard image's shell is /busybox/sh", c.Command)
	}
	sc := c.SecurityContext
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil ||
		!*sc.ReadOnlyRootFilesystem || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
		t.Errorf("container securityContext %+v: want no privilege escalation, a read-only root, all capabilities dropped", sc)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["cpu"] != c.Resources.Limits["cpu"] ||
		c.Resources.Requests["memory"] != c.Resources.Limits["memory"] {
		t.Errorf("resources %+v: want requests = limits (Guaranteed QoS, no CPU throttling surprises)", c.Resources)
	}
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.MountPath] = vm.Name
	}
	if mounts["/tmp"] == "" || mounts["/config"] == "" {
		t.Errorf("mounts %v: want a writable /tmp (read-only root) and the profile at /config", mounts)
	}
	cm := find(t, ms, "ConfigMap")
	var cmUsed, tmpEmpty bool
	for _, v := range pod.Volumes {
		cmUsed = cmUsed || (v.Name == mounts["/config"] && v.ConfigMap != nil && v.ConfigMap.Name == cm.Metadata.Name)
		tmpEmpty = tmpEmpty || (v.Name == mounts["/tmp"] && v.EmptyDir != nil)
	}
	if !cmUsed || !tmpEmpty {
		t.Errorf("volumes: /config must be ConfigMap %q (%v), /tmp an emptyDir (%v)", cm.Metadata.Name, cmUsed, tmpEmpty)
	}
	if !strings.Contains(script, "-f /config/profile.yaml") {
		t.Errorf("the script must read the ConfigMap's profile: %q", script)
	}
	if _, err := profile.Parse("job.yaml ConfigMap profile.yaml", []byte(cm.Data["profile.yaml"])); err != nil {
		t.Errorf("the ConfigMap's profile does not load: %v", err)
	}
	if !strings.Contains(readFile(t, "collect.sh"), `job="`+job.Metadata.Name+`"`) {
		t.Errorf("collect.sh's default job name is not %q", job.Metadata.Name)
	}
}

// shardImage is the image the README tells to build with --target shard.
func shardImage(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`docker build --target shard -t (\S+) \.`).FindStringSubmatch(readFile(t, "README.md"))
	if m == nil {
		t.Fatal("README.md does not say how to build the shard image")
	}
	return m[1]
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
