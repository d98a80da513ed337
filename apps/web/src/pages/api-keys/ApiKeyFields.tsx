import type { ApiKey } from '@timbrix/shared/schemas';
import { useId } from 'react';
import { Field } from '../../components/Field.js';
import type { FieldErrors } from '../../forms.js';

const STATUS_BADGE = { active: 'badge', expired: 'badge pending', revoked: 'badge off' };
const STATUS_LABEL = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

/** Whether a key works, ran out, or was revoked. */
export const ApiKeyStatus = ({ status }: Pick<ApiKey, 'status'>) => (
  <span className={STATUS_BADGE[status]}>{STATUS_LABEL[status]}</span>
);

/** The part of a key that is kept, as lists show it: never the key itself. */
export const KeyPrefix = ({ prefix }: Pick<ApiKey, 'prefix'>) => <code>sk_{prefix}…</code>;

/** A time as the person reads it, or what its absence means. */
export const timeOr = (time: string | null, none: string) =>
  time ? new Date(time).toLocaleString() : none;

/** A key's per-key limits in words. */
export const limitsOf = ({ rateLimitPerMinute, rateLimitPerHour }: ApiKey) =>
  [
    rateLimitPerMinute !== null && `${rateLimitPerMinute.toLocaleString()} a minute`,
    rateLimitPerHour !== null && `${rateLimitPerHour.toLocaleString()} an hour`,
  ]
    .filter(Boolean)
    .join(', ') || 'None of its own';

interface LimitFieldsProps {
  current?: Pick<ApiKey, 'rateLimitPerMinute' | 'rateLimitPerHour' | 'allowedIps'>;
  errors: FieldErrors;
}

/** The key's own request limits and the addresses it may be used from. */
export function LimitFields({ current, errors }: LimitFieldsProps) {
  const ips = useId();
  const described = [`${ips}-hint`, errors.allowedIps && `${ips}-error`].filter(Boolean);
  return (
    <>
      <div className="limit-grid">
        <Field
          label="Requests per minute (optional)"
          name="rateLimitPerMinute"
          type="number"
          inputMode="numeric"
          min={1}
          defaultValue={current?.rateLimitPerMinute ?? ''}
          error={errors.rateLimitPerMinute}
        />
        <Field
          label="Requests per hour (optional)"
          name="rateLimitPerHour"
          type="number"
          inputMode="numeric"
          min={1}
          defaultValue={current?.rateLimitPerHour ?? ''}
          error={errors.rateLimitPerHour}
        />
      </div>
      <p className="hint limit-hint">Blank: no limit of the key’s own (the server’s still hold).</p>
      <div className="field">
        <label htmlFor={ips}>Allowed IP addresses (optional)</label>
        <textarea
          id={ips}
          name="allowedIps"
          rows={4}
          spellCheck={false}
          autoComplete="off"
          defaultValue={current?.allowedIps.join('\n') ?? ''}
          aria-invalid={errors.allowedIps ? true : undefined}
          aria-describedby={described.join(' ')}
        />
        <p className="hint" id={`${ips}-hint`}>
          One IPv4 or IPv6 address or CIDR range per line, such as 203.0.113.7 or 10.0.0.0/8. Blank:
          usable from any address.
        </p>
        {errors.allowedIps && (
          <p className="field-error" id={`${ips}-error`}>
            {errors.allowedIps}
          </p>
        )}
      </div>
    </>
  );
}

/** A limit's field: blank is no limit (null), anything else the number it says. */
const limitOf = (value: FormDataEntryValue | null) => {
  const text = String(value ?? '').trim();
  return text === '' ? null : Number(text);
};

/**
 * An API key form's values, for the shared schemas to judge: text as typed, the scopes as
 * the list ticked, blank limits as null, the addresses one per line (blank lines skipped).
 */
export function apiKeyFormValues(form: HTMLFormElement) {
  const data = new FormData(form);
  return {
    name: String(data.get('name') ?? ''),
    description: String(data.get('description') ?? ''),
    scopes: data.getAll('scopes').map(String),
    rateLimitPerMinute: limitOf(data.get('rateLimitPerMinute')),
    rateLimitPerHour: limitOf(data.get('rateLimitPerHour')),
    allowedIps: String(data.get('allowedIps') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean),
  };
}
