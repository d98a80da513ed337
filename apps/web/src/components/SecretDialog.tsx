import { type ReactNode, useState } from 'react';
import { Dialog } from './Dialog.js';

interface ShownOnceProps {
  title: string;
  /** What the secret is, as its term in the list (`Client secret`, `Signing secret`). */
  label: string;
  secret: string;
  /** How Timbrix keeps it, said in the warning (`Timbrix keeps only a hash of it`). */
  kept: string;
  /** Terms shown before the secret, e.g. the client id it belongs to. */
  facts?: ReactNode;
  /** Said under the warning, e.g. until when the previous secret keeps working. */
  note?: string | undefined;
  testId: string;
  onClose: () => void;
}

/**
 * A secret, the one time it is ever shown: nothing keeps it once the dialog closes (the page
 * drops its state and resets the mutation that brought it; no query or storage ever holds it).
 */
export function ShownOnceDialog(props: ShownOnceProps) {
  const { title, label, secret, kept, facts, note, testId, onClose } = props;
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <p className="warning" role="note">
        Copy the secret now and store it somewhere safe. It is shown only this once: {kept}, and
        nobody can show it to you again.
      </p>
      {note && <p>{note}</p>}
      <dl className="facts">
        {facts}
        <dt>{label}</dt>
        <dd>
          <code className="secret" data-testid={testId}>
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

interface SecretDialogProps {
  clientId: string;
  secret: string;
  /** Said under the warning, e.g. until when the previous secret keeps working. */
  note?: string | undefined;
  onClose: () => void;
}

/** An app's client secret, shown once. */
export function SecretDialog({ clientId, secret, note, onClose }: SecretDialogProps) {
  return (
    <ShownOnceDialog
      title="Your client secret"
      label="Client secret"
      secret={secret}
      kept="Timbrix keeps only a hash of it"
      facts={
        <>
          <dt>Client ID</dt>
          <dd>
            <code>{clientId}</code>
          </dd>
        </>
      }
      note={note}
      testId="client-secret"
      onClose={onClose}
    />
  );
}
