/**
 * Light and dark themes. Without a choice the page follows prefers-color-scheme (pure CSS); the toggle
 * stores an explicit choice in localStorage and sets `data-theme` on <html>.
 */

const KEY = 'vigil.theme';

export function currentTheme() {
  const stored = localStorage.getItem(KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyStoredTheme() {
  const stored = localStorage.getItem(KEY);
  if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored;
}

const listeners = new Set();

/** Charts re-read their colours when the theme changes. */
export function onThemeChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function toggleTheme() {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  localStorage.setItem(KEY, next);
  document.documentElement.dataset.theme = next;
  for (const fn of listeners) fn(next);
  return next;
}

matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  if (!localStorage.getItem(KEY)) for (const fn of listeners) fn(currentTheme());
});
