/** One field-level validation failure. `message` never repeats the offending value. */
export interface FieldError {
  /** JSON pointer (RFC 6901) into the input, e.g. `/data/amountMinor`; `''` is the whole input. */
  readonly path: string;
  /** Stable, machine-readable, kebab-case code, e.g. `not-integer`, `unknown-field`. */
  readonly code: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldError[] };
