import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from '@timbrix/postgres';
import { startServerProcess, waitForHealth } from '@timbrix/testing';
import { paths, settings } from './settings.js';

export interface Server {
  url: string;
  stop(): Promise<unknown>;
}

const serverRoot = dirname(createRequire(import.meta.url).resolve('@timbrix/server/package.json'));

/** The production build of Timbrix, as `pnpm start` runs it, with limits off and quiet logs. */
export async function startProject(env: Record<string, string>, profile = false): Promise<Server> {
  const port = String(await freePort());
  const server = await startServerProcess(serverRoot, {
    env: {
      ...env,
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      PORT: port,
      HOST: '127.0.0.1',
      ISSUER_URL: env.ISSUER_URL ?? `http://127.0.0.1:${port}`,
      DB_POOL_MAX: String(settings.poolMax),
    },
    nodeOptions: profile ? ['--cpu-prof', `--cpu-prof-dir=${join(paths.results, 'profiles')}`] : [],
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => server.stop() };
}

/** The reference, verifying sessions and tokens with `project`'s published keys. */
export async function startReference(
  env: Record<string, string>,
  project: Server,
): Promise<Server> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(paths.source, 'reference-server.ts')],
    {
      cwd: paths.bench,
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        POOL_MAX: String(settings.poolMax),
        PROJECT_JWKS_URL: `${project.url}/.well-known/jwks.json`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(
    url,
    once(child, 'exit').then(([code]) => code as number | null),
    () => output,
  );
  return { url, stop: () => stop(child) };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
