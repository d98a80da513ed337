import { AccessToken } from '../features/access-tokens/entity.js';
import { ApiKey } from '../features/api-keys/entity.js';
import {
  Authorization,
  AuthorizationRequest,
  Consent,
  RefreshToken,
} from '../features/authorizations/entity.js';
import { Event } from '../features/events/entity.js';
import { Invitation } from '../features/invitations/entity.js';
import { Membership } from '../features/memberships/entity.js';
import { ClientSecret, OAuthApp } from '../features/oauth-apps/entity.js';
import { Organization } from '../features/organizations/entity.js';
import { Session } from '../features/sessions/entity.js';
import { User } from '../features/users/entity.js';
import { Webhook, WebhookDelivery, WorkerHeartbeat } from '../features/webhooks/entity.js';
import { SigningKey } from '../keys/entity.js';
import { RateCounter } from '../limits/entity.js';

/** Every entity, for the ORM's metadata. */
export const entities = [
  User,
  Session,
  Organization,
  Membership,
  Invitation,
  OAuthApp,
  ClientSecret,
  AccessToken,
  AuthorizationRequest,
  Authorization,
  RefreshToken,
  Consent,
  SigningKey,
  RateCounter,
  Event,
  Webhook,
  WebhookDelivery,
  WorkerHeartbeat,
  ApiKey,
];
