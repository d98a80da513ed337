/**
 * The most calls one tRPC batch may carry. The server refuses larger batches (TRPC_MAX_BATCH_CALLS
 * may lower or raise it per deployment); clients split theirs to fit (httpBatchLink's `maxItems`).
 */
export const DEFAULT_MAX_BATCH_CALLS = 10;
