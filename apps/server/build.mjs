// Bundles the server into dist/ for production. Workspace packages (@timbrix/*) ship as
// TypeScript source, so they are bundled in; every other package stays an ordinary import.
import { build } from 'esbuild';

const workspacePackage = /^@timbrix\//;

await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-dependencies',
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, ({ path }) =>
          workspacePackage.test(path) ? undefined : { path, external: true },
        );
      },
    },
  ],
});
