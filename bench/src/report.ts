import type { Row } from './measure.js';

/** The run's results as one Markdown table, as docs/performance.md shows them. */
export function table(rows: Row[]): string {
  const lines = [
    '| scenario | Timbrix req/s | p50 / p99 ms | reference req/s | p50 / p99 ms | ratio | target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const target = row.target
      ? `${[
          row.target.ratio && `≥ ${row.target.ratio}`,
          row.target.rps && `> ${row.target.rps} req/s`,
        ]
          .filter(Boolean)
          .join(' and ')}: ${row.met ? 'met' : 'MISSED'}`
      : '';
    lines.push(
      `| ${row.scenario} | ${row.project.rps} | ${row.project.p50} / ${row.project.p99} | ${row.reference.rps} | ${row.reference.p50} / ${row.reference.p99} | ${row.ratio} | ${target} |`,
    );
  }
  return lines.join('\n');
}
