import { parse, serialize } from 'cookie';

/**
 * The console's session cookie: the same session token as a bearer one, kept where scripts
 * cannot read it (`HttpOnly`), sent only with same-site navigations and requests
 * (`SameSite=Lax`), and over https bound to this exact origin (`Secure` and the `__Host-`
 * prefix: no `Domain`, `Path=/`). Read only on `/trpc` (the REST API stays bearer-only).
 */
export class SessionCookie {
  readonly name: string;
  private readonly secure: boolean;

  constructor(issuerUrl: string) {
    this.secure = new URL(issuerUrl).protocol === 'https:';
    this.name = this.secure ? '__Host-timbrix_session' : 'timbrix_session';
  }

  /** The `Set-Cookie` value that stores `token` for `maxAgeSeconds`. */
  set(token: string, maxAgeSeconds: number): string {
    return serialize(this.name, token, { ...this.attributes(), maxAge: maxAgeSeconds });
  }

  /** The `Set-Cookie` value that removes the cookie. */
  clear(): string {
    return serialize(this.name, '', { ...this.attributes(), maxAge: 0 });
  }

  /** The session token a `Cookie` header carries, if any. */
  read(header: string | undefined): string | undefined {
    return header ? parse(header)[this.name] || undefined : undefined;
  }

  private attributes() {
    return { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' } as const;
  }
}
