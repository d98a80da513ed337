import { Migration } from '@mikro-orm/migrations';

/**
 * One event stream: `events` is the audit log and the outbox of webhook deliveries. Writing an
 * event row (in the transaction of the change it describes) fans it out, by trigger, into one
 * delivery row and one graphile-worker job per subscribed webhook, so an event that commits
 * is always queued and one that rolls back never is.
 */
export class Events extends Migration {
  override async up(): Promise<void> {
    // No foreign key to organizations: an organization's audit rows outlive it (retention).
    this.addSql(`
create table "events" (
  "id" uuid not null primary key,
  "created_at" timestamptz not null default now(),
  "type" text not null,
  "organization_id" uuid not null,
  "actor_type" text null,
  "actor_id" text null,
  "request_id" text null,
  "ip" text null,
  "user_agent" text null,
  "target_type" text not null,
  "target_id" text not null,
  "data" jsonb not null default '{}'
);`);
    this.addSql(
      'create index "events_organization_id_created_at_id_index" on "events" ("organization_id", "created_at", "id");',
    );
    this.addSql('create index "events_created_at_index" on "events" ("created_at");');

    this.addSql(`
create table "webhooks" (
  "id" uuid not null primary key,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  "organization_id" uuid not null,
  "url" text not null,
  "description" text null,
  "events" text[] not null,
  "is_active" boolean not null default true,
  "secret" text not null,
  "previous_secret" text null,
  "previous_secret_expires_at" timestamptz null,
  "failing_since" timestamptz null,
  "disabled_at" timestamptz null,
  constraint "webhooks_organization_id_foreign" foreign key ("organization_id")
    references "organizations" ("id") on update cascade on delete cascade
);`);
    this.addSql('create index "webhooks_organization_id_index" on "webhooks" ("organization_id");');

    this.addSql(`
create table "webhook_deliveries" (
  "id" uuid not null primary key,
  "created_at" timestamptz not null default now(),
  "webhook_id" uuid not null,
  "event_id" uuid not null,
  "event_type" text not null,
  "body" text not null,
  "status" text not null default 'pending',
  "attempts" int not null default 0,
  "status_code" int null,
  "response_body" text null,
  "duration_ms" int null,
  "last_attempt_at" timestamptz null,
  constraint "webhook_deliveries_webhook_id_foreign" foreign key ("webhook_id")
    references "webhooks" ("id") on update cascade on delete cascade
);`);
    this.addSql(
      'create index "webhook_deliveries_webhook_id_created_at_index" on "webhook_deliveries" ("webhook_id", "created_at");',
    );

    // Each queue worker's last sign of life: a worker that stops beating (a killed process)
    // has its jobs unlocked at once, instead of after the queue's four-hour lock timeout.
    this.addSql(`
create table "worker_heartbeats" (
  "worker_id" text not null primary key,
  "beat_at" timestamptz not null default now()
);`);

    // graphile_worker's schema is installed at start, after ours; the function resolves it
    // when an event is written. A receiver's failures are retried by the task itself, on the
    // documented schedule; the queue's own attempts (10, with its backoff) are for a task that
    // throws, such as one that cannot record its attempt while the database is away.
    this.addSql(`
create function "fan_out_event"() returns trigger language plpgsql as $$
declare
  delivery record;
  body text := json_build_object(
    'id', new.id,
    'type', new.type,
    'createdAt', to_char(new.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'organizationId', new.organization_id,
    'data', jsonb_build_object(
      'actor', case when new.actor_type is null then null
                    else jsonb_build_object('type', new.actor_type, 'id', new.actor_id) end,
      'target', jsonb_build_object('type', new.target_type, 'id', new.target_id)
    ) || new.data
  )::text;
begin
  if new.type = 'organization.deleted' then
    -- The organization's webhooks go with it in this transaction: each farewell job carries
    -- the snapshot it is sent from.
    perform graphile_worker.add_job(
      'deliver_webhook',
      json_build_object('farewell', json_build_object(
        'id', gen_random_uuid(), 'webhookId', w.id, 'url', w.url, 'secret', w.secret,
        'previousSecret', case when w.previous_secret_expires_at > now() then w.previous_secret end,
        'body', body, 'attempts', 0)),
      max_attempts := 10)
      from webhooks w
     where w.organization_id = new.organization_id and w.is_active
       and new.type = any(w.events);
    return null;
  end if;
  for delivery in
    insert into webhook_deliveries (id, webhook_id, event_id, event_type, body, created_at)
    select gen_random_uuid(), w.id, new.id, new.type, body, new.created_at
      from webhooks w
     where w.organization_id = new.organization_id
       and case when new.type = 'webhook.test' then w.id::text = new.target_id
                else w.is_active and new.type = any(w.events) end
    returning id
  loop
    perform graphile_worker.add_job(
      'deliver_webhook',
      json_build_object('deliveryId', delivery.id),
      job_key := 'delivery:' || delivery.id,
      max_attempts := 10);
  end loop;
  return null;
end $$;`);
    this.addSql(`
create trigger "events_fan_out" after insert on "events"
  for each row execute function "fan_out_event"();`);
  }
}
