import { useState } from 'react';
import { Dialog } from './Dialog.js';

interface SecretDialogProps {
  clientId: string;
  secret: string;
  /** Said under the warning, e.g. until when the previous secret keeps working. */
  note?: string | undefined;
  onClose: () => void;
}

/**
 * A client secret, the one time it is ever shown: nothing keeps it once the dialog closes
 * (the page drops its state and resets the mutation that brought it; no query or storage
 * ever holds it).
 */
export function SecretDialog({ clientId, secret, note, onClose }: SecretDialogProps) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  };
  return (
    <Dialog title="Your client secret" onClose={onClose}>
      <p className="warning" role="note">
        Copy the secret now and store it somewhere safe. It is shown only this once: Timbrix keeps
        only a hash of it, and nobody can show it to you again.
      </p>
      {note && <p>{note}</p>}
      <dl className="facts">
        <dt>Client ID</dt>
        <dd>
          <code>{clientId}</code>
        </dd>
        <dt>Client secret</dt>
        <dd>
          <code className="secret" data-testid="client-secret">
            {secret}
          </code>
        </dd>
      </dl>
      <div className="actions">
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          I have stored it
        </button>
      </div>
      <p className="status" role="status">
        {copied ? 'The secret is on your clipboard.' : ''}
      </p>
    </Dialog>
  );
}
