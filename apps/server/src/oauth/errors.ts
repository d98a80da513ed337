import type { OAuthErrorCode } from '@timbrix/shared/schemas';

/** A protocol error of RFC 6749 section 5.2: its code, a human description, its status. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly status: number;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    status?: number,
  ) {
    super(description);
    // invalid_client is an authentication failure; the rest are bad requests.
    this.status = status ?? (code === 'invalid_client' ? 401 : 400);
  }
}

export const invalidClient = () => new OAuthError('invalid_client', 'Client authentication failed');
