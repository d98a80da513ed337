export * from './auth.js';
export * from './common.js';
export * from './invites.js';
export * from './oauth-apps.js';
export * from './oauth2.js';
export * from './organizations.js';
export * from './redirect-uri.js';
export * from './users.js';
