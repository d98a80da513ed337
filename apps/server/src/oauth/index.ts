import type { Services } from '@timbrix/api';
import { Router } from 'express';
import type { ProtocolAction } from './action.js';
import { authorize } from './actions/authorize.js';
import { discovery, jwks, protectedResource } from './actions/discovery.js';
import { introspection } from './actions/introspection.js';
import { revocation } from './actions/revocation.js';
import { token } from './actions/token.js';
import { codeExchangeJsonAction, refreshJsonAction, tokenJson } from './actions/token-json.js';

/** Every endpoint of the OAuth protocol. */
export const PROTOCOL_ACTIONS: readonly ProtocolAction[] = [
  authorize,
  token,
  tokenJson,
  codeExchangeJsonAction,
  refreshJsonAction,
  introspection,
  revocation,
  discovery,
  jwks,
  protectedResource,
];

export function protocolRouter(services: Services): Router {
  const router = Router();
  for (const action of PROTOCOL_ACTIONS)
    router[action.method](action.path, ...action.handlers(services));
  return router;
}

/** The actions' own OpenAPI operations, keyed by their path under /api. */
export function protocolPaths(): Record<string, Record<string, object>> {
  const paths: Record<string, Record<string, object>> = {};
  for (const { path, method, openapi } of PROTOCOL_ACTIONS) {
    if (openapi && path.startsWith('/api/')) {
      const under = path.slice('/api'.length);
      paths[under] = { ...paths[under], [method]: openapi };
    }
  }
  return paths;
}
