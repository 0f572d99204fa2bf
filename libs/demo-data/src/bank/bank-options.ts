/** What shapes the synthetic bank. Everything has a default; `now` is explicit (no clock here). */
export interface DemoBankOptions {
  /** Customers to generate (default 10,000; 100,000 streams in bounded memory). */
  readonly customers: number;
  /** Same seed + same `now` → the same bank, byte for byte (and the same event ids). */
  readonly seed: number;
  /** End of the history; every event occurs before it. */
  readonly now: Date;
  /** Days of history before `now` (default 180; the churn rules look back 90). */
  readonly days: number;
  /** Share of customers drifting toward churn (default 0.06). */
  readonly churnShare: number;
  readonly regions: readonly RegionSpec[];
  /** Branches per region (default 8). */
  readonly branchesPerRegion: number;
}

export interface RegionSpec {
  /** Region code, as in CustomerRegistered.region and segment scopes. */
  readonly code: string;
  /** Cities for addresses (synthetic streets are added). */
  readonly cities: readonly { readonly zh: string; readonly en: string }[];
  /** Relative number of customers. */
  readonly weight: number;
}

export const DEFAULT_REGIONS: readonly RegionSpec[] = [
  { code: 'east', weight: 30, cities: [{ zh: '上海', en: 'Shanghai' }, { zh: '杭州', en: 'Hangzhou' }, { zh: '南京', en: 'Nanjing' }] },
  { code: 'north', weight: 22, cities: [{ zh: '北京', en: 'Beijing' }, { zh: '天津', en: 'Tianjin' }] },
  { code: 'south', weight: 24, cities: [{ zh: '广州', en: 'Guangzhou' }, { zh: '深圳', en: 'Shenzhen' }] },
  { code: 'central', weight: 12, cities: [{ zh: '武汉', en: 'Wuhan' }, { zh: '长沙', en: 'Changsha' }] },
  { code: 'west', weight: 12, cities: [{ zh: '成都', en: 'Chengdu' }, { zh: '重庆', en: 'Chongqing' }] },
];

export const MAX_DEMO_CUSTOMERS = 10_000_000;

export const resolveDemoBankOptions = (overrides: Partial<DemoBankOptions> & { readonly now: Date }): DemoBankOptions => {
  const o: DemoBankOptions = {
    customers: 10_000,
    seed: 1,
    days: 180,
    churnShare: 0.06,
    regions: DEFAULT_REGIONS,
    branchesPerRegion: 8,
    ...overrides,
  };
  if (!Number.isInteger(o.customers) || o.customers < 1 || o.customers > MAX_DEMO_CUSTOMERS) {
    throw new RangeError(`customers must be an integer from 1 to ${MAX_DEMO_CUSTOMERS}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2_147_483_647) throw new RangeError('seed must be an integer from 0 to 2147483647');
  // The churn rules look back 90 days; less history than that cannot show balance drain or a stopped salary.
  if (!Number.isInteger(o.days) || o.days < 100 || o.days > 730) throw new RangeError('days must be an integer from 100 to 730');
  if (!(o.churnShare >= 0 && o.churnShare <= 0.5)) throw new RangeError('churnShare must be between 0 and 0.5');
  if (Number.isNaN(o.now.getTime())) throw new RangeError('now must be a valid date');
  if (o.regions.length === 0 || o.branchesPerRegion < 1) throw new RangeError('at least one region with one branch is needed');
  return o;
};
