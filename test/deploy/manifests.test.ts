/**
 * The deployment files pass the real tool or schema of their format: the Kubernetes manifests
 * (kubectl kustomize, then the Kubernetes OpenAPI schemas through kubernetes-models), the compose
 * file (docker-compose config), the NATS cluster config (nats-server -t), the stack's Prometheus
 * config (promtool), the Containerfile (dockerfile-utils, the VS Code Docker linter), the shell
 * scripts (shellcheck) and the Kubernetes wallets.yaml (solrules validate). Then what the issue
 * asks of them: a Deployment per role with probes, resources, non-root, keys as files.
 * Loki and Promtail have no validator available here (docs/deploy.md); what this file checks
 * of them is that Promtail's JSON stage finds its fields in a real log line and that the Grafana
 * derived field finds that line's trace id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { parse, parseAllDocuments } from 'yaml';
import { createLogger, initTracing, inSpan } from '../../engine/infra/telemetry/index.ts';
import { loadScannerConfig } from '../../engine/market/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { requireTool } from '../support/tools.ts';

const DEPLOY = join(REPO_ROOT, 'deploy');
const ROLES = ['scanner', 'planner', 'executor'] as const;

function run(tool: string, args: string[], env: Record<string, string> = {}): { status: number | null; output: string; stdout: string } {
  const r = spawnSync(tool, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

// --- Kubernetes ---------------------------------------------------------------------------------

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

const requireModels = createRequire(import.meta.url);
/** The kubernetes-models class for an object's apiVersion and kind (its validate() checks the OpenAPI schema). */
function modelFor(o: { apiVersion: string; kind: string }): (new (data: unknown) => { validate(): void }) | undefined {
  const module = o.apiVersion.includes('/') ? o.apiVersion : `v1`;
  try {
    return (requireModels(`kubernetes-models/${module}`) as Record<string, new (data: unknown) => { validate(): void }>)[o.kind];
  } catch {
    return undefined;
  }
}

function schemaErrors(o: K8sObject): string | undefined {
  const Model = modelFor(o);
  if (!Model) return `${o.apiVersion} ${o.kind}: no schema`;
  try {
    new Model(o).validate();
    return undefined;
  } catch (err) {
    return `${o.kind}/${o.metadata?.name}: ${(err as Error).message}`;
  }
}

let rendered: K8sObject[] | undefined;
function renderKustomization(t: Parameters<typeof requireTool>[0]): K8sObject[] | undefined {
  if (rendered) return rendered;
  const kubectl = requireTool(t, 'kubectl');
  if (!kubectl) return undefined;
  const r = run(kubectl, ['kustomize', 'deploy/k8s']);
  assert.equal(r.status, 0, r.output);
  rendered = parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
  return rendered;
}

test('the Kubernetes manifests render (kubectl kustomize) and every object passes the Kubernetes OpenAPI schema', (t) => {
  const objects = renderKustomization(t);
  if (!objects) return;
  const kinds = objects.map((o) => o.kind).sort();
  for (const [kind, n] of [['Deployment', 3], ['PodDisruptionBudget', 3], ['HorizontalPodAutoscaler', 2]] as const) assert.equal(kinds.filter((k) => k === kind).length, n, kind);
  for (const kind of ['Namespace', 'ServiceAccount', 'ConfigMap', 'Service', 'NetworkPolicy']) assert.ok(kinds.includes(kind), kind);
  assert.deepEqual(objects.map(schemaErrors).filter(Boolean), []);
  // the validator is live: a wrong type and a missing required field are refused
  const deployment = structuredClone(objects.find((o) => o.kind === 'Deployment')!);
  deployment.spec.template.spec.containers[0].ports[0].containerPort = 'metrics';
  assert.match(schemaErrors(deployment) ?? '', /containerPort must be integer/);
  const pdb = structuredClone(objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!);
  delete pdb.spec.scaleTargetRef;
  assert.match(schemaErrors(pdb) ?? '', /scaleTargetRef/);
});

