/** Who is calling, as proven by a verified token. Carries no personal data. */
export interface Principal {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  readonly tokenId: string | undefined;
  readonly expiresAt: Date;
}

export function hasScopes(principal: Principal, required: readonly string[]): boolean {
  return required.every((s) => principal.scopes.has(s));
}
