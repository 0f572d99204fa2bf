import type { CustomerViewDto } from './customer-view.dto';
import { matchesIfNoneMatch, serializeView } from './customer-view.service';

const view = (over: Partial<Record<string, unknown>> = {}): CustomerViewDto =>
  ({
    customerId: 'C000123',
    view: 'live',
    at: '2026-11-28T10:00:00.000Z',
    revision: 7,
    personalData: 'masked',
    profile: { fullName: 'Z** W**', note: '"at":"" inside a value', at: '' },
    recentTimeline: [{ at: '', summary: '"at":""' }],
    ...over,
  }) as unknown as CustomerViewDto;

describe('serializeView', () => {
  it('gives the view as JSON, unchanged (the instant included, nested "at" keys untouched)', () => {
    const v = view();
    expect(JSON.parse(serializeView(v).body)).toEqual(JSON.parse(JSON.stringify(v)));
  });

  it('the ETag ignores the evaluation instant but changes with the content', () => {
    const a = serializeView(view());
    const b = serializeView(view({ at: '2026-11-28T10:00:01.000Z' }));
    const c = serializeView(view({ revision: 8 }));
    expect(a.etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(b.etag).toBe(a.etag);
    expect(b.body).not.toBe(a.body);
    expect(c.etag).not.toBe(a.etag);
    expect(matchesIfNoneMatch(`"x", ${a.etag}`, b.etag)).toBe(true);
  });
});
