export * from './oauth-app.js';
export * from './organization.js';
export * from './signing-key.js';
export * from './user.js';

import { AccessToken, ClientSecret, OAuthApp } from './oauth-app.js';
import { Invitation, Membership, Organization } from './organization.js';
import { SigningKey } from './signing-key.js';
import { User } from './user.js';

export const entities = [
  User,
  Organization,
  Membership,
  Invitation,
  OAuthApp,
  ClientSecret,
  AccessToken,
  SigningKey,
];
