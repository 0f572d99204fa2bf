import { identityMaskKind, maskAddress, maskBirthDate, maskEmail, maskField, maskName, maskNationalId, maskPhone } from './masking';

describe('masking', () => {
  it('masks phone numbers keeping the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('+861******5678');
    expect(maskPhone('+44 20 7946 0958')).toBe('+442*****0958');
    expect(maskPhone('12345')).toBe('***45');
    expect(maskPhone('')).toBe('****');
    expect(maskPhone('no digits')).toBe('****');
  });

  it('masks names word by word with a fixed-length tail (the length is not revealed)', () => {
    expect(maskName('Zhang Wei')).toBe('Z** W**');
    expect(maskName('  Zhang   Wei  ')).toBe('Z** W**');
    expect(maskName('Maximilian')).toBe('M**');
    expect(maskName('')).toBe('**');
  });

  it('handles unicode names by grapheme: CJK, combining accents, emoji, surrogate pairs', () => {
    expect(maskName('张伟')).toBe('张**');
    expect(maskName('欧阳 娜娜')).toBe('欧** 娜**');
    expect(maskName('E\u0301lodie Durand')).toBe('E\u0301** D**'); // É as E + combining acute stays whole
    expect(maskName('👩‍👩‍👧 Family')).toBe('👩‍👩‍👧** F**'); // one ZWJ grapheme
    expect(maskName('𠀋𠀌')).toBe('𠀋**'); // astral CJK: never a lone surrogate
  });

  it('keeps exactly the first grapheme the segmenter finds, on a mixed corpus (fast paths included)', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const pieces = ['张', '伟', '欧', '阳', '𠀋', 'a', 'Z', '1', '.', '\u0301', '\u200d', '\ufe0f', '\udb40\udd00', '👩', '🇨🇳', '각', '\u11a8', 'é', '\u0e33', '\r', '\n'];
    let seed = 7;
    const pick = (): string => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return pieces[seed % pieces.length] ?? '';
    };
    for (let i = 0; i < 3000; i++) {
      const word = Array.from({ length: 1 + (i % 4) }, pick).join('');
      if (word.trim().split(/\s+/u).length !== 1 || word.trim() === '') continue;
      const first = [...segmenter.segment(word.trim())][0]?.segment ?? '';
      expect(maskName(word)).toBe(`${first}**`);
      expect(maskEmail(`${word}@example.com`)).toBe(`${[...segmenter.segment(word)][0]?.segment ?? ''}***@example.com`);
    }
  });

  it('masks emails keeping the first grapheme and the domain', () => {
    expect(maskEmail('zhang.wei@example.com')).toBe('z***@example.com');
    expect(maskEmail('张伟@例子.中国')).toBe('张***@例子.中国');
    expect(maskEmail('@example.com')).toBe('***');
    expect(maskEmail('not-an-email')).toBe('***');
  });

  it('masks national ids, birth dates and addresses', () => {
    expect(maskNationalId('110101199003071234')).toBe('****1234');
    expect(maskNationalId('AB 12 34 56 C')).toBe('****456C');
    expect(maskNationalId('123')).toBe('****');
    expect(maskBirthDate('1990-03-07')).toBe('****-**-**');
    expect(maskAddress('1 Canary Wharf, London')).toBe('***');
  });

  it('never returns the input, whatever the field', () => {
    for (const kind of ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address'] as const) {
      for (const value of ['13812345678', 'Zhang Wei', 'a@b.c', '1990-01-01', 'x']) expect(maskField(kind, value)).not.toBe(value);
    }
  });

  it('knows which identity schemes are personal', () => {
    expect(identityMaskKind('phone')).toBe('phone');
    expect(identityMaskKind('national-id')).toBe('nationalId');
    expect(identityMaskKind('card')).toBeNull();
    expect(identityMaskKind('mobile-user')).toBeNull();
  });
});
