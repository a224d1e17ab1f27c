#!/usr/bin/env bash
# Builds the solrules image with podman from Debian packages only (no image registry):
#   1. the base image: a Debian root filesystem made by mmdebstrap (trixie: Debian's nodejs 20,
#      npm, tini, ca-certificates, passwd), imported as localhost/solrules-base:<suite>
#      (skipped when it exists; SOLRULES_REBUILD_BASE=1 remakes it);
#   2. the build context: the checkout's files (git ls-files: tracked and untracked-not-ignored,
#      so no node_modules) and the shared fixtures;
#   3. podman build of deploy/container/Containerfile (multi-stage, docker format for HEALTHCHECK).
# Needs root and the Debian packages podman, buildah, mmdebstrap, runc, iptables.
# Prints the time of each step and the image size.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SUITE=${SOLRULES_DEBIAN_SUITE:-trixie}
MIRROR=${SOLRULES_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SOLRULES_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
BASE=localhost/solrules-base:$SUITE
IMAGE=${SOLRULES_IMAGE:-localhost/solrules:dev}
# shellcheck source-path=SCRIPTDIR source=podman.sh
. "$HERE/podman.sh"

for tool in podman mmdebstrap git; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed (apt-get install podman buildah mmdebstrap runc iptables)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "build.sh: run as root (rootful podman; mmdebstrap in root mode)" >&2; exit 1; }

# the shared fixtures, found as the engine finds them: SOLRULES_SHARED_FIXTURES, else ../shared/fixtures beside an ancestor
find_fixtures() {
  if [ -n "${SOLRULES_SHARED_FIXTURES:-}" ]; then echo "$SOLRULES_SHARED_FIXTURES"; return; fi
  local dir=$ROOT
  while [ "$dir" != / ]; do
    [ -d "$dir/shared/fixtures" ] && { echo "$dir/shared/fixtures"; return; }
    dir=$(dirname "$dir")
  done
  echo "build.sh: no shared/fixtures beside the checkout; set SOLRULES_SHARED_FIXTURES" >&2
  return 1
}
FIXTURES=$(find_fixtures)
[ -f "$FIXTURES/prices/README.md" ] || [ -d "$FIXTURES/prices" ] || { echo "build.sh: $FIXTURES has no prices/ (the replayed series)" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
WORK=$(mktemp -d /var/tmp/solrules-image.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

t0=$(now)
if [ "${SOLRULES_REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$BASE"; then
  echo "== base image $BASE: mmdebstrap $SUITE from $MIRROR"
  t=$(now)
  # the hook runs in mmdebstrap's shell with the root as $1 (single quotes on purpose)
  # shellcheck disable=SC2016
  mmdebstrap --quiet --variant=essential \
    --include=nodejs,npm,tini,ca-certificates,passwd \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$SUITE" "$WORK/rootfs.tar" \
    "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY_MIRROR $SUITE-security main"
  podman import --quiet --change 'CMD ["/bin/bash"]' \
    --message "Debian $SUITE (mmdebstrap, essential + nodejs npm tini ca-certificates passwd)" \
    "$WORK/rootfs.tar" "$BASE" >/dev/null
  rm -f "$WORK/rootfs.tar"
  echo "base image: $(elapsed "$t") s, node $(podman run --rm "${PODMAN_FLAGS[@]}" --network none "$BASE" node --version)"
else
  echo "== base image $BASE exists (SOLRULES_REBUILD_BASE=1 remakes it)"
fi

echo "== build context: $ROOT (git ls-files) + $FIXTURES"
t=$(now)
mkdir -p "$WORK/ctx/app" "$WORK/ctx/fixtures"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -xf - -C "$WORK/ctx/app"
cp -a "$FIXTURES/." "$WORK/ctx/fixtures/"
echo "context: $(du -sh "$WORK/ctx" | cut -f1) in $(elapsed "$t") s"

echo "== podman build $IMAGE"
t=$(now)
# host network for the build: the npm registry is the only thing it reaches, trusting what the
# host's npm trusts (SOLRULES_BUILD_CA, else npm's cafile, else the system bundle)
BUILD_CA=${SOLRULES_BUILD_CA:-$(npm config get cafile 2>/dev/null || true)}
case "$BUILD_CA" in ''|null|undefined) BUILD_CA=/etc/ssl/certs/ca-certificates.crt ;; esac
[ -f "$BUILD_CA" ] || { echo "build.sh: CA bundle $BUILD_CA not found (set SOLRULES_BUILD_CA)" >&2; exit 1; }
podman build "${PODMAN_FLAGS[@]}" --format docker --network host --layers \
  --secret "id=build-ca,src=$BUILD_CA" \
  --build-arg "BASE=$BASE" -f "$HERE/Containerfile" -t "$IMAGE" "$WORK/ctx"
build_s=$(elapsed "$t")
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $(awk -v s="$size" 'BEGIN { printf "%.0f MB", s / 1e6 }') ($size bytes); podman build $build_s s; total $(elapsed "$t0") s"
