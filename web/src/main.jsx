// Tandem's web app: sign in (OIDC code + PKCE), then the views the person's
// roles allow, one tab per role.  Only the public API, through the gateway.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { completeSignIn, loadConfig, signIn, signOut, accessToken } from './auth.js';
import { get } from './api.js';
import { CommsView, LeadView, MentorView, PartnerView, ViewerView } from './views.jsx';
import './style.css';

const VIEWS = [
  { role: 'admin', label: 'Programme', View: LeadView },
  { role: 'mentor', label: 'Mentoring', View: MentorView },
  { role: 'partner', label: 'My journey', View: PartnerView },
  { role: 'comms', label: 'Integrations', View: CommsView },
  { role: 'viewer', label: 'Dashboard', View: ViewerView },
];

function App() {
  const [cfg, setCfg] = useState(null);
  const [me, setMe] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(true);
  const [tab, setTab] = useState(null);

  useEffect(() => {
    (async () => {
      const c = await loadConfig();
      setCfg(c);
      if ((await completeSignIn(c)) || accessToken()) {
        const m = await get('/v1/me');
        setMe(m);
        setTab(VIEWS.find((v) => m.roles.includes(v.role))?.role ?? null);
      }
    })()
      .catch(setError)
      .finally(() => setBusy(false));
  }, []);

  const views = me ? VIEWS.filter((v) => me.roles.includes(v.role)) : [];
  const current = views.find((v) => v.role === tab);
  return (
    <>
      <header class="top">
        <span class="brand">Tandem</span>
        {me && (
          <>
            <nav aria-label="Views">
              <ul>
                {views.map((v) => (
                  <li key={v.role}>
                    <button type="button" aria-pressed={v.role === tab} onClick={() => setTab(v.role)}>{v.label}</button>
                  </li>
                ))}
              </ul>
            </nav>
            <span class="who">Signed in as <strong>{me.display_name}</strong> ({me.roles.join(', ')})</span>
            <button type="button" onClick={() => { signOut(); setMe(null); }}>Sign out</button>
          </>
        )}
      </header>
      <main id="main">
        {error && <p role="alert" class="error">{error.message}</p>}
        {busy && <p aria-live="polite">Loading…</p>}
        {!busy && !me && cfg && (
          <section aria-labelledby="h-signin" class="panel">
            <h1 id="h-signin">Tandem</h1>
            <p>The social adoption programme: journeys, mentoring and integration with the business strategy.</p>
            {cfg.issuer ? (
              <button type="button" class="primary" onClick={() => signIn(cfg).catch(setError)}>Sign in</button>
            ) : (
              <p role="alert">No sign-in provider is configured for this gateway.</p>
            )}
          </section>
        )}
        {me && views.length === 0 && <p>Your roles ({me.roles.join(', ') || 'none'}) have no view here.</p>}
        {me && current && <current.View me={me} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app'));
