export type { AppConfig, DomainThresholds, JwtAlgorithm, LogLevel, MasterKey, RunMode } from './app-config';
export { ConfigError, CONFIG_ERROR_EXIT_CODE } from './config-error';
export { APP_CONFIG, ConfigModule, InjectConfig } from './config.module';
export {
  loadConfig,
  loadConfigFromProcess,
  loadDomainThresholds,
  processEnvironment,
  parseMasterKeys,
  type Environment,
  type LoadConfigOptions,
} from './load-config';
export { existingMasterKeys, resolveMasterKeys } from './master-keys';
export { parseDurationMs, parseSizeBytes } from './units';
