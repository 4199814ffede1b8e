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
export interface JsonText {
  /** The texts of an object field. */
  texts(value: object): readonly string[];
  /** The same texts lower-cased, for case-insensitive matching. */
  folded(value: object): readonly string[];
}

export function createJsonText(): JsonText {
  const memo = new WeakMap<object, readonly string[]>();
  const foldedMemo = new WeakMap<object, readonly string[]>();
  const texts = (value: object): readonly string[] => {
    let out = memo.get(value);
    if (out === undefined) {
      const json = JSON.stringify(value) ?? '';
      out = json.includes('\\"') ? [json, json.replaceAll('\\"', '"')] : [json];
      memo.set(value, out);
    }
    return out;
  };
  return {
    texts,
    folded(value) {
      let out = foldedMemo.get(value);
      if (out === undefined) {
        out = texts(value).map((t) => t.toLowerCase());
        foldedMemo.set(value, out);
      }
      return out;
    },
  };
}
