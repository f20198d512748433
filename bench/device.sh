#!/usr/bin/env bash
# --loops scaling on a bigger machine that has neither Go nor a network
# (the device machine some sessions are lent: 16 CPUs). Two steps:
#
#   bash bench/device.sh build   # here: static bploadgen, target and runner, and
#                                # wrk with its libraries, into bench/out/dev (~25 MB)
#   bash bench/device.sh run     # there, with bench/out/dev carried: the highest
#                                # sustained rate of bploadgen (auto, --loops 1, 2, 4,
#                                # 8) and wrk's closed-loop ceiling, generator on the
#                                # upper half of the CPUs, target on the lower half
#
# run writes the table and the log to $OUT (default bench/out): loops.md and
# loops.log. RATES (default 20k to 200k), STEP (3s) and LOOPS (1,2,4,8)
# override. About 5 minutes on 16 CPUs; everything on 127.0.0.1, and it
# stops by itself. See bench/README.md, "Scaling with --loops".
set -euo pipefail
cd "$(dirname "$0")/.."
dev=bench/out/dev

case "${1:-}" in
build)
  mkdir -p "$dev/bin" "$dev/lib"
  for p in cmd/bploadgen bench/target bench/runner; do
    CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$dev/bin/$(basename "$p")" "./$p"
  done
  if wrk=$(command -v wrk); then
    # wrk is dynamically linked: its libraries and the loader travel with
    # it, and a wrapper runs it through that loader, whatever libc is there.
    cp "$wrk" "$dev/lib/wrk"
    ldd "$wrk" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | xargs -I{} cp -L {} "$dev/lib/"
    cat >"$dev/bin/wrk" <<'EOF'
#!/bin/sh
d=$(cd "$(dirname "$0")/../lib" && pwd)
exec "$d/ld-linux-x86-64.so.2" --library-path "$d" "$d/wrk" "$@"
EOF
    chmod +x "$dev/bin/wrk"
  else
    echo "no wrk here (apt-get install wrk): the run will have no closed-loop ceiling" >&2
  fi
  du -sh "$dev"
  ;;
run)
  out=${OUT:-bench/out}
  mkdir -p "$out"
  n=$(nproc)
  half=$((n / 2))
  gen="$half-$((n - 1))" tgt="0-$((half - 1))"
  [ "$half" -ge 1 ] && [ "$n" -ge 2 ] || { echo "needs 2 CPUs at least" >&2; exit 1; }
  variants=()
  IFS=',' read -ra ls <<<"${LOOPS:-1,2,4,8}"
  for l in "${ls[@]}"; do variants+=(-variant "--loops $l"); done
  wrk=()
  if [ -x "$dev/bin/wrk" ]; then
    wrk=(-wrk "$dev/bin/wrk" -wrk-threads "$half")
  fi
  echo "== $n CPUs: generator on $gen, target on $tgt; $(uname -r)" | tee "$out/loops.log"
  "$dev/bin/runner" -target "$dev/bin/target" -bploadgen "$dev/bin/bploadgen" "${variants[@]}" "${wrk[@]}" \
    -gen-cpu "$gen" -target-cpu "$tgt" -phases max -runs 1 -step "${STEP:-3s}" \
    -rates "${RATES:-20000,40000,60000,80000,100000,130000,160000,200000}" \
    -out "$out/loops.md" 2>&1 | tee -a "$out/loops.log"
  ;;
*)
  echo "usage: bash bench/device.sh build|run" >&2
  exit 2
  ;;
esac
