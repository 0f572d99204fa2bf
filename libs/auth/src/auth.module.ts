import { Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@c360/config';
import { AuthGuard } from './auth.guard';
import { JwksFileKeyStore } from './jwks-file-key-store';
import { ensureLocalSigningKey } from './local-keys';
import { TokenIssuer } from './token-issuer';
import { TokenVerifier } from './token-verifier';

/** Stops the JWKS reload timer with the application. */
@Injectable()
class KeyStoreLifecycle implements OnModuleDestroy {
  constructor(@Inject(JwksFileKeyStore) private readonly store: JwksFileKeyStore) {}
  onModuleDestroy(): void {
    this.store.stop();
  }
}

/**
 * Authentication for every HTTP route (global AuthGuard, deny by default), token
 * verification with keys reloaded from the JWKS file, and the local TokenIssuer.
 * Needs ConfigModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: JwksFileKeyStore,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<JwksFileKeyStore> => {
        await ensureLocalSigningKey(config);
        const store = new JwksFileKeyStore(config.jwt.jwksFile, config.jwt.keysReloadIntervalMs);
        await store.start();
        return store;
      },
    },
    KeyStoreLifecycle,
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG, JwksFileKeyStore],
      useFactory: (config: AppConfig, store: JwksFileKeyStore): TokenVerifier =>
        new TokenVerifier({
          issuer: config.jwt.issuer,
          audience: config.jwt.audience,
          clockToleranceSeconds: config.jwt.clockToleranceSeconds,
          getKey: store.getKey,
          keySetVersion: store.keySetVersion,
        }),
    },
    { provide: TokenIssuer, inject: [APP_CONFIG], useFactory: (config: AppConfig) => TokenIssuer.forConfig(config) },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenVerifier, TokenIssuer, JwksFileKeyStore],
})
export class AuthModule {}
