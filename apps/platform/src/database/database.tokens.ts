/** DI token for the platform's shared pg Pool (feature modules may inject it or open their own). */
export const PG_POOL = Symbol('PG_POOL');
/** DI token for the resolved database URL (DATABASE_URL, or the embedded server's). */
export const DATABASE_URL = Symbol('DATABASE_URL');
