import type { OAuthAppView } from '@timbrix/shared/schemas';
import type { OAuthApp } from './entity.js';

/** An app as every answer about it shows it: never a secret. */
export function appView(app: OAuthApp): OAuthAppView {
  return {
    clientId: app.clientId,
    name: app.name,
    description: app.description ?? null,
    redirectUri: app.redirectUri ?? null,
    scopes: app.scopes,
    isActive: app.isActive,
    isPlatformResourceServer: app.isPlatformResourceServer,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}
