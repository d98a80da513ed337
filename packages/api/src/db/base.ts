import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** Ids are UUIDs made by the application, so any PostgreSQL version will do. */
export const id = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());
export const createdAt = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .defaultRaw('now()');
export const updatedAt = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date())
    .defaultRaw('now()');

/** What every entity with a UUID of its own has: its id, and when it was made. */
export const base = () => ({ id: id(), createdAt: createdAt() });

/** The base, for entities that also say when they last changed. */
export const changingBase = () => ({ ...base(), updatedAt: updatedAt() });
