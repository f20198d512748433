#!/usr/bin/env bash
# Measures bploadgen beside fortio 1.68.2, vegeta 12.13 and wrk (closed
# loop) in one run on this machine: CPU per request at 2000 and 20k rps,
# peak RSS, the latency each adds to a 10 ms server, the highest sustained
# open-loop rate and wrk's closed-loop throughput. Generator and target are
# pinned to different cores where possible. See bench/README.md.
#
#   bash bench/run.sh                                  # everything (~25 min)
#   PHASES=cpu CPU_RATES=2000 bash bench/run.sh        # CPU per request at 2000 rps only
#   VARIANTS="--timer-slack 1ms,--loops 2" bash bench/run.sh   # bploadgen configurations beside the default
#   GEN_CPU=8-15 TARGET_CPU=0-7 PHASES=max VARIANTS="--loops 1,--loops 2,--loops 4,--loops 8" bash bench/run.sh
#   RATES=2000,5000,10000 STEP=5s RUNS=3 NO_VEGETA=1 bash bench/run.sh
#
# Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out/bin"
export GOBIN="$PWD/$out/bin"

echo "== building bploadgen, the target and the runner"
go build -o "$out/bin/bploadgen" ./cmd/bploadgen
go build -o "$out/bin/target" ./bench/target
go build -o "$out/bin/runner" ./bench/runner
go build -o "$out/bin/wake" ./bench/wake

echo "== installing vegeta and fortio from the Go module proxy (pinned versions)"
GOFLAGS=-mod=mod go install github.com/tsenart/vegeta/v12@v12.13.0
# fortio 1.68.2 is the version the issue measured; newer ones do not install here.
if ! GOFLAGS=-mod=mod go install fortio.org/fortio@v1.68.2; then
  echo "go install fortio failed; using \$HOME/go/bin/fortio if it is 1.68.2" >&2
  [ "$("$HOME/go/bin/fortio" version 2>/dev/null)" = 1.68.2 ] && cp "$HOME/go/bin/fortio" "$out/bin/fortio"
fi
wrk=$(command -v wrk || true)
[ -n "$wrk" ] || echo "no wrk (apt-get install wrk): no closed-loop reference" >&2

# GEN_CPU and TARGET_CPU (taskset CPU lists) place the two on a bigger
# machine, e.g. GEN_CPU=8-15 TARGET_CPU=0-7 to measure --loops scaling.
gen_cpu=${GEN_CPU:-1} target_cpu=${TARGET_CPU:-0}
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then gen_cpu="" target_cpu=""; fi

# VARIANTS: extra bploadgen configurations, separated by commas.
peers=(-fortio "$out/bin/fortio")
[ -n "${NO_VEGETA:-}" ] || peers+=(-vegeta "$out/bin/vegeta")
[ -z "$wrk" ] || peers+=(-wrk "$wrk")
variants=()
IFS=',' read -ra vs <<<"${VARIANTS---timer-slack 1ms}"
for v in "${vs[@]}"; do [ -n "$v" ] && variants+=(-variant "$v"); done
"$out/bin/runner" -target "$out/bin/target" -bploadgen "$out/bin/bploadgen" -wake "$out/bin/wake" "${variants[@]}" \
  "${peers[@]}" \
  -gen-cpu "$gen_cpu" -target-cpu "$target_cpu" \
  ${RATES:+-rates "$RATES"} ${STEP:+-step "$STEP"} ${PHASES:+-phases "$PHASES"} ${RUNS:+-runs "$RUNS"} \
  ${CPU_RATES:+-cpu-rates "$CPU_RATES"} -out "$out/table.md"
echo "== table written to $out/table.md"
