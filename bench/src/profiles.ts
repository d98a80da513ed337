import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from './settings.js';

/** Which package (or `timbrix`, `node`, or a V8 pseudo-frame) a profile frame belongs to. */
function packageOf({ functionName, url }: { functionName: string; url: string }): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  return url.includes('/dist/main.js') ? 'timbrix (bundled, incl. @timbrix/shared)' : url;
}

/** Self time by package and the busiest functions, from each CPU profile written. */
export async function summarizeProfiles(): Promise<string[]> {
  const directory = join(paths.results, 'profiles');
  const lines: string[] = [];
  for (const file of (await readdir(directory)).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
    };
    const selfSamples = new Map<number, number>();
    for (const sample of profile.samples)
      selfSamples.set(sample, (selfSamples.get(sample) ?? 0) + 1);
    const byFrame = new Map<string, number>();
    for (const node of profile.nodes) {
      const count = selfSamples.get(node.id) ?? 0;
      if (!count) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url
        ? `${url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')}:${lineNumber + 1}`
        : '';
      const key = `${functionName || '(anonymous)'} ${where}`.trim();
      byFrame.set(key, (byFrame.get(key) ?? 0) + count);
    }
    const total = profile.samples.length;
    lines.push(`${file}: ${total} samples; self time by package:`);
    const byPackage = new Map<string, number>();
    for (const node of profile.nodes) {
      const count = selfSamples.get(node.id) ?? 0;
      if (count)
        byPackage.set(
          packageOf(node.callFrame),
          (byPackage.get(packageOf(node.callFrame)) ?? 0) + count,
        );
    }
    for (const [name, count] of [...byPackage].sort((x, y) => y[1] - x[1]).slice(0, 12)) {
      lines.push(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
    lines.push('  top functions:');
    for (const [frame, count] of [...byFrame].sort((x, y) => y[1] - x[1]).slice(0, 12)) {
      lines.push(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${frame}`);
    }
  }
  return lines;
}
