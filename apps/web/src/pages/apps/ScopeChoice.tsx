import { PLATFORM_SCOPES, SCOPE_DESCRIPTIONS, SCOPES, type Scope } from '@timbrix/shared/scopes';

interface ScopeChoiceProps {
  /** A platform administrator may grant the platform scopes too. */
  platformAdmin: boolean;
  chosen?: readonly Scope[];
  error?: string | undefined;
}

/** The scopes an app may hold, from the shared scope table, each in plain words. */
export function ScopeChoice({ platformAdmin, chosen = [], error }: ScopeChoiceProps) {
  const offered = SCOPES.filter(
    (scope) => platformAdmin || !PLATFORM_SCOPES.includes(scope) || chosen.includes(scope),
  );
  return (
    <fieldset className="scopes" aria-describedby={error ? 'scopes-error' : undefined}>
      <legend>Scopes</legend>
      {offered.map((scope) => (
        <label key={scope}>
          <input
            type="checkbox"
            name="scopes"
            value={scope}
            defaultChecked={chosen.includes(scope)}
          />
          <span>
            <code>{scope}</code> — {SCOPE_DESCRIPTIONS[scope]}
          </span>
        </label>
      ))}
      {error && (
        <p className="field-error" id="scopes-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** An app form's values: text fields as strings, the scopes as the list ticked. */
export function appFormValues(form: HTMLFormElement) {
  const data = new FormData(form);
  return {
    name: String(data.get('name') ?? ''),
    description: String(data.get('description') ?? ''),
    redirectUri: String(data.get('redirectUri') ?? ''),
    scopes: data.getAll('scopes').map(String),
  };
}
