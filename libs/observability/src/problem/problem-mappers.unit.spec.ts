import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ProblemMappers } from './problem-mappers';

describe('ProblemMappers', () => {
  it('lets the owning module map its coded errors first', () => {
    class LedgerError extends Error {}
    const mappers = new ProblemMappers();
    mappers.register((e) =>
      e instanceof LedgerError ? { problem: { type: 'urn:c360:problem:conflict', title: 'Conflict', status: 409, code: 'event_id_conflict' } } : undefined,
    );
    expect(mappers.toProblem(new LedgerError('x')).problem).toMatchObject({ status: 409, code: 'event_id_conflict' });
  });

  it('maps Nest HTTP exceptions with their 4xx message', () => {
    const mappers = new ProblemMappers();
    expect(mappers.toProblem(new NotFoundException('Cannot GET /x')).problem).toEqual({
      type: 'urn:c360:problem:not_found',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      detail: 'Cannot GET /x',
    });
    expect(mappers.toProblem(new BadRequestException(['a must be a string', 'b is required'])).problem.detail).toBe('a must be a string; b is required');
  });

  it('maps Fastify body errors to actionable codes', () => {
    const mappers = new ProblemMappers();
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(mappers.toProblem(tooLarge).problem).toMatchObject({ status: 413, code: 'body_too_large' });
    const badType = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(mappers.toProblem(badType).problem).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    const limited = Object.assign(new Error('Too many requests; retry after 5 s.'), { statusCode: 429, code: 'rate_limited' });
    expect(mappers.toProblem(limited).problem).toMatchObject({ status: 429, code: 'rate_limited' });
  });

  it('hides everything about unexpected errors: no message, no stack', () => {
    const mappers = new ProblemMappers();
    const { problem } = mappers.toProblem(new Error('relation "customers" does not exist at /srv/app.ts:12'));
    expect(problem).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(problem)).not.toMatch(/customers|app\.ts|stack/);
  });

  it('keeps CR/LF out of details', () => {
    const mappers = new ProblemMappers();
    expect(mappers.toProblem(new BadRequestException('line1\r\nline2')).problem.detail).toBe('line1 line2');
  });
});
