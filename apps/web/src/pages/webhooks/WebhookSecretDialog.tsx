import { ShownOnceDialog } from '../../components/SecretDialog.js';

/** A webhook's signing secret (`whsec_…`), the one time it is ever shown. */
export const WebhookSecretDialog = (props: {
  secret: string;
  note?: string | undefined;
  onClose: () => void;
}) => (
  <ShownOnceDialog
    title="Your signing secret"
    label="Signing secret"
    kept="Timbrix keeps it only encrypted, to sign deliveries with"
    testId="webhook-secret"
    {...props}
  />
);
