#!/usr/bin/env bash
# Measures bploadgen beside vegeta (and fortio, if asked) on this machine:
# highest sustained open-loop rate, CPU per request and peak RSS at 2000 rps,
# and the latency each adds to a 10 ms server. Generator and target are
# pinned to different cores where possible. See bench/README.md.
#
#   bash bench/run.sh                 # bploadgen and vegeta
#   WITH_FORTIO=1 bash bench/run.sh   # also fortio (paced per connection)
#   RATES=2000,5000,10000 STEP=5s bash bench/run.sh
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

echo "== installing vegeta from the Go module proxy"
GOFLAGS=-mod=mod go install github.com/tsenart/vegeta/v12@v12.13.0
fortio=""
if [ "${WITH_FORTIO:-0}" = 1 ]; then
  echo "== installing fortio from the Go module proxy"
  GOFLAGS=-mod=mod go install fortio.org/fortio@latest
  fortio="$out/bin/fortio"
fi

gen_cpu=1 target_cpu=0
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then gen_cpu="" target_cpu=""; fi

"$out/bin/runner" -target "$out/bin/target" -bploadgen "$out/bin/bploadgen" -vegeta "$out/bin/vegeta" \
  ${fortio:+-fortio "$fortio"} -gen-cpu "$gen_cpu" -target-cpu "$target_cpu" \
  ${RATES:+-rates "$RATES"} ${STEP:+-step "$STEP"} -out "$out/table.md"
echo "== table written to $out/table.md"
