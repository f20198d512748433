#!/usr/bin/env bash
# Soak: a long open-loop run against the built-in target, watching that the
# generator's resources stay flat (issue #14). Not part of CI.
#
#   bash bench/soak.sh [DURATION] [RATE]      # default 30m at 5000 rps
#   nice -n 5 bash bench/soak.sh 3m 5000      # the short run in bench/README.md
#
# It builds bploadgen, starts `bploadgen target` on 127.0.0.1 (64 workers,
# exponential service of mean 1 ms: 8% busy at 5000 rps, so the target is
# never the limit), runs `bploadgen run` against it with the default client
# (the event loop from 5000 rps), and every 10 s samples both processes
# from /proc: resident memory, threads and open file descriptors (neither
# process exports its goroutine count; threads and descriptors are what a
# goroutine or connection leak would move). The samples go to
# bench/out/soak.csv; at the end it prints the run's counts and, per
# column, the floor (smallest sample) of the first and of the last third of
# the samples (the first 30 s left out: warm-up) and the peak, and says
# whether each stayed flat: the last floor within 10% of the first, plus
# 2 MB for memory and 4 for counts. Floors, because connections (and so
# descriptors and memory) follow the requests in flight, which a stall of
# the target or of the machine raises for a while; a leak raises the floor.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30m}
rate=${2:-5000}
out=bench/out
mkdir -p "$out/bin"
go build -o "$out/bin/bploadgen" ./cmd/bploadgen
bpl="$out/bin/bploadgen"

"$bpl" target --addr 127.0.0.1:0 --workers 64 --queue 1000 --service exp:1ms >"$out/soak-target.log" &
tpid=$!
cleanup() { kill "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true; }
trap cleanup EXIT
addr=""
for _ in $(seq 100); do
  addr=$(sed -n 's/^target listening on \([^ ]*\).*/\1/p' "$out/soak-target.log")
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "soak: the target did not start" >&2; exit 1; }
url=$addr
case $url in http*) ;; *) url="http://$addr/" ;; esac

"$bpl" run "$url" --rate "$rate" --duration "$duration" -q -o "$out/soak.json" >"$out/soak-run.log" 2>&1 &
gpid=$!

sample() { # PID -> rss_kb threads fds
  local st=/proc/$1/status
  [ -r "$st" ] || { echo ",,"; return; }
  local rss thr fds
  rss=$(awk '/^VmRSS:/ {print $2}' "$st")
  thr=$(awk '/^Threads:/ {print $2}' "$st")
  fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
  echo "$rss,$thr,$fds"
}

echo "t_s,gen_rss_kb,gen_threads,gen_fds,target_rss_kb,target_threads,target_fds" >"$out/soak.csv"
start=$(date +%s)
echo "soak: $rate rps for $duration against $url; samples every 10 s in $out/soak.csv"
while kill -0 "$gpid" 2>/dev/null; do
  sleep 10
  kill -0 "$gpid" 2>/dev/null || break
  t=$(( $(date +%s) - start ))
  line="$t,$(sample "$gpid"),$(sample "$tpid")"
  echo "$line" >>"$out/soak.csv"
  echo "  $line"
done
code=0
wait "$gpid" || code=$?
echo "soak: bploadgen run exited $code"
if [ -s "$out/soak.json" ]; then
  jq -r '.total | "run: scheduled \(.scheduled), sent \(.sent), not sent \(.not_sent), status \(.status | tostring), errors \(.errors | with_entries(select(.value > 0)) | tostring), send lag p99 \(.send_lag_s.p99 * 1e6 | floor) µs, latency p99 \(.latency_s.p99 * 1e3 * 100 | floor / 100) ms"' "$out/soak.json"
fi

awk -F, 'NR > 1 && $1 > 30 { n++; for (c = 2; c <= 7; c++) v[c, n] = $c }
function stat(c, from, to, what,   i, x, r) {
  r = -1
  for (i = from; i <= to; i++) {
    if (v[c, i] == "") continue
    x = v[c, i] + 0
    if (r < 0 || (what == "min" && x < r) || (what == "max" && x > r)) r = x
  }
  return r
}
END {
  if (n < 3) { print "soak: too few samples after the warm-up to judge"; exit 1 }
  split("gen_rss_kb gen_threads gen_fds target_rss_kb target_threads target_fds", name, " ")
  third = int(n / 3); bad["generator"] = 0; bad["target"] = 0
  printf "  %-15s %12s %12s %12s\n", "", "floor, first", "floor, last", "peak"
  for (c = 2; c <= 7; c++) {
    a = stat(c, 1, third, "min"); b = stat(c, n - third + 1, n, "min")
    slack = (c == 2 || c == 5) ? 2048 : 4
    flat = (b <= a * 1.10 + slack) ? "flat" : "GREW"
    if (flat == "GREW") bad[c <= 4 ? "generator" : "target"] = 1
    printf "  %-15s %12d %12d %12d  %s\n", name[c - 1], a, b, stat(c, 1, n, "max"), flat
  }
  printf "soak: generator %s, target %s\n", bad["generator"] ? "NOT flat" : "flat", bad["target"] ? "NOT flat" : "flat"
}' "$out/soak.csv"
exit "$code"
