import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Anything that could hold a credential is censored before a line is written, wherever it
 * sits in the logged object. Request bodies are never logged at all.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.token',
];

const SQL_PREFIX = /^(select|insert|update|delete|with|begin|commit|rollback)\b/i;

/**
 * Errors as pino writes them, but database errors lose the SQL their message starts with:
 * the ORM writes bound values into it (emails, hashes).
 */
function errorWithoutSql(error: Error) {
  const serialized = pino.stdSerializers.err(error);
  const { message } = serialized;
  if (typeof message !== 'string' || !SQL_PREFIX.test(message)) return serialized;
  const reason = message.slice(message.lastIndexOf(' - ') + 3);
  const code = (error as { code?: string }).code;
  return {
    type: serialized.type,
    message: reason,
    code,
    stack: serialized.stack?.replace(message, reason),
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'timbrix' },
      serializers: { err: errorWithoutSql },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
