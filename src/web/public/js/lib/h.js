/**
 * The only way the dashboard builds DOM. Every string becomes a text node or a plain attribute value:
 * nothing is ever parsed as HTML, and no attribute that loads or runs something (href, src, on*, style,
 * srcdoc, action, formaction) can be set from a string. Links are built by `route`, from path segments
 * that are each passed through encodeURIComponent; downloads from the API by `api`, the same way.
 */

const FORBIDDEN =
  /^(on|href$|src$|srcset$|srcdoc$|style$|action$|formaction$|xlink:|xmlns|background$|poster$|data$)/i;

/**
 * h('a', { route: ['findings', id] }, 'open') builds `<a href="#/findings/<encoded id>">open</a>`;
 * `query: { type }` beside `route` adds an encoded query string. h('a', { api: ['posture', 'report.html'] })
 * builds `<a href="/api/posture/report.html">` (same encoding, same `query`): a same-origin API download.
 * attrs: `class`, `on: { click: fn }`, `dataset: {...}`, `route: [...]`, `props: {...}` (DOM properties
 * such as value/checked), anything else is set with setAttribute after the allow-list check.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'on') {
        for (const [event, fn] of Object.entries(value)) {
          if (typeof fn === 'function') el.addEventListener(event, fn);
        }
      } else if (name === 'route') {
        el.setAttribute('href', routeHref(value, attrs.query));
      } else if (name === 'api') {
        el.setAttribute('href', apiHref(value, attrs.query));
      } else if (name === 'query') {
        continue;
      } else if (name === 'dataset') {
        for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
      } else if (name === 'props') {
        for (const [k, v] of Object.entries(value)) {
          if (FORBIDDEN.test(k) || /HTML$/.test(k)) throw new Error(`h: property ${k} is not allowed`);
          el[k] = v;
        }
      } else if (name === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
      } else if (FORBIDDEN.test(name)) {
        throw new Error(`h: attribute ${name} is not allowed`);
      } else {
        el.setAttribute(name, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened, null skipped. */
export function append(parent, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces everything inside `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** `#/a/b` from ['a', 'b'], every segment encoded. */
export function routeHref(segments, query) {
  return withQuery('#/' + segments.map((s) => encodeURIComponent(String(s))).join('/'), query);
}

/** `/api/a/b` from ['a', 'b'], every segment encoded. */
export function apiHref(segments, query) {
  return withQuery('/api/' + segments.map((s) => encodeURIComponent(String(s))).join('/'), query);
}

function withQuery(path, query) {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
