#!/bin/sh
# check.sh: prove that the image runs. Builds the pull-free images with podman
# (build-local.sh), then inside them: `bploadgen version`; a built-in target
# on 127.0.0.1 (--network=host); a 2 s run at 100 rps against it; two shards
# of the Kubernetes Job's own pod script (jobscript.sh) with
# JOB_COMPLETION_INDEX=0 and 1, started together with START_AT, as the pod
# runs them (read-only root, /tmp a tmpfs, no capabilities, user 65532); their
# results decoded from the logs as collect.sh does, merged with `bploadgen
# merge`, and the merged scheduled count checked against the shards' sum.
# Traffic goes only to 127.0.0.1.
#
#   deploy/container/check.sh
#
# Exit 0 when every step passed, or, with "skipped: <reason>", when podman is
# not installed; 1 on any failure (what failed is said). Not run in CI where
# podman is absent. Environment: CHECK_TAG (image tag prefix, default
# bploadgen:check; the images are kept), PODMAN_RUNTIME (e.g. runc; default:
# podman's own, then runc if podman's fails), KEEP=1 keeps the work directory.
set -eu

if ! command -v podman >/dev/null 2>&1; then
	echo "check.sh: skipped: podman is not installed (apt-get install -y podman)"
	exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
tag=${CHECK_TAG:-bploadgen:check}
image=$tag
shard_image=$tag-shard
work=$(mktemp -d "${TMPDIR:-/tmp}/bploadgen-check.XXXXXX")
chmod 0755 "$work"
target=""
pids=""

