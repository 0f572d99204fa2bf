import { childTraceContext, formatTraceparent, newTraceContext, parseTraceparent } from './traceparent';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent', () => {
  it('parses the spec example and formats it back unchanged', () => {
    const ctx = parseTraceparent(VALID);
    expect(ctx).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' });
    expect(formatTraceparent(ctx!)).toBe(VALID);
  });

  it('keeps unsampled flags', () => {
    expect(parseTraceparent(VALID.replace(/-01$/, '-00'))?.flags).toBe('00');
  });

  it.each([
    ['upper-case hex', VALID.toUpperCase()],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with a trailing field', `${VALID}-extra`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['a non-hex digit', '00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01'],
    ['underscores for dashes', VALID.replace(/-/g, '_')],
    ['a leading space', ` ${VALID.slice(1)}`],
    ['a trailing newline', `${VALID.slice(0, -1)}\n`],
    ['header injection', `${VALID}\r\nX-Evil: 1`],
    ['one-digit flags', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1'],
    ['an empty string', ''],
  ])('refuses %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it.each([undefined, null, 42, {}, ['x']])('refuses a non-string %p', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts a later version, with or without more fields, and reads it as version 00', () => {
    const future = 'cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(parseTraceparent(future)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parseTraceparent(`${future}-what-comes-next`)?.spanId).toBe('00f067aa0ba902b7');
    expect(parseTraceparent(`${future}x`)).toBeUndefined();
    expect(formatTraceparent(parseTraceparent(future)!)).toBe(VALID);
  });
});

describe('newTraceContext / childTraceContext', () => {
  it('makes valid, sampled, distinct contexts that survive a round trip', () => {
    const a = newTraceContext();
    const b = newTraceContext();
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.flags).toBe('01');
    expect(parseTraceparent(formatTraceparent(a))).toEqual(a);
  });

  it('keeps the trace id and flags and changes the span id', () => {
    const parent = parseTraceparent(VALID.replace(/-01$/, '-00'))!;
    const child = childTraceContext(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.flags).toBe('00');
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(parent.spanId);
  });
});
