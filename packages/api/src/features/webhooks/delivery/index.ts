/** Webhook delivery: the SSRF rule, signatures, one attempt, the queue task and its worker. */
export {
  ADDRESS_REFUSED,
  AddressNotAllowedError,
  type GuardedLookup,
  guardedLookup,
  isAllowedAddress,
  type Resolver,
  refusedBeforeLookup,
  webhookUrlProblem,
} from './addresses.js';
export { type DeliveryDependencies, deliverWebhookTask } from './deliver.js';
export {
  deliveryAgent,
  RESPONSE_BODY_LIMIT,
  type SendRequest,
  type SendResult,
  sendWebhook,
  USER_AGENT,
} from './send.js';
export { type SignatureInput, signatureHeaders } from './signature.js';
export { type DeliveryWorker, startWorker, type WorkerOptions } from './worker.js';
