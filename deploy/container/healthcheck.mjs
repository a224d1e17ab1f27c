// The image's HEALTHCHECK: exit 0 when the engine's /healthz answers 200 on its telemetry port.
// Node itself, since the image has no curl.
const port = process.env.SOLRULES_METRICS_PORT || '9464';
const url = `http://127.0.0.1:${port}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) {
    console.error(`${url}: HTTP ${res.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`${url}: ${err.cause?.code ?? err.message}`);
  process.exit(1);
}
