import { useInfiniteQuery } from '@tanstack/react-query';
import { EVENT_TYPES } from '@timbrix/shared/events';
import { type AuditEvent, auditLogInput } from '@timbrix/shared/schemas';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api.js';
import { Field } from '../components/Field.js';
import { Empty, Failure, FormError, Loading } from '../components/Status.js';
import { Table } from '../components/Table.js';
import { type FieldErrors, fieldsOf, validate } from '../forms.js';

const PAGE = 50;

type Filters = Pick<
  Parameters<typeof api.auditLog.list.query>[0],
  'type' | 'actorId' | 'since' | 'until'
>;

/** A `datetime-local` value (local time, no zone) as the ISO time the API takes. */
const isoOf = (local: string | undefined) => {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? local : time.toISOString();
};

/** What happened in the organization, newest first, filtered and paged. */
export function AuditLog({ organizationId }: { organizationId: string }) {
  const typeId = useId();
  const [filters, setFilters] = useState<Filters>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const events = useInfiniteQuery({
    queryKey: ['auditLog.list', organizationId, filters],
    queryFn: ({ pageParam }) =>
      api.auditLog.list.query({ organizationId, limit: PAGE, after: pageParam, ...filters }),
    initialPageParam: undefined as string | undefined,
    // A full page may have more behind it; the last event's id is where the next one starts.
    getNextPageParam: (page) => (page.length === PAGE ? page.at(-1)?.id : undefined),
  });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { type, actorId, since, until } = fieldsOf(event.currentTarget);
    const checked = validate(auditLogInput, {
      organizationId,
      type: type || undefined,
      actorId: actorId?.trim() || undefined,
      since: isoOf(since),
      until: isoOf(until),
    });
    setErrors(checked.errors ?? {});
    if (!checked.data) return;
    const { type: t, actorId: a, since: s, until: u } = checked.data;
    setFilters({ type: t, actorId: a, since: s, until: u });
  };
  const rows = events.data?.pages.flat() ?? [];

  return (
    <section className="stack">
      <h1>Audit log</h1>
      <form onSubmit={apply} noValidate className="card filters" aria-labelledby="filters-title">
        <h2 id="filters-title">Filters</h2>
        <div className="filter-grid">
          <div className="field">
            <label htmlFor={typeId}>Event type</label>
            <select id={typeId} name="type" defaultValue="">
              <option value="">Any type</option>
              {EVENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
            {errors.type && (
              <p className="field-error" role="alert">
                {errors.type}
              </p>
            )}
          </div>
          <Field
            label="Actor id"
            name="actorId"
            hint="A user id, an app’s client id or an API key id"
            error={errors.actorId}
            autoComplete="off"
          />
          <Field label="Since" name="since" type="datetime-local" error={errors.since} />
          <Field label="Until" name="until" type="datetime-local" error={errors.until} />
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button
            type="reset"
            className="secondary"
            onClick={() => {
              setErrors({});
              setFilters({});
            }}
          >
            Clear
          </button>
        </div>
      </form>

      {events.isPending && <Loading what="the audit log" />}
      {events.isError && <Failure error={events.error} retry={() => events.refetch()} />}
      {events.isSuccess && rows.length === 0 && (
        <Empty>
          <p>No event matches.</p>
        </Empty>
      )}
      {rows.length > 0 && (
        <Table columns={['Time', 'Type', 'Actor', 'Target', 'IP']}>
          {rows.map((event) => (
            <EventRow key={event.id} event={event} />
          ))}
        </Table>
      )}
      <FormError error={events.isFetchNextPageError ? events.error : undefined} />
      {events.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => events.fetchNextPage()}
          disabled={events.isFetchingNextPage}
        >
          {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

/** An event's row, then a row of what it says: its data, the user agent, the request id. */
function EventRow({ event }: { event: AuditEvent }) {
  const hasData = Object.keys(event.data).length > 0;
  const detailed = hasData || event.userAgent || event.requestId;
  return (
    <>
      <tr className={detailed ? 'has-detail' : undefined}>
        <td>
          <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleString()}</time>
        </td>
        <td>
          <code>{event.type}</code>
        </td>
        <td>
          {event.actor ? (
            <>
              {event.actor.type} <code className="id">{event.actor.id}</code>
            </>
          ) : (
            'server'
          )}
        </td>
        <td>
          {event.target.type} <code className="id">{event.target.id}</code>
        </td>
        <td>
          <span title={event.userAgent ?? undefined}>{event.ip ?? '—'}</span>
        </td>
      </tr>
      {detailed && (
        <tr className="detail">
          <td colSpan={5}>
            {(event.userAgent || event.requestId) && (
              <p className="meta">
                {event.userAgent && <>User agent: {event.userAgent}</>}
                {event.userAgent && event.requestId && ' · '}
                {event.requestId && (
                  <>
                    Request id: <code className="id">{event.requestId}</code>
                  </>
                )}
              </p>
            )}
            {hasData && <pre className="json">{JSON.stringify(event.data, null, 2)}</pre>}
          </td>
        </tr>
      )}
    </>
  );
}
