import type { ReactNode } from 'react';
import { messageOf } from '../api.js';

export const Loading = ({ what }: { what: string }) => (
  <p className="status" role="status">
    Loading {what}…
  </p>
);

export const Empty = ({ children }: { children: ReactNode }) => (
  <div className="empty">{children}</div>
);

export const Failure = ({ error, retry }: { error: unknown; retry?: () => void }) => (
  <div className="failure" role="alert">
    <p>{messageOf(error)}</p>
    {retry && (
      <button type="button" className="secondary" onClick={retry}>
        Try again
      </button>
    )}
  </div>
);

/** What went wrong with a form's or a button's call, if anything did. */
export const FormError = ({ error }: { error: unknown }) =>
  error ? (
    <p className="form-error" role="alert">
      {messageOf(error)}
    </p>
  ) : null;
