/**
 * Waits, polling every 50 ms, until `condition` holds (it may be async, e.g. an API call); fails naming
 * `what` after `tries` polls (default 20 s).
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  tries = 400,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
