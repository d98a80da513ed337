import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@timbrix/postgres';

const built = new Set<string>();

/**
 * The production bundle of the server in `serverRoot` (apps/server), built once per process:
 * what `pnpm start` runs.
 */
export function buildServer(serverRoot: string): void {
  if (built.has(serverRoot)) return;
  const result = spawnSync(process.execPath, ['build.mjs'], { cwd: serverRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
  built.add(serverRoot);
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Its DATA_DIR: the embedded database's files, unless DATABASE_URL was given. */
  dataDir: string;
  /** Everything the process wrote to stdout and stderr. */
  output(): string;
  /** Sends `signal` and waits for the exit; resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServerProcessOptions {
  /** Added to the environment; PORT, DATA_DIR and NODE_ENV=production are set unless given. */
  env?: Record<string, string>;
  /** Options for node itself, e.g. `--cpu-prof`. */
  nodeOptions?: string[];
}

/**
 * The built server in `serverRoot` (apps/server) as its own process, started as the README
 * starts it: `node apps/server/dist/main.js`, on the embedded database in a fresh data folder
 * unless `env` names a DATABASE_URL. Resolves once it answers /api/health.
 */
export async function startServerProcess(
  serverRoot: string,
  { env = {}, nodeOptions = [] }: ServerProcessOptions = {},
): Promise<ServerProcess> {
  buildServer(serverRoot);
  const dataDir = await mkdtemp(join(tmpdir(), 'timbrix-process-'));
  await chmod(dataDir, 0o755);
  const port = env.PORT ?? String(await freePort());
  const { DATABASE_URL: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [...nodeOptions, join(serverRoot, 'dist/main.js')], {
    cwd: serverRoot,
    env: { ...inherited, NODE_ENV: 'production', PORT: port, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  // A test that fails before stopping its server must not leave it running: when this process
  // ends, the server is asked to stop (and stops the database it started).
  const stopOnExit = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopOnExit);
  void exited.then(() => process.off('exit', stopOnExit));
  const url = `http://localhost:${port}`;
  await waitForHealth(url, exited, () => output);

  return {
    url,
    child,
    dataDir,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      // Once only: a second signal tells the server to give up on a graceful exit.
      if (!child.killed && child.exitCode === null) child.kill(signal);
      const code = await exited;
      await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Waits until `url` answers /api/health; fails if the process exits first or after 60 s. */
export async function waitForHealth(
  url: string,
  exited: Promise<number | null>,
  output: () => string,
) {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code ?? -1;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`server exited (${exitCode}) before listening:\n${output()}`);
    }
    const up = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server not answering after 60 s:\n${output()}`);
}
