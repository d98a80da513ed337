import autocannon from 'autocannon';
import type { Request, Scenario } from './scenarios.js';
import type { Server } from './servers.js';
import { settings } from './settings.js';

export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
}

/** One run of `request` against `origin` for `seconds`; any non-2xx answer fails it. */
export async function load(
  origin: string,
  request: Request,
  seconds: number,
): Promise<Measurement> {
  let i = 0;
  request.beforeRun?.();
  const result = await autocannon({
    url: origin,
    connections: settings.connections,
    duration: seconds,
    requests: [
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        setupRequest: (req: autocannon.Request) => {
          const extra = request.next?.(i++);
          return extra
            ? { ...req, body: extra.body, headers: { ...req.headers, ...extra.headers } }
            : req;
        },
      },
    ],
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    throw new Error(
      `${request.method} ${origin}${request.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function summarize(runs: Measurement[]) {
  return {
    rps: Math.round(median(runs.map((r) => r.rps))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    runs,
  };
}

/** Interleaves A, B, A, B ... after a warm-up of each; compares the medians. */
export async function measure(scenario: Scenario, project: Server, reference: Server) {
  await load(project.url, scenario.project, settings.warmup);
  await load(reference.url, scenario.reference, settings.warmup);
  const projectRuns: Measurement[] = [];
  const referenceRuns: Measurement[] = [];
  for (let pair = 0; pair < settings.pairs; pair++) {
    projectRuns.push(await load(project.url, scenario.project, settings.duration));
    referenceRuns.push(await load(reference.url, scenario.reference, settings.duration));
  }
  const a = summarize(projectRuns);
  const b = summarize(referenceRuns);
  const ratio = Number((a.rps / b.rps).toFixed(2));
  const met =
    (scenario.target?.ratio === undefined || ratio >= scenario.target.ratio) &&
    (scenario.target?.rps === undefined || a.rps >= scenario.target.rps);
  console.log(
    `${scenario.name.padEnd(28)} ${String(a.rps).padStart(6)} req/s  p50 ${a.p50} ms  p99 ${a.p99} ms | reference ${String(b.rps).padStart(6)} req/s  p50 ${b.p50} ms  p99 ${b.p99} ms | ratio ${ratio}${scenario.target ? (met ? '  (target met)' : '  (TARGET MISSED)') : ''}`,
  );
  return {
    scenario: scenario.name,
    project: a,
    reference: b,
    ratio,
    target: scenario.target ?? null,
    met,
  };
}

export type Row = Awaited<ReturnType<typeof measure>>;
