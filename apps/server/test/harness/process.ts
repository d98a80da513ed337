import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/db/embedded.js';

const serverRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let built = false;

/** The production bundle, built once per test run (what `pnpm start` runs). */
export function buildServer(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['build.mjs'], { cwd: serverRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
  built = true;
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

/**
 * The built server as its own process, started as the README starts it: `node
 * apps/server/dist/main.js`, on the embedded database in a fresh data folder unless `env`
 * names a DATABASE_URL.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  buildServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'timbrix-process-'));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const { DATABASE_URL: _, ...inherited } = process.env;
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: serverRoot,
    env: { ...inherited, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, ...env },
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
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Timbrix is listening')) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  await listening;

  return {
    url: `http://localhost:${port}`,
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
