/**
 * Hash routes: `#/findings/<id>?x=y` → { segments: ['findings', id], params: URLSearchParams }. Segments
 * are decoded here and nowhere else; pages get plain strings.
 */

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = raw.split('?', 2);
  const segments = pathPart
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, params: new URLSearchParams(queryPart) };
}

/** Rewrites the query of the current route without a new history entry (filters, paging). */
export function replaceParams(params) {
  const { segments } = parseHash();
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  const hash = '#/' + segments.map(encodeURIComponent).join('/') + (s ? `?${s}` : '');
  history.replaceState(null, '', hash);
}

export function navigate(hash) {
  location.hash = hash;
}
