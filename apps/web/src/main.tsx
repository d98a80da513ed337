import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { can } from '@timbrix/shared/authorization';
import { type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { errorCode } from './api.js';
import { Layout } from './components/Layout.js';
import { OnlyAdmins } from './components/OnlyAdmins.js';
import { Account } from './pages/Account.js';
import { AuditLog } from './pages/AuditLog.js';
import { Authorize } from './pages/Authorize.js';
import { ApiKeyDetail } from './pages/api-keys/ApiKeyDetail.js';
import { ApiKeyList } from './pages/api-keys/ApiKeyList.js';
import { NewApiKey } from './pages/api-keys/NewApiKey.js';
import { AppDetail } from './pages/apps/AppDetail.js';
import { AppList } from './pages/apps/AppList.js';
import { NewApp } from './pages/apps/NewApp.js';
import { AcceptInvitation } from './pages/members/AcceptInvitation.js';
import { Members } from './pages/members/Members.js';
import { NewOrganization } from './pages/NewOrganization.js';
import { NotFound } from './pages/NotFound.js';
import { Overview } from './pages/Overview.js';
import { Settings } from './pages/Settings.js';
import { SignIn } from './pages/SignIn.js';
import { SignUp } from './pages/SignUp.js';
import { NewWebhook } from './pages/webhooks/NewWebhook.js';
import { WebhookDetail } from './pages/webhooks/WebhookDetail.js';
import { WebhookList } from './pages/webhooks/WebhookList.js';
import { currentOrganization, ME, type Me, type MyOrganization, RequireSignIn } from './session.js';
import './styles.css';

/**
 * A 401 anywhere means the session ended: reading the account again (which then fails too)
 * sends the person to sign in. The account's own 401 is that signal already.
 */
const sessionEnded = (error: unknown) => {
  if (errorCode(error) === 'UNAUTHORIZED') void queries.resetQueries({ queryKey: ME });
};
const queries: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (query.queryKey[0] !== ME[0]) sessionEnded(error);
    },
  }),
  mutationCache: new MutationCache({ onError: sessionEnded }),
  defaultOptions: {
    // An answer the server gave (4xx) is not worth asking again.
    queries: { retry: (count, error) => errorCode(error) === undefined && count < 2 },
  },
});

const signedIn = (page: (me: Me) => ReactNode) => (
  <RequireSignIn>{(me) => <Layout me={me}>{page(me)}</Layout>}</RequireSignIn>
);

/** A page of the organization the person works in; none yet sends them to the overview. */
const inOrganization = (page: (organization: MyOrganization, me: Me) => ReactNode) =>
  signedIn((me) => {
    const organization = currentOrganization(me);
    return organization ? page(organization, me) : <Navigate to="/" replace />;
  });

/** A page for owners and admins only: a member is told so, and no request is made for them. */
const forAdmins = (
  title: string,
  action: 'webhooks:read' | 'apiKeys:manage' | 'auditLog:read',
  page: (organization: MyOrganization, me: Me) => ReactNode,
) =>
  inOrganization((org, me) =>
    can(org.role, action) ? page(org, me) : <OnlyAdmins title={title} organization={org} />,
  );

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <BrowserRouter>
        <Routes>
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/sign-up" element={<SignUp />} />
          {/* An app's authorization request: a page of its own, without the console around it. */}
          <Route
            path="/authorize/:requestId"
            element={<RequireSignIn>{(me) => <Authorize me={me} />}</RequireSignIn>}
          />
          <Route path="/" element={signedIn((me) => <Overview me={me} />)} />
          <Route path="/organizations/new" element={signedIn(() => <NewOrganization />)} />
          <Route path="/account" element={signedIn((me) => <Account me={me} />)} />
          <Route
            path="/apps"
            element={inOrganization((org) => <AppList organizationId={org.id} />)}
          />
          <Route path="/apps/new" element={signedIn((me) => <NewApp me={me} />)} />
          <Route path="/apps/:clientId" element={signedIn((me) => <AppDetail me={me} />)} />
          <Route
            path="/members"
            element={inOrganization((org, me) => <Members me={me} organization={org} />)}
          />
          <Route
            path="/webhooks"
            element={forAdmins('Webhooks', 'webhooks:read', (org) => (
              <WebhookList organizationId={org.id} />
            ))}
          />
          <Route
            path="/webhooks/new"
            element={forAdmins('Webhooks', 'webhooks:read', (org) => (
              <NewWebhook organizationId={org.id} />
            ))}
          />
          <Route
            path="/webhooks/:webhookId"
            element={forAdmins('Webhooks', 'webhooks:read', (org) => (
              <WebhookDetail organizationId={org.id} />
            ))}
          />
          <Route
            path="/api-keys"
            element={forAdmins('API keys', 'apiKeys:manage', (org) => (
              <ApiKeyList organizationId={org.id} />
            ))}
          />
          <Route
            path="/api-keys/new"
            element={forAdmins('API keys', 'apiKeys:manage', (org, me) => (
              <NewApiKey organizationId={org.id} me={me} />
            ))}
          />
          <Route
            path="/api-keys/:keyId"
            element={forAdmins('API keys', 'apiKeys:manage', (org, me) => (
              <ApiKeyDetail organizationId={org.id} me={me} />
            ))}
          />
          <Route
            path="/audit-log"
            element={forAdmins('Audit log', 'auditLog:read', (org) => (
              <AuditLog organizationId={org.id} />
            ))}
          />
          <Route
            path="/settings"
            element={inOrganization((org) => <Settings organizationId={org.id} />)}
          />
          <Route
            path="/invitations/accept"
            element={signedIn((me) => <AcceptInvitation me={me} />)}
          />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
