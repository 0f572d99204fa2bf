import type { AppConfig, Environment } from '@c360/config';
import { checkEventStoreSelection, EventStoreSelectionError } from '@c360/event-store';
import { parseDerivedConfig, type DerivedConfig } from '../../../projector/src/derived/derived-config';
import { parseProjectorConfig, ProjectorConfigError, type ProjectorConfig } from '../../../projector/src/projector-config';
import { parseQueryApiConfig, QueryApiConfigError, type QueryApiConfig } from '../../../query-api/src/index';

/** The per-app settings not yet part of AppConfig, parsed once at start (a bad one stops the start, named). */
export interface PlatformSettings {
  readonly projector: ProjectorConfig;
  readonly derived: DerivedConfig;
  readonly queryApi: QueryApiConfig;
}

/** A per-app setting refused at start: `setting` is the environment variable to fix. */
export class PlatformSettingError extends Error {
  constructor(
    readonly setting: string,
    rule: string,
  ) {
    super(`Invalid configuration: ${setting} must be ${rule}.`);
    this.name = 'PlatformSettingError';
  }
}

/**
 * The projector, derived-view and query-API settings for the all-in-one process, checked before
 * anything starts. Derived events go to
 * KAFKA_TOPIC_DERIVED unless DERIVED_TOPIC says otherwise, so the two settings cannot disagree.
 */
export function parsePlatformSettings(config: AppConfig, env: Environment): PlatformSettings {
  try {
    checkEventStoreSelection(config.eventStore);
    return {
      // The URL is checked by AppConfig; embedded PostgreSQL's is known once it runs (withDatabase).
      projector: parseProjectorConfig({ ...env, DATABASE_URL: config.database.url ?? 'postgres://127.0.0.1/embedded' }),
      // The thresholds (TIER_*, CHURN_*) are AppConfig's, validated with the rest of it.
      derived: parseDerivedConfig({ ...env, DERIVED_TOPIC: env['DERIVED_TOPIC'] ?? config.kafka.topics.derived }, config),
      queryApi: parseQueryApiConfig(env),
    };
  } catch (e) {
    if (e instanceof EventStoreSelectionError) throw eventStoreSettingError(e);
    if (e instanceof ProjectorConfigError || e instanceof QueryApiConfigError) {
      throw new PlatformSettingError(e.setting, e.message.slice(e.setting.length + 2));
    }
    throw e;
  }
}

/** EVENTSTORE_CONNECTION_STRING passed the configuration's check but the client cannot parse it. */
export function eventStoreSettingError(e: EventStoreSelectionError): PlatformSettingError {
  return new PlatformSettingError(e.setting, `an EventStoreDB/KurrentDB connection string the client can parse (${e.reason}); e.g. esdb://127.0.0.1:2113?tls=false, or unset it for PostgreSQL`);
}

/** The settings with the database the platform actually runs on (DATABASE_URL or the embedded server). */
export function withDatabase(settings: PlatformSettings, databaseUrl: string): PlatformSettings {
  return { ...settings, projector: { ...settings.projector, databaseUrl } };
}
