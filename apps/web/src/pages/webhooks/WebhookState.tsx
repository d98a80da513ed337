import type { Webhook } from '@timbrix/shared/schemas';

/** Whether a webhook is on, turned off by someone, or turned off by the server for failing. */
export function WebhookState({ webhook }: { webhook: Pick<Webhook, 'isActive' | 'disabledAt'> }) {
  if (webhook.isActive) return <span className="badge">Active</span>;
  return (
    <>
      <span className="badge off">Off</span>
      {webhook.disabledAt && (
        <small className="block">
          Turned off after failing, {new Date(webhook.disabledAt).toLocaleString()}
        </small>
      )}
    </>
  );
}