fail() {
	echo "check.sh: FAIL: $*" >&2
	exit 1
}
ok() {
	echo "check.sh: ok: $*"
}
cleanup() {
	for pid in $pids; do kill "$pid" 2>/dev/null || true; done
	if [ -n "$target" ]; then podman rm -f "$target" >/dev/null 2>&1 || true; fi
	if [ "${KEEP:-0}" = 1 ]; then echo "check.sh: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in go awk gzip base64 sed grep; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done

# 1. Build both images, without a pull.
nice -n 10 "$here/build-local.sh" --target runtime -t "$image" >"$work/build.log" 2>&1 ||
	{ cat "$work/build.log" >&2; fail "build-local.sh --target runtime"; }
nice -n 10 "$here/build-local.sh" --target shard -t "$shard_image" >>"$work/build.log" 2>&1 ||
	{ cat "$work/build.log" >&2; fail "build-local.sh --target shard"; }
ok "built $image and $shard_image ($(podman image inspect --format '{{.Size}}' "$image") bytes, $(podman image inspect --format '{{.Size}}' "$shard_image") bytes)"

# 2. How to run a container here. The limits are the host's own (podman's
# default RLIMIT_NOFILE and RLIMIT_NPROC can exceed what a sandboxed root may
# set: "setrlimit RLIMIT_NOFILE: Operation not permitted"); 4096 processes is
# ample for one Go program and a shell. --network=host: the target is on the
# host's loopback, and nothing else is reached.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
flags="--network=host --ulimit nofile=$nofile:$nofile --ulimit nproc=4096:4096"
if [ -n "${PODMAN_RUNTIME:-}" ]; then
	runtimes="--runtime=$PODMAN_RUNTIME"
else
	runtimes="default"
	command -v runc >/dev/null 2>&1 && runtimes="default --runtime=runc"
fi
pm=""
for rt in $runtimes; do
	[ "$rt" = default ] && g="" || g=$rt
	# shellcheck disable=SC2086 # word splitting of $g and $flags is intended
	if podman $g run --rm $flags "$image" version >"$work/version.txt" 2>&1; then
		pm="podman $g"
		break
	fi
	echo "check.sh: podman ${g:-(default runtime)} cannot run the image: $(cat "$work/version.txt")" >&2
done
[ -n "$pm" ] || fail "podman cannot run containers on this machine (errors above)"
ok "containers run with: $pm run $flags"

# 3. version, in both images.
for img in "$image" "$shard_image"; do
	# shellcheck disable=SC2086
	$pm run --rm $flags "$img" version >"$work/version.txt" 2>&1 || fail "$img version: $(cat "$work/version.txt")"
	head -n 1 "$work/version.txt" | grep -q '^bploadgen ' || fail "$img version printed: $(cat "$work/version.txt")"
	ok "$img: $(tr '\n' ' ' <"$work/version.txt")"
done

# 4. The built-in target, in the image, on 127.0.0.1 (port 0: a free one).
target=bploadgen-check-target-$$
# shellcheck disable=SC2086
$pm run -d --name "$target" $flags "$image" target --addr 127.0.0.1:0 --workers 8 --queue 64 --service exp:2ms >/dev/null ||
	fail "could not start the target container"
url=""
for _ in $(seq 1 50); do
	url=$(podman logs "$target" 2>&1 | sed -n 's|^target listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1/|p' | head -n 1)
	[ -n "$url" ] && break
	sleep 0.2
done
[ -n "$url" ] || fail "the target did not start: $(podman logs "$target" 2>&1)"
ok "target listening on $url"

# report prints the text summary of a result (stdin) with the image's own
# bploadgen; scheduled extracts the "requests N scheduled" count from it.
report() {
	# shellcheck disable=SC2086
	$pm run --rm -i $flags "$image" report -
}
scheduled() {
	sed -n 's/^requests *\([0-9,]*\) scheduled.*/\1/p' "$1" | tr -d ,
}

# 5. A short run inside the image: 100 rps for 2 s, uniform: exactly 200
# requests, every one answered 2xx (8 workers at 2 ms serve 4000 rps).
# shellcheck disable=SC2086
$pm run --rm $flags --read-only "$image" run "$url" --rate 100 --duration 2s -q \
	--assert 'ratio(2xx) >= 1' -o - >"$work/run.json" 2>"$work/run.err" ||
	fail "run in the container (exit $?): $(cat "$work/run.err")"
report <"$work/run.json" >"$work/run.txt" 2>&1 || fail "report of the run: $(cat "$work/run.txt")"
grep -q '^requests *200 scheduled, 200 sent, 0 not sent, 200 completed' "$work/run.txt" ||
	fail "the run's counts are not 200 scheduled/sent/completed:$(echo; cat "$work/run.txt")"
ok "run in the container: $(grep '^requests' "$work/run.txt"); every response 2xx"

# 6. Two shards of the Job's pod script, as the pods run it, started together.
"$here/jobscript.sh" >"$work/pod.sh" || fail "could not extract the pod script from job.yaml"
n=$(sed -n 's|.*--shard \$((JOB_COMPLETION_INDEX+1))/\([0-9]*\).*|\1|p' "$work/pod.sh")
[ -n "$n" ] && [ "$n" -ge 2 ] || fail "the pod script has no --shard .../N with N ≥ 2:$(echo; cat "$work/pod.sh")"
mkdir -p "$work/config" "$work/shards"
chmod 0755 "$work/config" "$work/shards"
cat >"$work/config/profile.yaml" <<EOF
target:
  url: $url
  method: GET
  timeout: 5s
arrival: poisson
seed: 7
stages:
  - {rate: 200, duration: 3s}
EOF
chmod 0644 "$work/config/profile.yaml"
start=$(($(date +%s) + 5))
for index in 0 1; do
	# shellcheck disable=SC2086
	$pm run --rm $flags --read-only --tmpfs /tmp:rw,mode=1777,size=256m --cap-drop=ALL \
		--security-opt=no-new-privileges --user 65532:65532 \
		-v "$work/config:/config:ro,z" -e JOB_COMPLETION_INDEX=$index -e START_AT=$start \
		--entrypoint '["/busybox/sh","-c"]' "$shard_image" "$(cat "$work/pod.sh")" \
		>"$work/pod-$index.log" 2>&1 &
	pids="$pids $!"
done
index=0
for pid in $pids; do
	wait "$pid" || fail "pod $index (JOB_COMPLETION_INDEX=$index) exited $?:$(echo; cat "$work/pod-$index.log")"
	index=$((index + 1))
done
pids=""
for index in 0 1; do
	shard=$((index + 1))
	log=$work/pod-$index.log
	grep -q "^-----BEGIN BPLOADGEN RESULT $shard-----" "$log" || fail "pod $index printed no result:$(echo; cat "$log")"
	awk '/^-----END BPLOADGEN RESULT/ { p = 0 } p { print } /^-----BEGIN BPLOADGEN RESULT/ { p = 1 }' "$log" |
		base64 -d | gzip -dc >"$work/shards/shard-$shard.json" || fail "pod $index: the result in its log is damaged"
	chmod 0644 "$work/shards/shard-$shard.json"
	report <"$work/shards/shard-$shard.json" >"$work/shard-$shard.txt" 2>&1 || fail "report of shard $shard: $(cat "$work/shard-$shard.txt")"
	grep -q "shard $shard/$n\$" "$work/shard-$shard.txt" || fail "shard $shard's result is not shard $shard/$n:$(echo; cat "$work/shard-$shard.txt")"
	ok "pod JOB_COMPLETION_INDEX=$index: shard $shard/$n, $(grep '^requests' "$work/shard-$shard.txt")"
done

# 7. Merge them in the image; the merged count is the shards' sum.
# shellcheck disable=SC2086
$pm run --rm $flags -v "$work/shards:/shards:ro,z" "$image" merge /shards/shard-1.json /shards/shard-2.json -o - \
	>"$work/merged.json" 2>"$work/merge.err" || fail "merge (exit $?): $(cat "$work/merge.err")"
report <"$work/merged.json" >"$work/merged.txt" 2>&1 || fail "report of the merge: $(cat "$work/merged.txt")"
s1=$(scheduled "$work/shard-1.txt")
s2=$(scheduled "$work/shard-2.txt")
m=$(scheduled "$work/merged.txt")
[ -n "$s1" ] && [ -n "$s2" ] && [ -n "$m" ] && [ "$s1" -gt 0 ] && [ "$s2" -gt 0 ] ||
	fail "no scheduled counts (shard 1 '$s1', shard 2 '$s2', merged '$m')"
[ "$m" -eq $((s1 + s2)) ] || fail "merged scheduled $m != $s1 + $s2"
grep -q "only 2 of $n shards merged (1/$n,2/$n)" "$work/merged.txt" || fail "merge does not name shards 1/$n and 2/$n:$(echo; cat "$work/merged.txt")"
ok "merged: $m scheduled = $s1 + $s2 (shards 1/$n and 2/$n of the Job's $n)"
echo "--- merged result (bploadgen report):"
cat "$work/merged.txt"
echo "check.sh: PASS"
