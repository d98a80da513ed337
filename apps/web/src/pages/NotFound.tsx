import { Link } from 'react-router';

export const NotFound = () => (
  <main className="auth-page">
    <h1>Page not found</h1>
    <p>
      There is no page at this address. <Link to="/">Go to the overview</Link>
    </p>
  </main>
);
