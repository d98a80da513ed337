import type { MyOrganization } from '../session.js';
import { Empty } from './Status.js';

/** A title as said within a sentence: `Audit log` is `audit log`, `API keys` stays. */
const inSentence = (title: string) =>
  /^[A-Z][a-z]/.test(title) ? title[0]!.toLowerCase() + title.slice(1) : title;

/**
 * What a member who opens an owners-and-admins page sees (by its address: the navigation
 * offers them no way there), in place of a request the server would refuse.
 */
export const OnlyAdmins = ({
  title,
  organization,
}: {
  title: string;
  organization: MyOrganization;
}) => (
  <section>
    <h1>{title}</h1>
    <Empty>
      <p>
        Only owners and admins of {organization.name} see its {inSentence(title)}. Ask one of them
        if you need something here.
      </p>
    </Empty>
  </section>
);
