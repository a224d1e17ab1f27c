#!/usr/bin/env bash
# Starts the image built by build.sh and checks it as a user would: `npm run paper` (the replay, with
# the telemetry server on) answers /healthz from the host and through the image's HEALTHCHECK,
# /readyz and /metrics answer, it runs as uid 10001, its JSON log lines carry service, role and
# level, `npm start` (the backtest) ends 0 with its report, and `npm test`'s runner works inside
# (one test file: the whole suite takes minutes).
# Prints the start-to-healthy time. Needs root and podman (see build.sh). podman prints two
# "unable to get systemd connection" errors on run: there is no systemd to time the HEALTHCHECK.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
IMAGE=${SOLRULES_IMAGE:-localhost/solrules:dev}
# shellcheck source-path=SCRIPTDIR source=podman.sh
. "$HERE/podman.sh"
podman image exists "$IMAGE" || { echo "check.sh: no image $IMAGE: run deploy/container/build.sh (npm run image:build)" >&2; exit 1; }

NAME=solrules-check-$$
fail() { echo "check.sh: FAIL: $*" >&2; podman logs --tail 20 "$NAME" >&2 || true; exit 1; }
trap 'podman rm -f "$NAME" >/dev/null 2>&1 || true' EXIT
now_ms() { date +%s%3N; }

echo "== image $IMAGE: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
t0=$(now_ms)
# npm run paper = solrules run: the replay at 20 days a second (~50 s), then 60 s more of serving
podman run -d --name "$NAME" "${PODMAN_FLAGS[@]}" -p 127.0.0.1::9464 -e SOLRULES_LOG_LEVEL=info -e SOLRULES_ROLE=all \
  "$IMAGE" npm run paper -- --speed 20 --linger 60 >/dev/null
PORT=$(podman port "$NAME" 9464/tcp | sed 's/.*://')
URL=http://127.0.0.1:$PORT
healthy_ms=
for _ in $(seq 1 600); do
  if curl -fsS -m 1 "$URL/healthz" >/dev/null 2>&1; then healthy_ms=$(( $(now_ms) - t0 )); break; fi
  [ "$(podman inspect --format '{{.State.Running}}' "$NAME")" = true ] || fail "the container stopped before /healthz answered"
  sleep 0.1
done
[ -n "$healthy_ms" ] || fail "/healthz did not answer within 60 s"
body=$(curl -fsS "$URL/healthz")
echo "/healthz answered ${healthy_ms} ms after podman run: $body (the engine's own start is uptimeSeconds of it)"
# The image's own HEALTHCHECK. Without systemd podman cannot run it on a timer (it says so on
# `podman run`); `podman healthcheck run` runs it now. Three tries, as its --retries.
ok=
for _ in 1 2 3; do if podman healthcheck run "$NAME" >/dev/null 2>&1; then ok=1; break; fi; sleep 2; done
[ -n "$ok" ] || fail "the image's HEALTHCHECK says unhealthy ($(podman healthcheck run "$NAME" 2>&1))"
echo "HEALTHCHECK: $(podman inspect --format '{{.State.Health.Status}}' "$NAME" 2>/dev/null || podman inspect --format '{{.State.Healthcheck.Status}}' "$NAME")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")
[ "$code" = 200 ] || [ "$code" = 503 ] || fail "/readyz answered $code"
echo "/readyz: $code $(curl -s "$URL/readyz")"
# Read whole first: `curl | grep -q` fails under pipefail when grep stops reading early (curl: (23)).
metrics=$(curl -fsS "$URL/metrics") || fail "/metrics did not answer"
grep -q '^solrules_build_info' <<<"$metrics" || fail "/metrics has no solrules_build_info"
echo "/metrics: $(grep -c '^solrules_' <<<"$metrics") solrules_ samples"
uid=$(podman exec "$NAME" id -u)
[ "$uid" = 10001 ] || fail "runs as uid $uid, not 10001"
echo "user: uid $uid ($(podman exec "$NAME" id -un))"
# the JSON log lines Promtail reads: service, role, level by name
line=$(podman logs "$NAME" 2>&1 | grep -m1 '^{.*"level":"' || true)
[ -n "$line" ] || fail "no JSON log line with a level name in the container's output"
if ! echo "$line" | grep -q '"service":"solrules"' || ! echo "$line" | grep -q '"role":"all"'; then fail "log line without service/role: $line"; fi
echo "log line: ${line:0:160}"
podman rm -f "$NAME" >/dev/null

# The README quick start's other half: `npm start` is the backtest (no network, no store); it
# must end 0 with its summary and write its report where the user is told to look.
echo "== npm start inside the image (the README quick start: the default backtest)"
t=$(now_ms)
start_out=$(podman run --rm "${PODMAN_FLAGS[@]}" --network none "$IMAGE" sh -c \
  'npm start >/tmp/start.log 2>&1; rc=$?; grep -E "^strategies:|^(final equity|total return) " /tmp/start.log; [ -s out/backtest/report.html ] || { echo "no out/backtest/report.html"; rc=1; }; [ $rc = 0 ] || tail -20 /tmp/start.log; exit $rc' 2>&1) \
  || fail "npm start (the backtest) failed inside the image: $start_out"
echo "$start_out" | grep -v 'systemd connection' || true
echo "npm start: exit 0, out/backtest/report.html written, $(( $(now_ms) - t )) ms"

echo "== npm test's runner inside the image (one file; the whole suite: podman run --rm --network host $IMAGE npm test)"
podman run --rm "${PODMAN_FLAGS[@]}" --network none "$IMAGE" node --import tsx --test test/deploy/grafana.test.ts 2>&1 | grep -E '^# (tests|pass|fail)' | tr '\n' ' '
echo
podman run --rm "${PODMAN_FLAGS[@]}" --network none "$IMAGE" node --import tsx --test test/deploy/grafana.test.ts >/dev/null 2>&1 || fail "a test failed inside the image"
echo "check.sh: OK (start to healthy ${healthy_ms} ms)"