test('a Deployment per role: `solrules run --role <role>`, probes on /healthz and /readyz, resources, non-root, read-only root', (t) => {
  const objects = renderKustomization(t);
  if (!objects) return;
  for (const role of ROLES) {
    const d: K8sObject | undefined = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `solrules-${role}`);
    assert.ok(d, `no Deployment for ${role}`);
    // rendered YAML, checked against the schema above: read as plain data
    const pod: any = d.spec.template.spec;
    const engine: any = pod.containers.find((c: { name: string }) => c.name === 'engine');
    assert.deepEqual(engine.command, ['node', '/app/bin/solrules.js', 'run', '--role', role]);
    // a chain run: the RPC from the env ConfigMap, the scanner.yaml from its own, in the image's chain project
    assert.deepEqual(engine.args, ['--rpc', '$(SOLRULES_RPC_URL)', '--ws', '$(SOLRULES_WS_URL)', '--scanner', '/etc/solrules/scanner.yaml']);
    assert.equal(engine.workingDir, '/app/examples/live');
    assert.ok(existsSync(join(REPO_ROOT, engine.workingDir.replace(/^\/app\//, ''), 'strategies.yaml')), `${role}: the image has a project at ${engine.workingDir}`);
    // Kubernetes leaves an undefined $(VAR) as it is: every one the args name must come from the env ConfigMap
    const envMaps = (engine.envFrom ?? []).map((e: { configMapRef?: { name: string } }) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === e.configMapRef?.name));
    for (const [, name] of engine.args.join(' ').matchAll(/\$\((\w+)\)/g)) assert.ok(envMaps.some((m: K8sObject | undefined) => m?.data?.[name!]), `${role}: $(${name}) is not defined by its env ConfigMap`);
    const scannerMount = engine.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/etc/solrules');
    const scannerVolume = pod.volumes.find((v: { name: string }) => v.name === scannerMount?.name);
    const scannerMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === scannerVolume?.configMap?.name);
    assert.ok(scannerMap?.data?.['scanner.yaml'], `${role}: /etc/solrules/scanner.yaml comes from a ConfigMap`);
    assert.ok(loadScannerConfig('/etc/solrules/scanner.yaml', scannerMap.data['scanner.yaml']).pools.length > 0, 'the engine\'s own parser reads its pools');
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) assert.equal(c.image, 'localhost/solrules:dev', `${role}/${c.name}: the kustomization sets the image`);
    assert.equal(engine.livenessProbe.httpGet.path, '/healthz');
    assert.equal(engine.startupProbe.httpGet.path, '/healthz');
    assert.equal(engine.readinessProbe.httpGet.path, '/readyz');
    assert.ok(engine.resources.requests.cpu && engine.resources.requests.memory && engine.resources.limits.memory, `${role}: resources`);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, 10001, 'the image user');
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${role}/${c.name}`);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${role}/${c.name}`);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], `${role}/${c.name}`);
    }
    const selector = d.spec.selector.matchLabels;
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && Object.entries(o.spec.selector.matchLabels).every(([k, v]) => selector[k] === v));
    assert.ok(pdb, `${role}: no PodDisruptionBudget selects its pods`);
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    assert.ok(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === hpa.spec.scaleTargetRef.name), `${hpa.metadata.name}: scales a Deployment that is not there`);
  }
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  assert.ok(policies.some((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.includes('Ingress') && p.spec.policyTypes.includes('Egress') && !p.spec.ingress && !p.spec.egress), 'a default-deny policy');
});

test('keys and passwords reach the pods as Secret files (copied 0600 into memory), never as env literals', (t) => {
  const objects = renderKustomization(t);
  if (!objects) return;
  const secretish = /KEY|TOKEN|PASSWORD|SECRET|PASS$/i;
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    const pod = d.spec.template.spec;
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      for (const e of c.env ?? []) if (secretish.test(e.name)) assert.ok(e.valueFrom?.secretKeyRef && e.value === undefined, `${d.metadata.name}/${c.name}: ${e.name} is a literal`);
    }
    const secretVolumes = pod.volumes.filter((v: { secret?: unknown }) => v.secret);
    assert.ok(secretVolumes.some((v: { secret: { secretName: string } }) => v.secret.secretName === 'solrules-store'), `${d.metadata.name}: the store password file`);
    const init = pod.initContainers.find((c: { name: string }) => c.name === 'secret-files');
    assert.match(init.command.join(' '), /install -m 0600/);
    const memory = pod.volumes.filter((v: { emptyDir?: { medium?: string } }) => v.emptyDir?.medium === 'Memory').map((v: { name: string }) => v.name);
    assert.ok(memory.includes('secrets'), `${d.metadata.name}: secrets copied into memory`);
  }
  const executor = objects.find((o) => o.metadata.name === 'solrules-executor')!.spec.template.spec;
  assert.ok(executor.volumes.some((v: { secret?: { secretName: string } }) => v.secret?.secretName === 'solrules-wallet-keys'), 'the executor gets the wallet keys');
  for (const role of ['scanner', 'planner']) {
    const pod = objects.find((o) => o.metadata.name === `solrules-${role}`)!.spec.template.spec;
    assert.ok(!pod.volumes.some((v: { secret?: { secretName: string } }) => v.secret?.secretName === 'solrules-wallet-keys'), `the ${role} has no wallet keys`);
  }
  // the wallets.yaml the pods read names only key files, in the directory the init container fills
  const wallets = parse(readFileSync(join(DEPLOY, 'k8s', 'wallets.yaml'), 'utf8')) as { wallets: Array<{ name: string; key: { file?: string } }> };
  for (const w of wallets.wallets) assert.match(w.key.file ?? '', /^~\/\.config\/solrules\/[\w-]+\.json$/, `${w.name}: a key file`);
  const mount = executor.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'keys');
  assert.equal(mount.mountPath, '/home/solrules/.config/solrules');
});

