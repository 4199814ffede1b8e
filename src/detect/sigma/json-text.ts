/**
 * Compact JSON text of an object field, as Sigma's CloudTrail backends match it
 * (`requestParameters|contains: '"Effect":"Allow"'`). Memoized per object, so one event's field
 * is serialized at most once however many rules read it. Share one across rules.
 */
export type JsonText = (value: object) => string;

export function createJsonText(): JsonText {
  const memo = new WeakMap<object, string>();
  return (value) => {
    let text = memo.get(value);
    if (text === undefined) {
      text = JSON.stringify(value) ?? '';
      memo.set(value, text);
    }
    return text;
  };
}
