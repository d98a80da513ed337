/**
 * `pnpm bench`: the production build of Timbrix against a minimal reference server doing the
 * same irreducible work, on one database, interleaved A, B, A, B. Prints a table and writes
 * bench/results/latest.json. Any non-2xx answer fails the run. Settings: see settings.ts;
 * DATABASE_URL (else an embedded PostgreSQL); BENCH_PROFILE=1 for CPU profiles of the create
 * paths (REST and tRPC), the token path and people's grants into bench/results/profiles.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrl, ensureDatabase, startEmbeddedPostgres } from '@timbrix/postgres';
import { load, measure, type Row } from './measure.js';
import { seedPersonGrants } from './person-grants.js';
import { summarizeProfiles } from './profiles.js';
import { table } from './report.js';
import { type GrantPools, PERSON_GRANT_SCENARIOS, scenarios } from './scenarios.js';
import { seed } from './seed.js';
import { startProject, startReference } from './servers.js';
import { chosen, paths, settings } from './settings.js';

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
  try {
    let project = await startProject(shared);
    const issuer = { ISSUER_URL: project.url };
    let reference = await startReference({ ...shared, ...issuer }, project);
    const data = await seed(project.url);
    const grants = PERSON_GRANT_SCENARIOS.some(chosen) ? await seedGrants(db.url, data) : undefined;
    for (const scenario of scenarios(data, grants).filter((s) => chosen(s.name))) {
      rows.push(await measure(scenario, project, reference));
    }

    // The same token load with argon2 on every request: what the cache buys.
    await Promise.all([project.stop(), reference.stop()]);
    const uncached = { ...shared, ...issuer, CLIENT_SECRET_CACHE: 'off' };
    project = await startProject(uncached);
    reference = await startReference(uncached, project);
    const token = scenarios(data).find((s) => s.name.startsWith('token'))!;
    if (chosen('token, secret cache off')) {
      rows.push(
        await measure(
          { ...token, name: 'token, secret cache off', target: undefined },
          project,
          reference,
        ),
      );
    }
    await Promise.all([project.stop(), reference.stop()]);

    let profiles: string[] = [];
    if (settings.profile) {
      await rm(join(paths.results, 'profiles'), { recursive: true, force: true });
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
      profiles = await summarizeProfiles();
      console.log(`\n${profiles.join('\n')}`);
    }

    console.log(`\n${table(rows)}`);
    const results = { machine, settings, scenarios: rows, profiles };
    await writeFile(join(paths.results, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote ${join('bench', 'results', 'latest.json')}`);
  } finally {
    await db.stop();
  }
}

await main();
