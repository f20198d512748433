# syntax=docker/dockerfile:1
#
# bploadgen container images: a static Go binary (no cgo, trimmed paths,
# stripped) on a distroless base, running as the non-root user 65532.
#
#   docker build -t bploadgen .                       # default: no shell at all
#   docker build --target shard -t bploadgen:shard .  # + busybox, for the Kubernetes Job
#   docker run --rm bploadgen run http://target:8080/ --rate 500 --duration 30s
#
# The shard image adds busybox (/busybox/sh, gzip, base64) because the Indexed
# Job computes --shard $((JOB_COMPLETION_INDEX+1))/N and prints its result in
# the pod's log (deploy/kubernetes/README.md).

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/bploadgen ./cmd/bploadgen

FROM gcr.io/distroless/static-debian12:debug-nonroot AS shard
COPY --from=build /out/bploadgen /usr/local/bin/bploadgen
ENV PATH=/usr/local/bin:/busybox
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/bploadgen"]

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build /out/bploadgen /usr/local/bin/bploadgen
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/bploadgen"]
CMD ["--help"]
