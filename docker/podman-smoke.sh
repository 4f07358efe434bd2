#!/usr/bin/env bash
# Build the image with podman (no Docker daemon needed) and grade in it, as the default non-root user and
# as root with SYS_ADMIN. Needs root, podman and debootstrap (Debian packages). Usage:
#   bash docker/podman-smoke.sh WORKDIR            # BASE=python:3.11-slim-bookworm where a registry is reachable
# Without a registry (PyPI and Debian only), the base is a Debian bookworm root filesystem made by
# debootstrap (python3 3.11, venv) and imported; torch comes from $WHEELS when given (a local CPU wheel).
set -euo pipefail
WORK="$(mkdir -p "$1" && cd "$1" && pwd)"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${D2L_DATA_DIR:-$REPO/../shared/data}"
ROOTFS="${ROOTFS:-$WORK/rootfs}"
STORE=(--storage-driver vfs --root "$WORK/storage" --runroot "$WORK/run" --cgroup-manager cgroupfs)
# crun refuses hybrid (v1 + v2) cgroup hosts: run with runc there; RUN steps use chroot isolation
if command -v runc >/dev/null; then STORE+=(--runtime "$(command -v runc)"); fi
BASE="${BASE:-}"
if [ -z "$BASE" ]; then
  if ! podman "${STORE[@]}" image exists localhost/d2l-debian-python:bookworm; then
    [ -x "$ROOTFS/usr/bin/python3" ] || debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$ROOTFS" http://deb.debian.org/debian
    tar -C "$ROOTFS" -c . | podman "${STORE[@]}" import - localhost/d2l-debian-python:bookworm
  fi
  BASE=localhost/d2l-debian-python:bookworm
fi
rm -rf "$WORK/ctx" && mkdir "$WORK/ctx"
(cd "$REPO" && git ls-files -co --exclude-standard | tar -T - -cf -) | tar -x -C "$WORK/ctx"
cp -r "$DATA" "$WORK/ctx/data"
EXTRA=()
if [ -n "${WHEELS:-}" ]; then EXTRA=(-v "$WHEELS:$WHEELS:ro" --build-arg "PIP_FIND_LINKS=$WHEELS" --build-arg TORCH_INDEX=); fi
if [ -n "${PIP_CERT:-}" ]; then EXTRA+=(-v "$PIP_CERT:/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt); fi
podman "${STORE[@]}" build --layers=false --isolation chroot --network host --build-arg "BASE=$BASE" "${EXTRA[@]}" \
  --build-arg "PROFILE_ARGS=--chapters 3 --select ch3::linreg::book_example,ch3::softmax::book_example" \
  -t localhost/d2l-grader:test "$WORK/ctx"
mkdir -p "$WORK/sub/alice" "$WORK/reports" && cp -r "$REPO/solutions/ch3" "$WORK/sub/alice/ch3" && chmod -R a+rX "$WORK/sub"
chmod 777 "$WORK/reports"
SEL=(--chapters 3 --select ch3::linreg::book_example,ch3::softmax::book_example --no-plots)
for mode in user root; do
  FLAGS=(--rm --network none -v "$WORK/sub:/submissions:ro" -v "$WORK/reports:/reports")
  [ "$mode" = root ] && FLAGS+=(--user root --cap-add SYS_ADMIN)
  echo "=== podman run as $mode"
  podman "${STORE[@]}" run "${FLAGS[@]}" localhost/d2l-grader:test /submissions/alice --out "/reports/$mode" "${SEL[@]}"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"$mode: score {d['score']:g} / {d['max_score']:g}\")" \
    "$WORK/reports/$mode/results.json"
done
podman "${STORE[@]}" run --rm --network none --entrypoint id localhost/d2l-grader:test
