import { z } from 'zod';

/**
 * Every kind of event the stream carries: each is written to the audit log in the same
 * transaction as the change it describes, and delivered to the webhooks that subscribe to it.
 */
export const EVENT_TYPES = [
  'organization.created',
  'organization.updated',
  'organization.deleted',
  'member.added',
  'member.removed',
  'member.role_updated',
  'invite.created',
  'invite.accepted',
  'invite.cancelled',
  'oauth_app.created',
  'oauth_app.updated',
  'oauth_app.secret_rotated',
  'oauth_app.revoked',
  'oauth_app.deactivated',
  'oauth_app.reactivated',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.disabled',
  'webhook.test',
  'api_key.created',
  'api_key.updated',
  'api_key.revoked',
  'authorization_code.reuse_detected',
  'refresh_token.reuse_detected',
  'client_authentication.failures_exceeded',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const eventTypeSchema = z.enum(EVENT_TYPES, {
  error: (issue) =>
    `event must be one of ${EVENT_TYPES.join(', ')}${issue.input === undefined ? '' : `; got ${JSON.stringify(issue.input)}`}`,
});

/** `webhook.test` goes only to the webhook being tested: nobody subscribes to it. */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter(
  (type): type is Exclude<EventType, 'webhook.test'> => type !== 'webhook.test',
) as [Exclude<EventType, 'webhook.test'>, ...Exclude<EventType, 'webhook.test'>[]];
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

/** Who did it: a person, an app (its client id), an API key; null for the server itself. */
export const ACTOR_TYPES = ['user', 'app', 'api_key'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** What an event is about. */
export const TARGET_TYPES = [
  'organization',
  'member',
  'invitation',
  'oauth_app',
  'webhook',
  'authorization',
  'api_key',
] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
