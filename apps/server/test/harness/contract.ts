import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * The published contract, checked against every answer the tests receive: an answer on a
 * route of `/api/openapi.json` must have a status the operation declares, a body valid
 * against that response's schema (none where none is declared), and declare the headers of
 * the API's own that it carries. Anything else fails the test that received it.
 */

/** Headers that are the API's to document; transport headers (CORS, helmet, caching) are not. */
const CONTRACT_HEADERS = [
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'link',
  'www-authenticate',
];

interface Response {
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  responses: Record<string, Response>;
}
interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  operation: Operation;
}

export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, Operation>> }) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, 'openapi.json');
    this.routes = Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        operation,
      })),
    );
    // Literal paths before templated ones (`/oauth/token` before `/oauth/token/{tokenId}`).
    this.routes.sort((a, b) => a.template.split('{').length - b.template.split('{').length);
  }

  /** What is wrong with `answer`, or nothing (also for routes the document does not cover). */
  problems(answer: Answer): string[] {
    const { pathname } = new URL(answer.url);
    if (!pathname.startsWith('/api/')) return [];
    const path = pathname.slice('/api'.length);
    const route = this.routes.find((r) => r.method === answer.method && r.pattern.test(path));
    if (!route) return [];
    const where = `${answer.method} ${route.template} ${answer.status}`;
    const status = String(answer.status);
    const response = route.operation.responses[status] ?? route.operation.responses.default;
    if (!response) return [`${where}: status not documented`];

    const problems: string[] = [];
    const declared = Object.keys(response.headers ?? {}).map((name) => name.toLowerCase());
    for (const name of CONTRACT_HEADERS) {
      if (answer.headers[name] !== undefined && !declared.includes(name)) {
        problems.push(`${where}: header ${name} not documented`);
      }
    }
    const json = response.content?.['application/json'];
    if (!json) {
      // A page (the authorization endpoint's) is documented by its media type alone.
      const type = (answer.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (answer.body.length > 0 && !(type in (response.content ?? {}))) {
        problems.push(`${where}: a body where none is documented (${type || 'no type'})`);
      }
      return problems;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return [...problems, `${where}: the body is not JSON`];
    }
    const key = route.operation.responses[status] ? status : 'default';
    const method = answer.method.toLowerCase();
    const at = pointer('paths', route.template, method, 'responses', key, 'content');
    const ref = `openapi.json#/${at}/${pointer('application/json')}/schema`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    if (!validate(body)) {
      problems.push(
        `${where}: ${this.ajv.errorsText(validate.errors)} in ${answer.body.slice(0, 300)}`,
      );
    }
    return problems;
  }
}

const contracts = new Map<string, Promise<Contract>>();

/**
 * The contract the server at `origin` publishes, read once per origin. A server still
 * starting answers 503 for everything: that is no document, and it is asked again later.
 */
function contractOf(origin: string, fetchDocument: typeof fetch): Promise<Contract> {
  let contract = contracts.get(origin);
  if (!contract) {
    contract = fetchDocument(`${origin}/api/openapi.json`).then(async (response) => {
      if (!response.ok) throw new Error(`no OpenAPI document at ${origin}: ${response.status}`);
      return new Contract((await response.json()) as never);
    });
    contract.catch(() => contracts.delete(origin));
    contracts.set(origin, contract);
  }
  return contract;
}

/** Routes under /api that the document does not describe (they are not the API's). */
const UNDOCUMENTED = new Set(['/api/openapi.json', '/api/health', '/api/ready']);

/** Throws when `answer` breaks the contract of the server it came from. */
export async function checkAnswer(answer: Answer, fetchDocument: typeof fetch): Promise<void> {
  const { pathname, origin } = new URL(answer.url);
  if (
    !pathname.startsWith('/api/') ||
    UNDOCUMENTED.has(pathname) ||
    pathname.startsWith('/api/docs')
  ) {
    return;
  }
  const problems = (await contractOf(origin, fetchDocument)).problems(answer);
  if (problems.length > 0) {
    throw new Error(`The answer breaks the published contract:\n  ${problems.join('\n  ')}`);
  }
}

/** `fetch`, checking every answer against the contract (see `checkAnswer`). */
export function contractFetch(original: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await original(input, init);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const headers = Object.fromEntries(response.headers.entries());
    await checkAnswer(
      {
        method: method.toUpperCase(),
        url: response.url || String(input instanceof Request ? input.url : input),
        status: response.status,
        headers,
        body: await response.clone().text(),
      },
      original,
    );
    return response;
  };
}
