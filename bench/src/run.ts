/**
 * `pnpm bench`: the production build of Timbrix against a minimal reference server doing the
 * same irreducible work, on one database, interleaved A, B, A, B. Prints a table and writes
 * bench/results/latest.json. Any non-2xx answer fails the run.
 *
 * Settings (environment): BENCH_DURATION (s, 5), BENCH_WARMUP (s, 2), BENCH_PAIRS (3),
 * BENCH_CONNECTIONS (20), DATABASE_URL (else an embedded PostgreSQL), BENCH_PROFILE=1 (CPU
 * profiles of the project's two slowest paths into bench/results/profiles).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl, ensureDatabase, freePort, startEmbeddedPostgres } from '@timbrix/postgres';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const resultsDir = join(here, '..', 'results');
const settings = {
  duration: Number(process.env.BENCH_DURATION ?? 5),
  warmup: Number(process.env.BENCH_WARMUP ?? 2),
  pairs: Number(process.env.BENCH_PAIRS ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 20),
  poolMax: 10,
  profile: process.env.BENCH_PROFILE === '1',
  /** Only the scenarios whose names contain this (for a quick look at one path). */
  only: process.env.BENCH_ONLY,
};

interface Server {
  url: string;
  child: ChildProcess;
}

/** Resolves once `url` answers /api/health; rejects if the process exits first. */
async function listening(child: ChildProcess, url: string): Promise<void> {
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not listening after 30 s:\n${output}`);
}

async function startProject(env: Record<string, string>, profile = false): Promise<Server> {
  const port = await freePort();
  const args = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, 'profiles')}`, 'apps/server/dist/main.js']
    : ['apps/server/dist/main.js'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'production',
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ISSUER_URL: env.ISSUER_URL ?? `http://127.0.0.1:${port}`,
      DB_POOL_MAX: String(settings.poolMax),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  await listening(child, url);
  return { url, child };
}

/** The reference, verifying sessions and tokens with `project`'s published keys. */
async function startReference(env: Record<string, string>, project: Server): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'reference-server.ts')], {
    cwd: join(here, '..'),
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      POOL_MAX: String(settings.poolMax),
      PROJECT_JWKS_URL: `${project.url}/.well-known/jwks.json`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  await listening(child, url);
  return { url, child };
}

