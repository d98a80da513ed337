import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { errorCode } from './api.js';
import { Layout } from './components/Layout.js';
import { Account } from './pages/Account.js';
import { NewOrganization } from './pages/NewOrganization.js';
import { NotFound } from './pages/NotFound.js';
import { Overview } from './pages/Overview.js';
import { SignIn } from './pages/SignIn.js';
import { SignUp } from './pages/SignUp.js';
import { ME, type Me, RequireSignIn } from './session.js';
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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <BrowserRouter>
        <Routes>
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/sign-up" element={<SignUp />} />
          <Route path="/" element={signedIn((me) => <Overview me={me} />)} />
          <Route path="/organizations/new" element={signedIn(() => <NewOrganization />)} />
          <Route path="/account" element={signedIn((me) => <Account me={me} />)} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
