/**
 * Live updates from the API's Server-Sent Events stream (`/api/stream`: finding, delivery, stats,
 * response). One EventSource for the whole app; pages subscribe and unsubscribe as they come and go.
 */

const handlers = new Map();
let source;

function connect() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/stream', { withCredentials: true });
  for (const type of ['finding', 'delivery', 'stats', 'response']) {
    source.addEventListener(type, (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      for (const fn of handlers.get(type) ?? []) fn(data);
    });
  }
  source.addEventListener('open', () => setStatus('live'));
  source.addEventListener('error', () =>
    setStatus(source?.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting'),
  );
}

let statusListener = () => {};
let status = 'connecting';
function setStatus(s) {
  status = s;
  statusListener(s);
}
/** One listener (the top bar's badge), told the current state at once; opens the stream. */
export function onLiveStatus(fn) {
  statusListener = fn;
  connect();
  fn(status);
}

/** Subscribes to one event type; returns the unsubscribe function. */
export function subscribe(type, fn) {
  connect();
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(fn);
  return () => handlers.get(type)?.delete(fn);
}

export function disconnect() {
  source?.close();
  source = undefined;
  status = 'connecting';
  handlers.clear();
}