test('the Kubernetes wallets.yaml passes solrules validate', () => {
  const r = run(process.execPath, [join(REPO_ROOT, 'bin', 'solrules.js'), 'validate', 'deploy/k8s/wallets.yaml']);
  assert.equal(r.status, 0, r.output);
});

// --- compose, NATS, Prometheus ----------------------------------------------------------------

test('the compose file passes docker-compose config (Compose\'s own schema and interpolation)', (t) => {
  const compose = requireTool(t, 'docker-compose');
  if (!compose) return;
  // the chain the roles run on is required: without it compose refuses, naming it
  const unset = run(compose, ['-f', 'deploy/compose/compose.yaml', 'config', '-q'], { SOLRULES_RPC_URL: '', SOLRULES_WS_URL: '' });
  assert.notEqual(unset.status, 0);
  assert.match(unset.output, /set SOLRULES_RPC_URL/);
  const r = run(compose, ['-f', 'deploy/compose/compose.yaml', 'config'], { SOLRULES_RPC_URL: 'http://rpc.example:8899', SOLRULES_WS_URL: 'ws://rpc.example:8900' });
  assert.equal(r.status, 0, r.output);
  const resolved = parse(r.stdout) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; image: string; working_dir?: string; configs?: Array<{ source: string; target: string }> }>; configs: Record<string, { file: string }> };
  const services = Object.keys(resolved.services).sort();
  for (const s of ['nats-1', 'nats-2', 'nats-3', 'redis', 'postgres', 'prometheus', 'alertmanager', 'grafana', 'jaeger', 'loki', 'promtail', ...ROLES]) assert.ok(services.includes(s), `no service ${s}`);
  for (const role of ROLES) {
    assert.deepEqual(resolved.services[role]!.command, ['node', '/app/bin/solrules.js', 'run', '--role', role, '--rpc', 'http://rpc.example:8899', '--ws', 'ws://rpc.example:8900', '--scanner', '/etc/solrules/scanner.yaml']);
    assert.equal(resolved.services[role]!.working_dir, '/app/examples/live');
    const config = resolved.services[role]!.configs?.find((c) => c.target === '/etc/solrules/scanner.yaml');
    assert.ok(config, `${role}: scanner.yaml is mounted`);
    assert.ok(loadScannerConfig(resolved.configs[config.source]!.file).pools.length > 0, 'the engine\'s own parser reads its pools');
    const env = resolved.services[role]!.environment!;
    assert.equal(env.SOLRULES_ROLE, role);
    assert.match(env.SOLRULES_BUS!, /^nats:\/\/nats-1:4222,nats-2:4222,nats-3:4222\?replicas=3$/);
    for (const name of Object.keys(env)) assert.ok(!/PASSWORD|TOKEN|SECRET/.test(name), `${role}: ${name} in the environment`);
  }
  // the validator is live: an unknown service option is refused
  const bad = spawnSync(compose, ['-f', '-', 'config', '-q'], { cwd: join(DEPLOY, 'compose'), encoding: 'utf8', input: 'services:\n  a:\n    image: x\n    restart_policy: always\n' });
  assert.notEqual(bad.status, 0);
  assert.match(`${bad.stdout}${bad.stderr}`, /Unsupported config option for services.a: 'restart_policy'/);
});

test('each node of the NATS cluster config passes nats-server -t', (t) => {
  const nats = requireTool(t, 'nats-server');
  if (!nats) return;
  for (const name of ['nats-1', 'nats-2', 'nats-3']) {
    const r = run(nats, ['-t', '-c', 'deploy/nats/nats-cluster.conf'], { NATS_SERVER_NAME: name });
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /configuration file .* is valid/);
  }
  const unnamed = spawnSync(nats, ['-t', '-c', 'deploy/nats/nats-cluster.conf'], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  assert.notEqual(unnamed.status, 0, 'a node without NATS_SERVER_NAME is refused');
  const conf = readFileSync(join(DEPLOY, 'nats', 'nats-cluster.conf'), 'utf8');
  assert.equal([...conf.matchAll(/nats-route:\/\/nats-\d:6222/g)].length, 3, 'three routes');
  assert.match(conf, /jetstream \{/);
});

test("the compose stack's Prometheus config passes promtool check config and loads the alert rules", (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const r = run(promtool, ['check', 'config', 'deploy/prometheus/prometheus-stack.yml']);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /SUCCESS: 1 rule files found/);
});

