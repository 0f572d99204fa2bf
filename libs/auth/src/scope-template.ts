const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;
const SAFE_PARAM = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Fills `{param}` placeholders from route parameters. A missing or odd-looking parameter
 * yields undefined, which the guard treats as "not allowed" (fail closed).
 */
export function resolveScope(template: string, params: Readonly<Record<string, string | undefined>>): string | undefined {
  let failed = false;
  const scope = template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || !SAFE_PARAM.test(value)) {
      failed = true;
      return '';
    }
    return value;
  });
  return failed ? undefined : scope;
}
