import type { Random } from '../random/random';

/**
 * Synthetic personal data: names built from common name parts (never a real record), phones in
 * the ITU-reserved country code +999 (no real subscriber can have one), example.com mailboxes,
 * national ids that say DEMO, and addresses on streets named "Example"/示例.
 */

const SURNAMES: readonly (readonly [string, string])[] = [
  ['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'], ['赵', 'Zhao'],
  ['黄', 'Huang'], ['周', 'Zhou'], ['吴', 'Wu'], ['徐', 'Xu'], ['孙', 'Sun'], ['胡', 'Hu'], ['朱', 'Zhu'],
  ['高', 'Gao'], ['林', 'Lin'], ['何', 'He'], ['郭', 'Guo'], ['马', 'Ma'], ['罗', 'Luo'],
];
const GIVEN: readonly (readonly [string, string])[] = [
  ['伟', 'Wei'], ['芳', 'Fang'], ['娜', 'Na'], ['敏', 'Min'], ['静', 'Jing'], ['丽', 'Li'], ['强', 'Qiang'],
  ['磊', 'Lei'], ['军', 'Jun'], ['洋', 'Yang'], ['勇', 'Yong'], ['艳', 'Yan'], ['杰', 'Jie'], ['娟', 'Juan'],
  ['涛', 'Tao'], ['明', 'Ming'], ['超', 'Chao'], ['秀英', 'Xiuying'], ['霞', 'Xia'], ['平', 'Ping'],
  ['建华', 'Jianhua'], ['志强', 'Zhiqiang'], ['晓燕', 'Xiaoyan'], ['嘉怡', 'Jiayi'], ['子轩', 'Zixuan'],
];
const LATIN_FIRST: readonly string[] = [
  'Anna', 'Ben', 'Clara', 'David', 'Elena', 'Felix', 'Grace', 'Henry', 'Iris', 'Jonas', 'Laura', 'Marco',
  'Nina', 'Oscar', 'Paula', 'Rafael', 'Sofia', 'Tom', 'Vera', 'William',
];
const LATIN_LAST: readonly string[] = [
  'Example', 'Sample', 'Demo', 'Testwood', 'Placeholder', 'Mockford', 'Fictiva', 'Specimen', 'Dummyton', 'Prototype',
];
const COMPANY_PREFIX: readonly (readonly [string, string])[] = [
  ['华信', 'Huaxin'], ['宏远', 'Hongyuan'], ['金达', 'Jinda'], ['新元', 'Xinyuan'], ['鼎盛', 'Dingsheng'],
  ['瑞丰', 'Ruifeng'], ['恒通', 'Hengtong'], ['博安', 'Bo-an'],
];
const COMPANY_TRADE: readonly (readonly [string, string])[] = [
  ['科技', 'Technology'], ['贸易', 'Trading'], ['物流', 'Logistics'], ['精密机械', 'Precision Machinery'],
  ['食品', 'Foods'], ['建材', 'Building Materials'], ['医疗器械', 'Medical Devices'], ['服装', 'Apparel'],
];

export interface SyntheticPerson {
  readonly fullName: string;
  /** ASCII name part for the example.com mailbox. */
  readonly mailbox: string;
}

export const syntheticIndividual = (rng: Random): SyntheticPerson => {
  if (rng.chance(0.12)) {
    const first = rng.pick(LATIN_FIRST);
    const last = rng.pick(LATIN_LAST);
    return { fullName: `${first} ${last}`, mailbox: `${first}.${last}`.toLowerCase() };
  }
  const [sz, sp] = rng.pick(SURNAMES);
  const [gz, gp] = rng.pick(GIVEN);
  return { fullName: `${sz}${gz}`, mailbox: `${sp}.${gp}`.toLowerCase() };
};

export const syntheticCompany = (rng: Random, cityZh: string, cityEn: string): SyntheticPerson => {
  const [pz, pe] = rng.pick(COMPANY_PREFIX);
  const [tz, te] = rng.pick(COMPANY_TRADE);
  return rng.chance(0.8)
    ? { fullName: `${cityZh}${pz}${tz}有限公司`, mailbox: `finance.${pe.replace('-', '')}`.toLowerCase() }
    : { fullName: `${cityEn} ${pe} ${te} Ltd (Example)`, mailbox: `treasury.${pe.replace('-', '')}`.toLowerCase() };
};

/** +999 is reserved by the ITU for a future global service: no real number is ever in it. */
export const syntheticPhone = (seed: number, index: number): string =>
  `+999${String(seed % 1000).padStart(3, '0')}${String(index).padStart(8, '0')}`;

export const syntheticNationalId = (seed: number, index: number, business: boolean): string =>
  `DEMO-${business ? 'ORG' : 'ID'}-${seed}-${String(index).padStart(8, '0')}`;

export const syntheticEmail = (mailbox: string, index: number): string => `${mailbox}.${index}@example.com`;

export const syntheticAddress = (rng: Random, cityZh: string, cityEn: string): string =>
  rng.chance(0.85)
    ? `${cityZh}市示例路${rng.int(1, 999)}号${rng.int(1, 30)}栋${rng.int(101, 2808)}室`
    : `${rng.int(1, 999)} Example Road, ${cityEn}`;
