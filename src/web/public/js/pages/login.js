/** The login form. The answer carries the CSRF token that later state-changing calls send. */
import { h, replace } from '../lib/h.js';
import { post, setCsrfToken } from '../lib/api.js';

export function render({ main, onLoggedIn }) {
  const user = h('input', { id: 'login-user', name: 'user', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'login card', id: 'login-form' },
    h('h1', null, 'Vigil'),
    h('p', { class: 'muted' }, 'Security monitoring for AWS'),
    h('label', { for: 'login-user' }, 'User'),
    user,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.hidden = true;
    try {
      const me = await post('/api/auth/login', { user: user.value, password: password.value });
      setCsrfToken(me.csrfToken);
      onLoggedIn({ user: me.user, role: me.role });
    } catch (error) {
      message.textContent =
        error.status === 429
          ? 'Too many attempts; wait a minute and try again.'
          : error.status === 401
            ? 'Wrong user or password.'
            : error.message;
      message.hidden = false;
      password.value = '';
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, form);
  user.focus();
}
