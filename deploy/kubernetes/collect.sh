#!/bin/sh
# collect.sh: wait for a bploadgen Indexed Job to finish, extract each shard's
# result from its pod's log (job.yaml prints it gzipped and base64-encoded
# between BEGIN/END markers), and merge them exactly with `bploadgen merge`.
#
#   deploy/kubernetes/collect.sh [-n NAMESPACE] [-j JOB] [-o OUT.json] [-d DIR] [-t SECONDS] [-- MERGE FLAGS...]
#
# Flags after -- go to `bploadgen merge` (e.g. --assert 'p99 < 250ms').
# The exit code is merge's: 0 all assertions held, 1 one failed, 2 the shards
# could not be merged, 3 the output could not be written; 4 when the Job did
# not finish in time or no shard result could be found.
# KUBECTL and BPLOADGEN name the programs to use (default: from PATH).
set -eu

ns=""
job="bploadgen"
out="merged.json"
dir=""
timeout=3600
KUBECTL=${KUBECTL:-kubectl}
BPLOADGEN=${BPLOADGEN:-bploadgen}

usage() {
	sed -n '2,13s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
	-n) ns=$2; shift 2 ;;
	-j) job=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	-t) timeout=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) echo "collect.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

k() {
	if [ -n "$ns" ]; then "$KUBECTL" -n "$ns" "$@"; else "$KUBECTL" "$@"; fi
}

# Wait until the Job is Complete or Failed (a failed Job may still have
# finished shards worth merging: merge warns about the missing ones).
waited=0
while :; do
	state=$(k get job "$job" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}')
	case " $state " in
	*" Complete "*) break ;;
	*" Failed "*) echo "collect.sh: job/$job failed; merging the shards that finished" >&2; break ;;
	esac
	if [ "$waited" -ge "$timeout" ]; then
		echo "collect.sh: job/$job did not finish within ${timeout}s" >&2
		exit 4
	fi
	sleep 5
	waited=$((waited + 5))
done

n=$(k get job "$job" -o 'jsonpath={.spec.completions}')
if [ -z "$dir" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/bploadgen-$job.XXXXXX")
fi
mkdir -p "$dir"

# One line per pod: NAME INDEX.
k get pods -l "job-name=$job" \
	-o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{"\n"}{end}' \
	>"$dir/pods"

found=0
while read -r pod index; do
	[ -n "$pod" ] || continue
	shard=$((index + 1))
	file="$dir/shard-$shard-of-$n.json"
	k logs "$pod" >"$dir/$pod.log"
	if ! grep -q '^-----BEGIN BPLOADGEN RESULT' "$dir/$pod.log"; then
		echo "collect.sh: pod $pod (shard $shard/$n) printed no result; see $dir/$pod.log" >&2
		continue
	fi
	if ! awk '/^-----END BPLOADGEN RESULT/ { p = 0 } p { print } /^-----BEGIN BPLOADGEN RESULT/ { p = 1 }' "$dir/$pod.log" |
		base64 -d | gzip -dc >"$file"; then
		echo "collect.sh: pod $pod (shard $shard/$n): the result in its log is damaged" >&2
		rm -f "$file"
		continue
	fi
	found=$((found + 1))
done <"$dir/pods"

if [ "$found" -eq 0 ]; then
	echo "collect.sh: no shard result found for job/$job (files in $dir)" >&2
	exit 4
fi
echo "collect.sh: $found of $n shard results in $dir" >&2
set -- "$dir"/shard-*-of-"$n".json -o "$out" "$@"
exec "$BPLOADGEN" merge "$@"
