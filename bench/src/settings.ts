import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the bench's own files are, and where its results go. */
export const paths = {
  source: here,
  bench: join(here, '..'),
  results: join(here, '..', 'results'),
};

/**
 * Settings (environment): BENCH_DURATION (s, 5), BENCH_WARMUP (s, 2), BENCH_PAIRS (3),
 * BENCH_CONNECTIONS (20), BENCH_ONLY (part of a scenario's name: `apikeys` for the API-key
 * scenarios, `webhooks` for the webhook one), BENCH_PROFILE=1,
 * BENCH_GRANTS (codes and refresh tokens seeded per server and scenario, 60000); for the
 * webhook scenario BENCH_WEBHOOK_RATE (changes offered per second, 500),
 * BENCH_WEBHOOK_SECONDS (10), BENCH_WEBHOOK_ORGS (organizations the changes go round, each
 * with its webhook, 20) and WORKER_CONCURRENCY (the server's, passed on; its default 10).
 */
export const settings = {
  duration: Number(process.env.BENCH_DURATION ?? 5),
  warmup: Number(process.env.BENCH_WARMUP ?? 2),
  pairs: Number(process.env.BENCH_PAIRS ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 20),
  poolMax: 10,
  profile: process.env.BENCH_PROFILE === '1',
  grants: Number(process.env.BENCH_GRANTS ?? 60_000),
  /** Only the scenarios whose names contain this (for a quick look at one path). */
  only: process.env.BENCH_ONLY,
  webhooks: {
    rate: Number(process.env.BENCH_WEBHOOK_RATE ?? 500),
    seconds: Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10),
    organizations: Number(process.env.BENCH_WEBHOOK_ORGS ?? 20),
    workerConcurrency: process.env.WORKER_CONCURRENCY,
  },
};

export const chosen = (name: string) => !settings.only || name.includes(settings.only);
