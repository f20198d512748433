#!/usr/bin/env bash
# Peak RSS of the event loop with many connections waiting for their
# headers (issue #14, item 15). bench/drip answers every request with a
# header block dripped in 8 pieces 250 ms apart, so each connection holds
# half-received header lines for 2 s; bploadgen sends 2000 requests in 1 s
# with --client loop, so about 2000 connections wait at once. Three
# header shapes: one 64 KiB line (a huge cookie), 150 lines of 100 bytes,
# one 8 KiB line. Prints the peak RSS (/usr/bin/time) and the outcomes.
#
#   bash bench/slowheads.sh                       # this checkout
#   BPL=/path/to/older/bploadgen bash bench/slowheads.sh   # another build
#
# Everything runs on 127.0.0.1 and stops by itself (about 15 s).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out/bin"
go build -o "$out/bin/drip" ./bench/drip
bpl=${BPL:-}
if [ -z "$bpl" ]; then
  go build -o "$out/bin/bploadgen" ./cmd/bploadgen
  bpl="$out/bin/bploadgen"
fi

shape() { # LINES LINE_BYTES DESCRIPTION
  "$out/bin/drip" -lines "$1" -line "$2" -pieces 8 -every 250ms >"$out/drip.addr" &
  local dp=$!
  for _ in $(seq 50); do [ -s "$out/drip.addr" ] && break; sleep 0.1; done
  local addr
  addr=$(head -1 "$out/drip.addr")
  /usr/bin/time -f '%M' -o "$out/slowheads.rss" "$bpl" run "http://$addr/" --client loop \
    --rate 2000 --duration 1s --max-in-flight 5000 --timeout 30s -q -o "$out/slowheads.json" >/dev/null 2>"$out/slowheads.err" || true
  kill "$dp"; wait "$dp" 2>/dev/null || true
  printf '%-28s peak RSS %6.1f MiB  ' "$3" "$(awk '{print $1/1024}' "$out/slowheads.rss")"
  jq -r '.total | "sent \(.sent), in flight at most \(.in_flight_max), status \(.status | tostring), errors \(.errors | with_entries(select(.value > 0)) | tostring)"' "$out/slowheads.json"
  jq -r '.warnings[]? | "    warning: " + .' "$out/slowheads.json"
  rm -f "$out/drip.addr"
}
shape 1 65536 "1 line of 64 KiB"
shape 150 100 "150 lines of 100 B"
shape 1 8192 "1 line of 8 KiB"
