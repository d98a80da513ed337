import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The shape the code keeps: short files, no import cycles, packages that stand alone. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SOURCE_ROOTS = [
  'apps/server/src',
  'packages/api/src',
  'packages/shared/src',
  'packages/client/src',
  'packages/postgres/src',
  'packages/testing/src',
  'bench/src',
];
const MAX_LINES = 250;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = SOURCE_ROOTS.flatMap((folder) => sourceFiles(join(root, folder)));
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm;

/** The files `file` imports by relative path (`./x.js` is `./x.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) =>
    resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')),
  );
}

describe('the source', () => {
  it(`has no file over ${MAX_LINES} lines (the bench's reference server aside)`, () => {
    const long = files
      .filter((file) => !file.endsWith('bench/src/reference-server.ts'))
      .map((file) => [relative(root, file), readFileSync(file, 'utf8').split('\n').length - 1])
      .filter(([, lines]) => Number(lines) > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' -> '),
        );
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps @timbrix/client free of the server app', () => {
    const client = files.filter((file) => file.includes('/packages/client/src/'));
    for (const file of client) {
      expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(
        /from '(@timbrix\/server|[./]*apps\/)/,
      );
    }
  });
});
