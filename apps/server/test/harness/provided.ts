declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on the PostgreSQL server the tests use, and a migrated template. */
    database: { serverUrl: string; template: string };
  }
}

export {};
