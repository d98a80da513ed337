import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServerProcess } from '@timbrix/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * @timbrix/client as an integrator gets it: packed to tarballs with the workspace packages
 * its types need, installed with npm into a project outside this repository, typechecked
 * with `tsc --strict`, and run against a live server.
 */
const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const serverRoot = dirname(createRequire(import.meta.url).resolve('@timbrix/server/package.json'));
let server: ServerProcess;
let project: string;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function succeed(command: string, args: string[], cwd: string, env?: Record<string, string>) {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}:\n${result.output}`);
  return result.output;
}

const SCRIPT = `import { createTimbrixClient } from '@timbrix/client';

const url = process.env.TIMBRIX_URL!;
const email = \`outside-\${Date.now()}@example.com\`;
const anonymous = createTimbrixClient({ url });
await anonymous.auth.register.mutate({ email, password: 'password-123' });
const { accessToken } = await anonymous.auth.login.mutate({ email, password: 'password-123' });
const signedIn = createTimbrixClient({ url, token: accessToken });
const organization = await signedIn.organizations.create.mutate({
  name: 'From outside',
  slug: \`outside-\${Date.now()}\`,
});
const inOrganization = createTimbrixClient({ url, token: accessToken, organizationId: organization.id });
const app = await inOrganization.oauthApps.create.mutate({ name: 'Outside app', scopes: ['read:user'] });
console.log(JSON.stringify({ slug: organization.slug, clientId: app.clientId, scopes: app.scopes }));
`;

// The types are real: a wrong call does not compile.
const WRONG = `import { createTimbrixClient } from '@timbrix/client';
await createTimbrixClient({ url: 'http://localhost' }).oauthApps.create.mutate({ name: 1, scopes: ['read:everything'] });
`;

const TSCONFIG = {
  // As \`tsc --init\` writes it: strict, and the libraries' own declarations taken as they are.
  compilerOptions: {
    strict: true,
    skipLibCheck: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    outDir: 'dist',
  },
};

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'timbrix-consumer-'));
  const tarballs: Record<string, string> = {};
  for (const name of ['shared', 'api', 'client']) {
    succeed(
      'npx',
      ['--yes', 'pnpm@12.4.2', 'pack', '--pack-destination', project],
      join(packages, name),
    );
    tarballs[`@timbrix/${name}`] = `file:./timbrix-${name}-0.1.0.tgz`;
  }
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: tarballs,
      devDependencies: { typescript: '5.9.3', '@types/node': '20.19.43' },
      // The packed packages name each other by version; here they come from the tarballs.
      overrides: tarballs,
    }),
  );
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({ ...TSCONFIG, include: ['script.ts'] }),
  );
  await writeFile(join(project, 'script.ts'), SCRIPT);
  await writeFile(join(project, 'wrong.ts'), WRONG);
  succeed(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    project,
  );
  server = await startServerProcess(serverRoot, { env: { RATE_LIMITS: 'off' } });
}, 240_000);

afterAll(async () => {
  await server?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

describe('@timbrix/client, installed outside the workspace', () => {
  it('typechecks a script with tsc --strict, and refuses a wrong call', () => {
    succeed('npx', ['tsc', '-p', '.'], project);
    const wrong = run(
      'npx',
      [
        'tsc',
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--target',
        'ES2022',
        '--types',
        'node',
        'wrong.ts',
      ],
      project,
    );
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(wrong.output).toMatch(/"read:everything"' is not assignable/);
  });

  it('registers, signs in, creates an organization and an app against a live server', () => {
    const output = succeed('node', ['dist/script.js'], project, { TIMBRIX_URL: server.url });
    expect(JSON.parse(output)).toEqual({
      slug: expect.stringMatching(/^outside-/),
      clientId: expect.stringMatching(/^app_[0-9a-f]{16}$/),
      scopes: ['read:user'],
    });
  });
});
