import { useMutation, useQueryClient } from '@tanstack/react-query';
import { can } from '@timbrix/shared/authorization';
import { type ReactNode, useId } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { activeOrganization, api } from '../api.js';
import { currentOrganization, type Me } from '../session.js';

/** The signed-in frame: the product's name, the organization switcher, the way around. */
export function Layout({ me, children }: { me: Me; children: ReactNode }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const switcher = useId();
  const organization = currentOrganization(me);
  // Calls name the organization shown (X-Organization-Id), whether or not it was chosen.
  if (organization && activeOrganization.get() !== organization.id) {
    activeOrganization.set(organization.id);
  }
  const may = (action: Parameters<typeof can>[1]) =>
    organization !== undefined && can(organization.role, action);
  const signOut = useMutation({
    mutationFn: () => api.auth.logout.mutate(),
    onSettled: () => {
      queries.clear();
      navigate('/sign-in', { replace: true });
    },
  });

  const choose = (id: string) => {
    activeOrganization.set(id);
    // Everything shown belongs to the organization: read it all again for the new one.
    void queries.invalidateQueries();
  };

  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="/">
          Timbrix
        </a>
        {me.organizations.length > 0 && organization && (
          <div className="switcher">
            <label htmlFor={switcher}>Organization</label>
            <select id={switcher} value={organization.id} onChange={(e) => choose(e.target.value)}>
              {me.organizations.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <nav aria-label="Main">
          <NavLink to="/" end>
            Overview
          </NavLink>
          {organization && <NavLink to="/members">Members</NavLink>}
          {may('oauthApps:manage') && <NavLink to="/apps">Apps</NavLink>}
          {may('webhooks:read') && <NavLink to="/webhooks">Webhooks</NavLink>}
          {may('apiKeys:manage') && <NavLink to="/api-keys">API keys</NavLink>}
          {may('auditLog:read') && <NavLink to="/audit-log">Audit log</NavLink>}
          {organization?.role === 'owner' && <NavLink to="/settings">Settings</NavLink>}
          <NavLink to="/organizations/new">New organization</NavLink>
          <NavLink to="/account">Account</NavLink>
        </nav>
        <button
          type="button"
          className="secondary"
          onClick={() => signOut.mutate()}
          disabled={signOut.isPending}
        >
          Sign out
        </button>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
