/**
 * The texts an object field is matched as. First its compact JSON text (`JSON.stringify`), as Sigma's
 * CloudTrail backends match it (`requestParameters|contains: '"Effect":"Allow"'`). When the object
 * holds a JSON document inside a string (CloudTrail's `policyDocument`, `assumeRolePolicyDocument`),
 * that document's quotes are escaped in the JSON text; a second text with `\"` read as `"` lets
 * `'"s3:GetObject"'` match it as rule authors intend.
 *
 * Memoized per object, so one event's field is serialized at most once however many rules read it:
 * create one and share it across rules.
 */
export type JsonText = (value: object) => readonly string[];

export function createJsonText(): JsonText {
  const memo = new WeakMap<object, readonly string[]>();
  return (value) => {
    let texts = memo.get(value);
    if (texts === undefined) {
      const json = JSON.stringify(value) ?? '';
      texts = json.includes('\\"') ? [json, json.replaceAll('\\"', '"')] : [json];
      memo.set(value, texts);
    }
    return texts;
  };
}
