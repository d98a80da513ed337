export { databaseUrl, ensureDatabase, quoteIdentifier, withClient } from './admin.js';
export { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from './embedded.js';
