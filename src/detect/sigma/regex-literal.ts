/**
 * The longest run of literal text every match of a regular expression must contain, or undefined when
 * none can be proved. Used to skip the regex (`text.includes(literal)` first) on the many values that
 * cannot match: patterns such as `.+:assumed-role/aws:.+` backtrack badly over long ARNs.
 *
 * Conservative: any alternation gives up; groups, classes and escapes with meaning end a run; a
 * quantifier that allows zero repetitions drops the character before it.
 */
export function requiredLiteral(source: string): string | undefined {
  if (hasTopLevelAlternation(source)) return undefined;
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) return undefined;
      i++;
      if (/[\\/.^$|?*+()[\]{}\-:,'"=!<>@#%&~`;]/.test(next)) {
        run += next;
        continue;
      }
      end();
      continue;
    }
    if (c === '(') {
      end();
      let depth = 1;
      for (i++; i < source.length && depth > 0; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '(') depth++;
        else if (source[i] === ')') depth--;
      }
      i--;
      continue;
    }
    if (c === '[') {
      end();
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (c === '*' || c === '?' || c === '{') {
      // The character before may occur zero times: it is not required.
      run = run.slice(0, -1);
      end();
      if (c === '{') while (i < source.length && source[i] !== '}') i++;
      continue;
    }
    if (c === '+') {
      end();
      continue;
    }
    if (c === '.' || c === '^' || c === '$' || c === ')' || c === ']' || c === '}') {
      end();
      continue;
    }
    run += c;
  }
  end();
  return best.length >= 3 ? best : undefined;
}

function hasTopLevelAlternation(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '|') return true;
  }
  return false;
}
