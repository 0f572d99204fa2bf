import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './app-config';
import { loadConfigFromProcess } from './load-config';

/** DI token for the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Parameter decorator: `constructor(@InjectConfig() config: AppConfig)`. */
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/**
 * Makes the configuration injectable everywhere. Pass the already-loaded config (the
 * platform loads it before Nest starts, to fail fast with a clean message); without one it
 * is loaded from the process environment.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useFactory: () => config ?? loadConfigFromProcess() }],
      exports: [APP_CONFIG],
    };
  }
}
