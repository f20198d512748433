#!/bin/sh
# build-local.sh: build the bploadgen image without pulling anything from a
# registry: the static binary built here, on `scratch`, with this machine's
# CA certificates and (for the shard image) Debian's busybox-static.
#
#   deploy/container/build-local.sh [--target runtime|shard] [-t TAG] [--stage DIR]
#
#   --target runtime  the default: no shell at all (tag bploadgen:local)
#   --target shard    + busybox for the Kubernetes Job's pod script (tag bploadgen:local-shard)
#   -t TAG            the image's tag
#   --stage DIR       only stage the build context into DIR (empty or new); build no image
#
# Environment: ENGINE (podman, or docker; default podman), VERSION (default
# `git describe`), CA_CERTS (default /etc/ssl/certs/ca-certificates.crt),
# BUSYBOX (default /bin/busybox, from `apt-get install busybox-static`).
# The context is staged in a temporary directory and removed afterwards; no
# binary is written into the repository.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=runtime
tag=""
stage=""
ENGINE=${ENGINE:-podman}
CA_CERTS=${CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
BUSYBOX=${BUSYBOX:-/bin/busybox}

usage() {
	sed -n '2,17s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
	--target) target=$2; shift 2 ;;
	-t) tag=$2; shift 2 ;;
	--stage) stage=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "build-local.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
case $target in
runtime) : "${tag:=bploadgen:local}" ;;
shard) : "${tag:=bploadgen:local-shard}" ;;
*) echo "build-local.sh: --target is runtime or shard, not $target" >&2; exit 2 ;;
esac
if [ -z "${VERSION:-}" ]; then
	VERSION=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)
fi

if [ -n "$stage" ]; then
	mkdir -p "$stage"
	ctx=$(cd "$stage" && pwd)
	if [ -n "$(ls -A "$ctx")" ]; then
		echo "build-local.sh: $ctx is not empty" >&2
		exit 2
	fi
else
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/bploadgen-image.XXXXXX")
	trap 'rm -rf "$ctx"' EXIT
	trap 'exit 130' INT TERM
fi

# The binary: static (no cgo), reproducible paths, stripped; as ../../Dockerfile.
mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/etc/ssl/certs" "$ctx/rootfs/tmp"
chmod 1777 "$ctx/rootfs/tmp"
(cd "$root" && CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false \
	-ldflags "-s -w -X main.version=$VERSION" \
	-o "$ctx/rootfs/usr/local/bin/bploadgen" ./cmd/bploadgen)

# The CA bundle, so that https targets verify as on the host.
if [ ! -s "$CA_CERTS" ]; then
	echo "build-local.sh: no CA bundle at $CA_CERTS (apt-get install ca-certificates, or set CA_CERTS)" >&2
	exit 3
fi
cp "$CA_CERTS" "$ctx/rootfs/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$ctx/rootfs/etc/ssl/certs/ca-certificates.crt"

# busybox for the shard image: the static binary and one link per applet
# (sh, gzip, base64, ...), as distroless's :debug images have in /busybox.
mkdir -p "$ctx/busybox"
if [ -x "$BUSYBOX" ]; then
	if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
		echo "build-local.sh: $BUSYBOX is dynamically linked; the image has no libc (apt-get install busybox-static)" >&2
		exit 3
	fi
	cp "$BUSYBOX" "$ctx/busybox/busybox"
	for applet in $("$BUSYBOX" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$ctx/busybox/$applet"
	done
elif [ "$target" = shard ]; then
	echo "build-local.sh: no busybox at $BUSYBOX (apt-get install busybox-static, or set BUSYBOX)" >&2
	exit 3
fi
# (Without busybox the runtime image still builds: the shard stage, which
# copies the empty busybox/ directory, is not the one tagged.)

if [ -n "$stage" ]; then
	echo "build-local.sh: context staged in $ctx" >&2
	exit 0
fi
cd "$ctx"
old=$("$ENGINE" image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
"$ENGINE" build -f "$here/Containerfile.local" --target "$target" -t "$tag" "$ctx"
# The image the tag named before, now untagged, goes (with its intermediate
# layers); it stays if a container still uses it.
new=$("$ENGINE" image inspect --format '{{.Id}}' "$tag")
if [ -n "$old" ] && [ "$old" != "$new" ]; then
	"$ENGINE" rmi "$old" >/dev/null 2>&1 || true
fi
echo "build-local.sh: built $tag ($target, version $VERSION)" >&2
