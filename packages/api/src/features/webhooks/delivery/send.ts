import type { ReadableStream } from 'node:stream/web';
import { Agent, type Dispatcher, fetch } from 'undici';
import { guardedLookup, type Resolver, refusedBeforeLookup } from './addresses.js';

/** The most of an answer that is read and kept (the delivery log shows it). */
export const RESPONSE_BODY_LIMIT = 1024;
export const USER_AGENT = 'Timbrix-Webhooks/1';

/**
 * The HTTP agent deliveries go through: every connection it opens resolves its host with the
 * guarded lookup, so the address checked is the address connected to.
 */
export function deliveryAgent(allowPrivateNetworks: boolean, resolve?: Resolver): Agent {
  return new Agent({
    connect: { lookup: guardedLookup(allowPrivateNetworks, resolve) },
    keepAliveTimeout: 4_000,
  });
}

export interface SendRequest {
  url: string;
  body: string;
  /** The signature headers (see `signatureHeaders`). */
  headers: Record<string, string>;
  dispatcher: Dispatcher;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

export interface SendResult {
  /** A 2xx answer; a redirect is a failure (never followed). */
  ok: boolean;
  statusCode: number | null;
  /** The first 1 KiB of the answer, as text. */
  responseBody: string | null;
  durationMs: number;
  /** Why no answer came, in a few words (never a stack). */
  error?: string;
}

/** One POST of one delivery attempt. Never throws: a failure is a result. */
export async function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string): SendResult => ({
    ok: false,
    statusCode: null,
    responseBody: null,
    durationMs: elapsed(),
    error,
  });

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failed('invalid url');
  }
  if (url.protocol !== 'https:' && !(request.allowPrivateNetworks && url.protocol === 'http:')) {
    return failed('url must be https');
  }
  if (refusedBeforeLookup(url, request.allowPrivateNetworks)) return failed('address not allowed');

  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: request.body,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
      },
      dispatcher: request.dispatcher,
      redirect: 'manual',
      signal,
    });
    const responseBody = await readPrefix(response.body, RESPONSE_BODY_LIMIT);
    return {
      ok: response.status >= 200 && response.status < 300,
      statusCode: response.status,
      responseBody,
      durationMs: elapsed(),
    };
  } catch (error) {
    return failed(reasonOf(error, request.timeoutMs, signal));
  }
}

/**
 * Up to `limit` bytes of a body, as text; the rest is never read (the stream is cancelled).
 * A body that breaks off (or outlasts the timeout) keeps what arrived.
 */
async function readPrefix(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<string | null> {
  if (!body) return null;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.byteLength;
    }
  } catch {
    // what arrived is what the log keeps
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

const REASONS: Record<string, string> = {
  EADDRNOTALLOWED: 'address not allowed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_HEADERS_OVERFLOW: 'answer headers too large',
};

/** A short reason for a request that got no answer. */
function reasonOf(error: unknown, timeoutMs: number, signal: AbortSignal): string {
  if (signal.aborted) return `timed out after ${formatSeconds(timeoutMs)} s`;
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (REASONS[code]) return REASONS[code];
    if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `TLS error (${code})`;
  }
  return 'request failed';
}

const formatSeconds = (ms: number) => String(Math.round(ms / 100) / 10);
