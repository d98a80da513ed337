import { type Context, createContext, type Principal } from './context.js';
import { appRouter } from './router.js';
import type { Services } from './services.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);

/**
 * The API called directly, without HTTP, as `principal`: every procedure with its whole
 * middleware chain, on a unit of work of its own. For tests where the wire is not the point.
 */
export function callerFor(
  services: Services,
  principal: Principal,
  options: Partial<Pick<Context, 'organizationId' | 'ip' | 'requestId'>> = {},
) {
  return createCaller(
    createContext(services, {
      transport: 'caller',
      principal,
      organizationId: options.organizationId,
      ip: options.ip ?? '127.0.0.1',
      requestId: options.requestId ?? 'caller',
    }),
  );
}