async function stop(server: Server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function call<T>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(url, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const body = (await response.json()) as T;
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** An account, an organization, 100 apps to spread token requests over, and 100 tokens. */
async function seed(project: string) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'bench-password-123';
  await call(`${project}/api/auth/register`, { method: 'POST', json: { email, password } });
  const { accessToken: session } = await call<{ accessToken: string }>(
    `${project}/api/auth/login`,
    {
      method: 'POST',
      json: { email, password },
    },
  );
  const auth = { authorization: `Bearer ${session}` };
  const org = await call<{ id: string }>(`${project}/api/organizations`, {
    method: 'POST',
    headers: auth,
    json: { name: 'Benchmarks', slug: `bench-${randomBytes(4).toString('hex')}` },
  });
  const headers = { ...auth, 'x-organization-id': org.id };
  const clients: Client[] = [];
  for (let i = 0; i < 101; i++) {
    clients.push(
      await call<Client>(`${project}/api/oauth/apps`, {
        method: 'POST',
        headers,
        json: { name: `Bench client ${i}`, scopes: ['read:organization', 'read:members'] },
      }),
    );
  }
  const resourceServer = clients.pop()!;
  const tokens: string[] = [];
  for (const client of clients) {
    const granted = await call<{ access_token: string }>(`${project}/api/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: basic(client),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    tokens.push(granted.access_token);
  }
  return { headers, clients, resourceServer, tokens };
}

interface Client {
  clientId: string;
  clientSecret: string;
}

const basic = ({ clientId, clientSecret }: Client) =>
  `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

type Seed = Awaited<ReturnType<typeof seed>>;

interface Scenario {
  name: string;
  /** The project's request (path and how to build each one). */
  project: Request;
  /** The reference's equivalent. */
  reference: Request;
  target?: { ratio?: number; rps?: number };
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Each request's body and extra headers, round robin over the seeded clients or tokens. */
  next?: (i: number) => { body?: string; headers?: Record<string, string> };
}

function scenarios(data: Seed): Scenario[] {
  const createBody = JSON.stringify({ name: 'Bench app', scopes: ['read:organization'] });
  const create: Request = {
    method: 'POST',
    path: '/api/oauth/apps',
    headers: { ...data.headers, 'content-type': 'application/json' },
    next: () => ({ body: createBody }),
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const token: Request = {
    method: 'POST',
    path: '/api/oauth2/token',
    headers: form,
    next: (i) => ({
      body: 'grant_type=client_credentials',
      headers: { authorization: basic(data.clients[i % data.clients.length]!) },
    }),
  };
  const introspect: Request = {
    method: 'POST',
    path: '/api/oauth2/introspect',
    headers: { ...form, authorization: basic(data.resourceServer) },
    next: (i) => ({ body: `token=${data.tokens[i % data.tokens.length]}` }),
  };
  const health: Request = { method: 'GET', path: '/api/health' };
  return [
    { name: 'create app (REST)', project: create, reference: create, target: { ratio: 0.9 } },
    {
      name: 'create app (tRPC)',
      project: { ...create, path: '/trpc/oauthApps.create' },
      reference: create,
      target: { ratio: 0.9 },
    },
    {
      name: 'token (100 clients)',
      project: token,
      reference: token,
      target: { ratio: 0.8, rps: 1000 },
    },
    { name: 'introspect', project: introspect, reference: introspect },
    { name: 'health', project: health, reference: health },
  ];
}

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
}

async function load(origin: string, request: Request, seconds: number): Promise<Measurement> {
  let i = 0;
  const result = await autocannon({
    url: origin,
    connections: settings.connections,
    duration: seconds,
    requests: [
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        setupRequest: (req: autocannon.Request) => {
          const extra = request.next?.(i++);
          return extra
            ? { ...req, body: extra.body, headers: { ...req.headers, ...extra.headers } }
            : req;
        },
      },
    ],
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    throw new Error(
      `${request.method} ${origin}${request.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function summarize(runs: Measurement[]) {
  return {
    rps: Math.round(median(runs.map((r) => r.rps))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    runs,
  };
}

/** Interleaves A, B, A, B ... after a warm-up of each. */
async function measure(scenario: Scenario, project: Server, reference: Server) {
  await load(project.url, scenario.project, settings.warmup);
  await load(reference.url, scenario.reference, settings.warmup);
  const projectRuns: Measurement[] = [];
  const referenceRuns: Measurement[] = [];
  for (let pair = 0; pair < settings.pairs; pair++) {
    projectRuns.push(await load(project.url, scenario.project, settings.duration));
    referenceRuns.push(await load(reference.url, scenario.reference, settings.duration));
  }
  const a = summarize(projectRuns);
  const b = summarize(referenceRuns);
  const ratio = Number((a.rps / b.rps).toFixed(2));
  const met =
    (scenario.target?.ratio === undefined || ratio >= scenario.target.ratio) &&
    (scenario.target?.rps === undefined || a.rps >= scenario.target.rps);
  const row = {
    scenario: scenario.name,
    project: a,
    reference: b,
    ratio,
    target: scenario.target ?? null,
    met,
  };
  console.log(
    `${scenario.name.padEnd(28)} ${String(a.rps).padStart(6)} req/s  p50 ${a.p50} ms  p99 ${a.p99} ms | reference ${String(b.rps).padStart(6)} req/s  p50 ${b.p50} ms  p99 ${b.p99} ms | ratio ${ratio}${scenario.target ? (met ? '  (target met)' : '  (TARGET MISSED)') : ''}`,
  );
  return row;
}

/** Which package (or `timbrix`, `node`, or a V8 pseudo-frame) a profile frame belongs to. */
function packageOf({ functionName, url }: { functionName: string; url: string }): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  return url.includes('/dist/main.js') ? 'timbrix (bundled, incl. @timbrix/shared)' : url;
}

async function summarizeProfiles(): Promise<string[]> {
  const directory = join(resultsDir, 'profiles');
  const lines: string[] = [];
  for (const file of (await readdir(directory)).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
    };
    const selfSamples = new Map<number, number>();
    for (const sample of profile.samples)
      selfSamples.set(sample, (selfSamples.get(sample) ?? 0) + 1);
    const byFrame = new Map<string, number>();
    for (const node of profile.nodes) {
      const count = selfSamples.get(node.id) ?? 0;
      if (!count) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url
        ? `${url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')}:${lineNumber + 1}`
        : '';
      const key = `${functionName || '(anonymous)'} ${where}`.trim();
      byFrame.set(key, (byFrame.get(key) ?? 0) + count);
    }
    const total = profile.samples.length;
    lines.push(`${file}: ${total} samples; self time by package:`);
    const byPackage = new Map<string, number>();
    for (const node of profile.nodes) {
      const count = selfSamples.get(node.id) ?? 0;
      if (count)
        byPackage.set(
          packageOf(node.callFrame),
          (byPackage.get(packageOf(node.callFrame)) ?? 0) + count,
        );
    }
    for (const [name, count] of [...byPackage].sort((x, y) => y[1] - x[1]).slice(0, 12)) {
      lines.push(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
    lines.push('  top functions:');
    for (const [frame, count] of [...byFrame].sort((x, y) => y[1] - x[1]).slice(0, 12)) {
      lines.push(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${frame}`);
    }
  }
  return lines;
}

type Row = Awaited<ReturnType<typeof measure>>;

/** The run's results as one Markdown table, as docs/performance.md shows them. */
function table(rows: Row[]): string {
  const lines = [
    '| scenario | Timbrix req/s | p50 / p99 ms | reference req/s | p50 / p99 ms | ratio | target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const target = row.target
      ? `${[
          row.target.ratio && `≥ ${row.target.ratio}`,
          row.target.rps && `> ${row.target.rps} req/s`,
        ]
          .filter(Boolean)
          .join(' and ')}: ${row.met ? 'met' : 'MISSED'}`
      : '';
    lines.push(
      `| ${row.scenario} | ${row.project.rps} | ${row.project.p50} / ${row.project.p99} | ${row.reference.rps} | ${row.reference.p50} / ${row.reference.p99} | ${row.ratio} | ${target} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  await mkdir(resultsDir, { recursive: true });
  let stopDatabase = async () => {};
  let url = process.env.DATABASE_URL;
  if (!url) {
    const parent = await mkdtemp(join(tmpdir(), 'timbrix-bench-'));
    await chmod(parent, 0o755);
    const embedded = await startEmbeddedPostgres({
      directory: join(parent, 'data'),
      persistent: false,
    });
    await ensureDatabase(embedded.url, 'timbrix');
    url = databaseUrl(embedded.url, 'timbrix');
    stopDatabase = async () => {
      await embedded.stop();
      await rm(parent, { recursive: true, force: true });
    };
  }
  const shared = { DATABASE_URL: url, KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  console.log(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`);
  console.log(
    `settings: ${settings.connections} connections, ${settings.warmup} s warm-up, ${settings.pairs} pairs of ${settings.duration} s\n`,
  );

  const rows = [];
  try {
    let project = await startProject(shared);
    const issuer = { ISSUER_URL: project.url };
    let reference = await startReference({ ...shared, ...issuer }, project);
    const data = await seed(project.url);
    const chosen = scenarios(data).filter((s) => !settings.only || s.name.includes(settings.only));
    for (const scenario of chosen) rows.push(await measure(scenario, project, reference));

    // The same token load with argon2 on every request: what the cache buys.
    await Promise.all([stop(project), stop(reference)]);
    const uncached = { ...shared, ...issuer, CLIENT_SECRET_CACHE: 'off' };
    project = await startProject(uncached);
    reference = await startReference(uncached, project);
    const token = scenarios(data).find((s) => s.name.startsWith('token'))!;
    if (!settings.only || 'token, secret cache off'.includes(settings.only)) {
      rows.push(
        await measure(
          { ...token, name: 'token, secret cache off', target: undefined },
          project,
          reference,
        ),
      );
    }
    await Promise.all([stop(project), stop(reference)]);

    let profiles: string[] = [];
    if (settings.profile) {
      await rm(join(resultsDir, 'profiles'), { recursive: true, force: true });
      for (const name of ['create app (REST)', 'token (100 clients)'].filter(
        (n) => !settings.only || n.includes(settings.only),
      )) {
        const profiled = await startProject({ ...shared, ...issuer }, true);
        const scenario = scenarios(data).find((s) => s.name === name)!;
        await load(profiled.url, scenario.project, settings.duration);
        await stop(profiled);
      }
      profiles = await summarizeProfiles();
      console.log(`\n${profiles.join('\n')}`);
    }

    console.log(`\n${table(rows)}`);
    const results = { machine, settings, scenarios: rows, profiles };
    await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote ${join('bench', 'results', 'latest.json')}`);
  } finally {
    await stopDatabase();
  }
}

await main();