// --- the image and the scripts -------------------------------------------------------------------

test('the Containerfile passes dockerfile-utils lint: multi-stage, non-root, HEALTHCHECK on /healthz, npm run paper', () => {
  const text = readFileSync(join(DEPLOY, 'container', 'Containerfile'), 'utf8');
  const problems = lintDockerfile(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(problems, []);
  assert.ok(lintDockerfile('FROM scratch\nEXPOSE abc\n').length > 0, 'the linter is live');
  const instructions = text.split('\n').filter((l) => /^[A-Z]+\s/.test(l));
  assert.ok(instructions.filter((l) => l.startsWith('FROM ')).length >= 2, 'multi-stage');
  assert.ok(instructions.some((l) => /^COPY --from=build /.test(l)), 'the runtime stage copies from the build stage');
  assert.match(instructions.filter((l) => l.startsWith('USER ')).at(-1) ?? '', /^USER 10001(:10001)?$/);
  assert.match(instructions.find((l) => l.startsWith('HEALTHCHECK ')) ?? '', /healthcheck\.mjs/);
  assert.match(readFileSync(join(DEPLOY, 'container', 'healthcheck.mjs'), 'utf8'), /\/healthz/);
  assert.equal(instructions.filter((l) => l.startsWith('CMD ')).at(-1), 'CMD ["npm", "run", "paper"]');
});

test('the deploy scripts pass shellcheck', (t) => {
  const shellcheck = requireTool(t, 'shellcheck');
  if (!shellcheck) return;
  const scripts = ['container', 'compose'].flatMap((dir) => readdirSync(join(DEPLOY, dir)).filter((f) => f.endsWith('.sh')).map((f) => `deploy/${dir}/${f}`));
  assert.ok(scripts.length >= 4, scripts.join(' '));
  const r = run(shellcheck, ['-x', ...scripts]);
  assert.equal(r.status, 0, r.output);
});

// --- logs to Loki, traces to Jaeger --------------------------------------------------------------

test("Promtail's JSON stage finds its fields in a real log line, and Grafana's derived field finds its trace id", async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = await initTracing({ exporters: [exporter] });
  const lines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', role: 'executor', destination: { write: (s: string) => void lines.push(s) } });
  let traceId = '';
  try {
    await inSpan('execution.submit', {}, async (span) => {
      traceId = span.spanContext().traceId;
      log.warn({ orderId: 'ord_1' }, 'rpc error, failing over');
    });
  } finally {
    await tracing.shutdown();
  }
  const line = lines[0]!;
  const record = JSON.parse(line) as Record<string, unknown>;
  for (const file of ['promtail-compose.yaml', 'promtail-k8s.yaml']) {
    const promtail = parse(readFileSync(join(DEPLOY, 'loki', file), 'utf8')) as { scrape_configs: Array<{ pipeline_stages: Array<Record<string, any>> }> };
    const stages = promtail.scrape_configs[0]!.pipeline_stages;
    const expressions = stages.find((s) => s.json)!.json.expressions as Record<string, string>;
    for (const [name, field] of Object.entries(expressions)) assert.ok(record[field] !== undefined, `${file}: the line has no '${field}' for Promtail's '${name}'`);
    assert.equal(stages.find((s) => s.timestamp)!.timestamp.format, 'UnixMs', file);
  }
  assert.deepEqual([record.service, record.role, record.level], ['solrules', 'executor', 'warn']);
  assert.ok(Math.abs(Number(record.time) - Date.now()) < 60_000, 'pino time is epoch milliseconds');
  const datasources = parse(readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'datasources.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; jsonData?: any }> };
  const loki = datasources.datasources.find((d) => d.type === 'loki')!;
  const jaeger = datasources.datasources.find((d) => d.type === 'jaeger')!;
  const field = loki.jsonData.derivedFields[0];
  assert.equal(field.datasourceUid, jaeger.uid);
  const m = new RegExp(field.matcherRegex).exec(line);
  assert.match(traceId, /^[0-9a-f]{32}$/);
  assert.equal(m?.[1], traceId);
  assert.equal(jaeger.jsonData.tracesToLogsV2.datasourceUid, loki.uid);
});
