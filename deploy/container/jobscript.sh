#!/bin/sh
# jobscript.sh: print the pod script of the Kubernetes Job, the block scalar
# under `args: - |` in deploy/kubernetes/job.yaml, exactly as the container
# receives it (after `/busybox/sh -c`), so that check.sh runs the Job's own
# command. deploy/kubernetes/dockerfile_test.go checks that this output
# equals what a YAML parser reads.
#
#   deploy/container/jobscript.sh [JOB.yaml]
set -eu

job=${1:-$(cd "$(dirname "$0")/../kubernetes" && pwd)/job.yaml}
awk '
	# The block starts at the "- |" item right after "args:".
	state == 0 && /^[ \t]*args:[ \t]*$/ { state = 1; next }
	state == 1 {
		if ($0 ~ /^[ \t]*- \|[ \t]*$/) { state = 2; next }
		print "jobscript.sh: args: is not followed by a \"- |\" block" > "/dev/stderr"; bad = 1; exit
	}
	state == 2 {
		if ($0 ~ /^[ \t]*$/) { blank = blank "\n"; next }
		match($0, /^ */)
		if (indent == 0) indent = RLENGTH
		if (RLENGTH < indent) exit
		printf "%s%s\n", blank, substr($0, indent + 1)
		blank = ""; found = 1
	}
	END {
		if (bad) exit 1
		if (!found) { print "jobscript.sh: no args: - | block found" > "/dev/stderr"; exit 1 }
	}
' "$job"
