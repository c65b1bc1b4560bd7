// Who is using the map: a login form for the public, the account's name and role with a logout
// button once logged in. What the account may do is decided by the server; the map only hides
// the tools it would refuse (canEdit).

import { h } from './dom.js';
import { t, onLangChange } from './i18n.js';
import * as api from './api.js';

/** Roles that may write (officers within their unit: the server checks the unit). */
export function canEdit(session) {
  return ['admin', 'planner', 'officer'].includes(session?.role);
}

/**
 * A failed login in the map's language: the refusals the server gives a login (wrong name or
 * password, too many tries) have their own sentence; anything else names the server's words.
 */
function loginError(err) {
  if (err.status === 401) return t('account.bad_credentials');
  if (err.status === 429) return t('account.too_many');
  if (err.status === 0) return t('account.unreachable');
  return t('account.failed', { detail: err.message });
}

/** Renders into `el`; `onChange(session)` after a login or logout. */
export function createAccount(el, { onChange, notify }) {
  let error = null;
  function render() {
    const s = api.currentSession();
    document.documentElement.dataset.role = s.role;
    if (s.name) {
      el.replaceChildren(
        h('span', { class: 'cp-who', id: 'account-who' }, t('account.who', { name: s.name, role: t(`role.${s.role}`) })),
        h('button', { type: 'button', id: 'btn-logout', onclick: logout }, t('account.logout')),
      );
      return;
    }
    const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true, placeholder: t('account.name'), 'aria-label': t('account.name') });
    const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, placeholder: t('account.password'), 'aria-label': t('account.password') });
    el.replaceChildren(h('form', { id: 'login-form', class: 'cp-login', onsubmit: (e) => { e.preventDefault(); login(name.value, password.value); } },
      name, password, h('button', { type: 'submit', id: 'btn-login' }, t('account.login')),
      error ? h('span', { class: 'cp-login-error', role: 'alert' }, error) : null));
  }
  async function login(name, password) {
    try {
      await api.login(name, password);
      error = null;
    } catch (err) {
      error = loginError(err);
    }
    render();
    onChange(api.currentSession());
  }
  async function logout() {
    try {
      await api.logout();
    } catch (err) {
      notify(t('error.generic', { status: err.status, detail: err.message }));
    }
    render();
    onChange(api.currentSession());
  }
  onLangChange(render);
  return {
    async load() {
      try {
        await api.whoAmI();
      } catch {
        // The public: reads still work.
      }
      render();
      onChange(api.currentSession());
    },
  };
}
