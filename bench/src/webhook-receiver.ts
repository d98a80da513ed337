/**
 * The webhook bench's receiver, in a process of its own (so that the load generator's work
 * never delays the clock it reads): plain node:http on 127.0.0.1, answering 200 at once, and
 * recording each delivery's arrival (wall clock, ms) with its event id (the body's `id`) and
 * its delivery id (`Webhook-Id`). Its parent asks, over IPC: `count`, `report`, `reset`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One arrival: event id, delivery id, when the request reached the receiver. */
export type Arrival = [eventId: string, deliveryId: string, at: number];

export type ReceiverMessage =
  | { type: 'ready'; port: number }
  | { type: 'count'; count: number }
  | { type: 'report'; arrivals: Arrival[] }
  | { type: 'reset' };

let arrivals: Arrival[] = [];

const server = createServer((req, res) => {
  const at = Date.now();
  const deliveryId = String(req.headers['webhook-id'] ?? '');
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    res.writeHead(200, { 'content-length': '0' }).end();
    let eventId = '';
    try {
      eventId = String((JSON.parse(body) as { id?: unknown }).id ?? '');
    } catch {}
    arrivals.push([eventId, deliveryId, at]);
  });
});
server.keepAliveTimeout = 30_000;

const reply = (message: ReceiverMessage) => process.send?.(message);

process.on('message', (message: string) => {
  if (message === 'count') reply({ type: 'count', count: arrivals.length });
  else if (message === 'report') reply({ type: 'report', arrivals });
  else if (message === 'reset') {
    arrivals = [];
    reply({ type: 'reset' });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

server.listen(0, '127.0.0.1', () =>
  reply({ type: 'ready', port: (server.address() as AddressInfo).port }),
);
