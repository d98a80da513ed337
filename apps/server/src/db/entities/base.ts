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
