const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID: anything else can be no row's id, and needs no lookup. */
export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && UUID.test(value);
