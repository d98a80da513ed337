import type { Row } from './measure.js';
import type { WebhookResult } from './webhooks.js';

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

/** The webhook scenario's runs as one Markdown table (latencies in ms). */
export function webhookTable(result: WebhookResult): string {
  const lines = [
    '| run | changes committed / offered | change rate /s | delivered (duplicates) | delivery rate /s | latency p50 / p99 / max | from the answer p50 / p99 | drain ms | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  result.runs.forEach((run, i) => {
    lines.push(
      `| ${i + 1} | ${run.committed} / ${run.offered} | ${run.changeRate} | ${run.received} (${run.duplicates}) | ${run.deliveryRate} | ${run.latency.p50} / ${run.latency.p99} / ${run.latency.max} | ${run.latencyFromAnswer.p50} / ${run.latencyFromAnswer.p99} | ${run.drainMs} | ${run.met ? 'met' : 'MISSED'} |`,
    );
  });
  const m = result.median;
  lines.push(
    `| median | | ${m.changeRate} | | ${m.deliveryRate} | ${m.latency.p50} / ${m.latency.p99} / ${m.latency.max} | ${m.latencyFromAnswer.p50} / ${m.latencyFromAnswer.p99} | ${m.drainMs} | keeps up at ${result.rate}/s, p99 < ${result.target.p99Ms} ms: ${result.met ? 'met' : 'MISSED'} |`,
  );
  return lines.join('\n');
}
