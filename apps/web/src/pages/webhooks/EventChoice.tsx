import { SUBSCRIBABLE_EVENT_TYPES, type SubscribableEventType } from '@timbrix/shared/events';

/** Headings for the event types' prefixes; the security events share one. */
const GROUP_TITLES: Record<string, string> = {
  organization: 'Organization',
  member: 'Members',
  invite: 'Invitations',
  oauth_app: 'OAuth apps',
  webhook: 'Webhooks',
  authorization_code: 'Security',
  refresh_token: 'Security',
  client_authentication: 'Security',
};

/** The subscribable event types from the shared list, grouped by their prefix. */
const GROUPS = SUBSCRIBABLE_EVENT_TYPES.reduce((groups, type) => {
  const prefix = type.slice(0, type.indexOf('.'));
  const title = GROUP_TITLES[prefix] ?? prefix;
  groups.set(title, [...(groups.get(title) ?? []), type]);
  return groups;
}, new Map<string, SubscribableEventType[]>());

interface EventChoiceProps {
  chosen?: readonly string[];
  error?: string | undefined;
}

/** The events a webhook subscribes to, as checkboxes grouped by what they are about. */
export function EventChoice({ chosen = [], error }: EventChoiceProps) {
  return (
    <fieldset className="scopes" aria-describedby={error ? 'events-error' : undefined}>
      <legend>Events</legend>
      <div className="event-groups">
        {[...GROUPS].map(([title, types]) => (
          <fieldset key={title} className="event-group">
            <legend>{title}</legend>
            {types.map((type) => (
              <label key={type}>
                <input
                  type="checkbox"
                  name="events"
                  value={type}
                  defaultChecked={chosen.includes(type)}
                />
                <code>{type}</code>
              </label>
            ))}
          </fieldset>
        ))}
      </div>
      {error && (
        <p className="field-error" id="events-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A webhook form's values: text fields as strings, the events as the list ticked. */
export function webhookFormValues(form: HTMLFormElement) {
  const data = new FormData(form);
  return {
    url: String(data.get('url') ?? ''),
    description: String(data.get('description') ?? ''),
    events: data.getAll('events').map(String),
  };
}
