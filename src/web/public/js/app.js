/**
 * The dashboard shell: session check, navigation, theme toggle, live status, and the hash router that
 * mounts one page module at a time. Each page exports `render(ctx)`; ctx.onLeave(fn) registers cleanup
 * (charts, live subscriptions) run when the user moves to another page.
 */
import { h, replace } from './lib/h.js';
import { get, post, setCsrfToken, whenUnauthorized } from './lib/api.js';
import { parseHash } from './lib/router.js';
import { applyStoredTheme, currentTheme, toggleTheme } from './lib/theme.js';
import { disconnect, onLiveStatus } from './lib/live.js';
import { errorBox } from './lib/ui.js';
import * as login from './pages/login.js';
import * as overview from './pages/overview.js';
import * as findings from './pages/findings.js';
import * as finding from './pages/finding.js';
import * as activity from './pages/activity.js';
import * as s3 from './pages/s3.js';
import * as posture from './pages/posture.js';
import * as responses from './pages/responses.js';
import * as health from './pages/health.js';
import * as suppressions from './pages/suppressions.js';

const NAV = [
  ['overview', 'Overview'],
  ['findings', 'Findings'],
  ['suppressions', 'Suppressions'],
  ['activity', 'API activity'],
  ['s3', 'S3 security'],
  ['posture', 'Posture'],
  ['responses', 'Responses'],
  ['health', 'Pipeline health'],
];

const state = { me: undefined, leave: [] };

applyStoredTheme();
whenUnauthorized(() => {
  if (state.me) {
    state.me = undefined;
    disconnect();
    route();
  }
});

function leavePage() {
  for (const fn of state.leave.splice(0)) {
    try {
      fn();
    } catch {
      // A page's cleanup failing must not block the next page.
    }
  }
}

function shell(active) {
  const themeButton = h('button', {
    type: 'button',
    class: 'ghost',
    id: 'theme-toggle',
    'aria-label': 'Toggle theme',
  });
  const paintTheme = () => (themeButton.textContent = currentTheme() === 'dark' ? '☀ Light' : '☾ Dark');
  paintTheme();
  themeButton.addEventListener('click', () => {
    toggleTheme();
    paintTheme();
  });
  const liveBadge = h(
    'span',
    { class: 'live-badge', id: 'live-status', title: 'Live updates' },
    'connecting',
  );
  onLiveStatus((s) => {
    liveBadge.textContent = s;
    liveBadge.dataset.state = s;
  });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', route: ['overview'] }, 'Vigil'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      NAV.map(([id, label]) =>
        h(
          'a',
          {
            route: [id],
            class: id === active ? 'active' : undefined,
            'aria-current': id === active ? 'page' : undefined,
          },
          label,
        ),
      ),
    ),
    h(
      'div',
      { class: 'session' },
      liveBadge,
      themeButton,
      h(
        'span',
        { class: 'who', id: 'who' },
        state.me.user,
        ' · ',
        h('span', { class: 'role' }, state.me.role),
      ),
      h('button', { type: 'button', class: 'ghost', id: 'logout', on: { click: logout } }, 'Log out'),
    ),
  );
  replace(document.getElementById('app'), header, main);
  return main;
}

async function logout() {
  try {
    await post('/api/auth/logout');
  } catch {
    // Already logged out.
  }
  setCsrfToken('');
  state.me = undefined;
  disconnect();
  location.hash = '#/login';
  route();
}

const PAGES = { overview, findings, suppressions, activity, s3, posture, responses, health };

async function route() {
  leavePage();
  const { segments, params } = parseHash();
  const app = document.getElementById('app');
  if (!state.me) {
    try {
      state.me = await get('/api/auth/me');
      // A reload keeps the session cookie but not the page's memory: take the CSRF token again.
      if (state.me?.csrfToken) setCsrfToken(state.me.csrfToken);
    } catch {
      state.me = undefined;
    }
  }
  if (!state.me) {
    replace(app);
    const main = h('main', { id: 'main', class: 'login-main' });
    app.appendChild(main);
    login.render({
      main,
      onLoggedIn(me) {
        state.me = me;
        if (!location.hash || location.hash.startsWith('#/login')) location.hash = '#/overview';
        else route();
      },
    });
    return;
  }
  let [page = 'overview', ...rest] = segments;
  if (page === 'login') page = 'overview';
  const isFinding = page === 'findings' && rest.length > 0;
  const module = isFinding ? finding : PAGES[page];
  const main = shell(PAGES[page] ? page : 'overview');
  const ctx = {
    main,
    params,
    id: rest[0],
    role: state.me.role,
    user: state.me.user,
    onLeave: (fn) => state.leave.push(fn),
  };
  try {
    await (module ?? overview).render(ctx);
  } catch (error) {
    main.appendChild(errorBox(error));
  }
}

window.addEventListener('hashchange', route);
route();
