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
 * BENCH_CONNECTIONS (20), BENCH_ONLY (part of a scenario's name), BENCH_PROFILE=1,
 * BENCH_GRANTS (codes and refresh tokens seeded per server and scenario, 60000).
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
};

export const chosen = (name: string) => !settings.only || name.includes(settings.only);
