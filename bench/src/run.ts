/**
 * `pnpm bench`: the production build of Timbrix against a minimal reference server doing the
 * same irreducible work, on one database, interleaved A, B, A, B. Prints a table and writes
 * bench/results/latest.json. Any non-2xx answer fails the run. Then, on the product alone, API
 * keys against sessions and against each other (api-keys.ts), and webhook delivery at a fixed
 * offered rate (webhooks.ts). Settings: see settings.ts; DATABASE_URL (else an embedded
 * PostgreSQL); BENCH_PROFILE=1 for CPU profiles of the create paths (REST and tRPC), the token
 * path, people's grants, the key and session reads and the webhook scenario's server into
 * bench/results/profiles.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrl, ensureDatabase, startEmbeddedPostgres } from '@timbrix/postgres';
import { API_KEY_SCENARIOS, measureApiKeys } from './api-keys.js';
import { load, measure, type Row } from './measure.js';
import { seedPersonGrants } from './person-grants.js';
import { summarizeProfiles } from './profiles.js';
import { table, webhookTable } from './report.js';
import {
  type GrantPools,
  PERSON_GRANT_SCENARIOS,
  RATIO_SCENARIOS,
  scenarios,
} from './scenarios.js';
import { seed } from './seed.js';
import { startProject, startReference } from './servers.js';
import { chosen, paths, settings } from './settings.js';
import { measureWebhooks, WEBHOOK_SCENARIO, type WebhookResult } from './webhooks.js';

/** DATABASE_URL, or an embedded PostgreSQL in a temporary folder, removed afterwards. */
async function database() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const parent = await mkdtemp(join(tmpdir(), 'timbrix-bench-'));
  await chmod(parent, 0o755);
  const embedded = await startEmbeddedPostgres({
    directory: join(parent, 'data'),
    persistent: false,
  });
  await ensureDatabase(embedded.url, 'timbrix');
  return {
    url: databaseUrl(embedded.url, 'timbrix'),
    stop: async () => {
      await embedded.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Codes and refresh tokens for each server to spend, written to the shared database. */
async function seedGrants(url: string, data: Awaited<ReturnType<typeof seed>>) {
  const pools = async (): Promise<GrantPools> => ({
    codes: await seedPersonGrants(url, data, settings.grants, 'code'),
    refreshTokens: await seedPersonGrants(url, data, settings.grants, 'refresh'),
  });
  return { project: await pools(), reference: await pools() };
}

/** The scenarios against the reference (into `rows`), and their profiles if asked for. */
async function ratios(url: string, shared: Record<string, string>, rows: Row[]) {
  let project = await startProject(shared);
  const issuer = { ISSUER_URL: project.url };
  let reference = await startReference({ ...shared, ...issuer }, project);
  const data = await seed(project.url);
  const grants = PERSON_GRANT_SCENARIOS.some(chosen) ? await seedGrants(url, data) : undefined;
  for (const scenario of scenarios(data, grants).filter((s) => chosen(s.name))) {
    rows.push(await measure(scenario, project, reference));
  }
  await Promise.all([project.stop(), reference.stop()]);

  // The same token load with argon2 on every request: what the cache buys.
  if (chosen('token, secret cache off')) {
    const uncached = { ...shared, ...issuer, CLIENT_SECRET_CACHE: 'off' };
    project = await startProject(uncached);
    reference = await startReference(uncached, project);
    const token = scenarios(data).find((s) => s.name.startsWith('token'))!;
    rows.push(
      await measure(
        { ...token, name: 'token, secret cache off', target: undefined },
        project,
        reference,
      ),
    );
    await Promise.all([project.stop(), reference.stop()]);
  }

  if (!settings.profile) return;
  const profiledPaths = [
    'create app (REST)',
    'create app (tRPC)',
    'token (100 clients)',
    ...(grants ? PERSON_GRANT_SCENARIOS : []),
  ];
  for (const name of profiledPaths.filter(chosen)) {
    const profiled = await startProject({ ...shared, ...issuer }, true);
    const scenario = scenarios(data, grants).find((s) => s.name === name)!;
    await load(profiled.url, scenario.project, settings.duration);
    await profiled.stop();
  }
}

async function main() {
  await mkdir(paths.results, { recursive: true });
  const db = await database();
  const shared = { DATABASE_URL: db.url, KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
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

  const rows: Row[] = [];
  let webhooks: WebhookResult | undefined;
  try {
    if (settings.profile) {
      await rm(join(paths.results, 'profiles'), { recursive: true, force: true });
    }
    if (RATIO_SCENARIOS.some(chosen)) await ratios(db.url, shared, rows);
    if (API_KEY_SCENARIOS.some(chosen)) rows.push(...(await measureApiKeys(shared)));
    if (chosen(WEBHOOK_SCENARIO)) webhooks = await measureWebhooks(shared);
    const profiles = settings.profile ? await summarizeProfiles() : [];

    if (profiles.length > 0) console.log(`\n${profiles.join('\n')}`);
    if (rows.length > 0) console.log(`\n${table(rows)}`);
    if (webhooks) console.log(`\n${WEBHOOK_SCENARIO}\n${webhookTable(webhooks)}`);
    const results = { machine, settings, scenarios: rows, profiles, webhooks: webhooks ?? null };
    await writeFile(join(paths.results, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote ${join('bench', 'results', 'latest.json')}`);
  } finally {
    await db.stop();
  }
}

await main();
