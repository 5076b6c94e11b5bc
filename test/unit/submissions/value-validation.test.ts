import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import { indicatorsOf, type IndicatorDef, type InputSpec } from '../../../server/frameworks/framework.types.js';
import {
  checkCompleteness,
  isReported,
  parseValue,
  type ParsedValue,
  type RawValue,
} from '../../../server/submissions/value-validation.js';
import type { ReportedValue } from '../../../server/scoring/scoring.types.js';

/** A small indicator of the given input kind; each test changes what it needs. */
function indicator(code: string, input: InputSpec, extra: Partial<IndicatorDef> = {}): IndicatorDef {
  return {
    type: 'indicator',
    code,
    name: `Chỉ số thử ${code}`,
    max: 20,
    input,
    score: { rule: 'linear' },
    evidence: 'optional',
    missing: 'zero',
    periodicity: 'both',
    annualFrom: 'latest',
    ...extra,
  };
}

const RATIO = indicator('HTS.2', {
  kind: 'ratio',
  numerator: 'Số máy tính kết nối mạng',
  denominator: 'Tổng số máy tính',
});
const RATIO_ABOVE_ONE = indicator('HTS.1', {
  kind: 'ratio',
  numerator: 'Số máy tính',
  denominator: 'Tổng số CBCCVC',
  allowAboveOne: true,
});
const COUNT = indicator('NTS.2', { kind: 'count', numerator: 'Số phiên họp' });
const PERCENT = indicator('P.1', { kind: 'percent' });
const FRACTION = indicator('F.1', { kind: 'fraction' });
const YESNO = indicator('TCS.1', { kind: 'yesno' }, { score: { rule: 'yesno' } });
const CHOICE = indicator(
  'NTS.1',
  {
    kind: 'choice',
    options: [
      { code: 'thu-truong', label: 'Người đứng đầu', points: 20 },
      { code: 'cap-pho', label: 'Cấp phó', points: 10 },
    ],
  },
  { score: { rule: 'choice' } },
);
const APPRAISED = indicator('HDCQS.15', { kind: 'appraised' }, { max: 40, score: { rule: 'appraised' } });
const EVIDENCE = indicator('TCS.6', { kind: 'evidence' }, { max: 0, score: { rule: 'none' }, evidence: 'required' });

const v = (value: number | null, denominator: number | null = null, option: string | null = null): ReportedValue => ({
  value,
  denominator,
  option,
});

/** Asserts the input is accepted as `expected`, with no problems. */
function accepts(ind: IndicatorDef, raw: RawValue, expected: ReportedValue | null): void {
  const { parsed, problems } = parseValue(ind, raw);
  expect(problems, JSON.stringify(problems)).to.deep.equal([]);
  expect(parsed.value).to.deep.equal(expected);
}

/** Asserts the input is refused with one problem about the indicator whose message contains `fragment`. */
function refuses(ind: IndicatorDef, raw: RawValue, fragment: string): void {
  const { parsed, problems } = parseValue(ind, raw);
  expect(problems, 'problems').to.have.length.greaterThan(0);
  expect(parsed.value, 'nothing is kept from a refused value').to.equal(null);
  for (const p of problems) {
    expect(p.field).to.equal(ind.code);
    // Every message names the indicator by code and name, in Vietnamese.
    expect(p.message).to.match(new RegExp(`^Chỉ số ${ind.code.replace('.', '\\.')} \\(${ind.name}\\): `));
  }
  expect(problems.map((p) => p.message).join(' | ')).to.include(fragment);
}

describe('parseValue', () => {
  describe('ratio', () => {
    it('when numerator and denominator are numbers, then both are kept', () => accepts(RATIO, { value: '8', denominator: '10' }, v(8, 10)));
    it('when both are empty, then the value is null and nothing is refused', () => accepts(RATIO, { value: '', denominator: '' }, null));
    it('when both are absent, then the value is null', () => accepts(RATIO, {}, null));
    it('when the numerator uses a decimal comma ("12,5"), then it is read as 12.5', () =>
      accepts(RATIO, { value: '12,5', denominator: '20' }, v(12.5, 20)));
    it('when the numbers have spaces around them, then they are trimmed', () => accepts(RATIO, { value: ' 7 ', denominator: ' 9' }, v(7, 9)));
    it('when the numbers come as JSON numbers, then they are kept', () => accepts(RATIO, { value: 3, denominator: 4 }, v(3, 4)));
    it('when both are 0, then 0 of 0 is accepted (the "exclude" policy decides later)', () =>
      accepts(RATIO, { value: '0', denominator: '0' }, v(0, 0)));
    it('when only the numerator is given, then it asks for both, naming the labels', () =>
      refuses(RATIO, { value: '8', denominator: '' }, 'cần nhập cả "Số máy tính kết nối mạng" và "Tổng số máy tính"'));
    it('when only the denominator is given, then it asks for both', () => refuses(RATIO, { denominator: '8' }, 'cần nhập cả'));
    it('when the numerator is not a number, then it says so', () => refuses(RATIO, { value: 'tám', denominator: '10' }, 'giá trị phải là một số.'));
    it('when both figures are typed but the numerator is not a number, then only that is said, not "enter both"', () => {
      const { problems } = parseValue(RATIO, { value: 'tám', denominator: '10' });
      expect(problems.map((p) => p.message)).to.deep.equal([`Chỉ số HTS.2 (${RATIO.name}): giá trị phải là một số.`]);
    });
    it('when the denominator is not a number, then it says so', () => refuses(RATIO, { value: '8', denominator: '10x' }, 'mẫu số phải là một số.'));
    it('when the numerator exceeds the denominator, then it is refused naming both figures', () =>
      refuses(RATIO, { value: '12', denominator: '10' }, '"Số máy tính kết nối mạng" (12) không được lớn hơn "Tổng số máy tính" (10)'));
    it('when the numerator exceeds the denominator and the ratio may exceed 1, then it is accepted', () =>
      accepts(RATIO_ABOVE_ONE, { value: '12', denominator: '10' }, v(12, 10)));
    it('when a figure is negative, then it is refused', () => refuses(RATIO, { value: '-1', denominator: '10' }, 'số liệu không được âm.'));
    it('when the denominator is negative, then it is refused', () => refuses(RATIO, { value: '1', denominator: '-10' }, 'số liệu không được âm.'));
    it('when the denominator is 0 and the numerator is not, then it is refused', () =>
      refuses(RATIO, { value: '3', denominator: '0' }, 'mẫu số bằng 0 trong khi tử số lớn hơn 0.'));
    it('when a number is written in exponent form, then it is refused', () => refuses(RATIO, { value: '1e3', denominator: '2000' }, 'giá trị phải là một số.'));
    it('when a JSON number is not finite, then it is refused', () =>
      refuses(RATIO, { value: Number.POSITIVE_INFINITY, denominator: 2 }, 'giá trị phải là một số.'));
    it('when the value is an object, then it is refused rather than crashing', () =>
      refuses(RATIO, { value: { x: 1 }, denominator: '2' }, 'giá trị phải là một số.'));
  });

  describe('count', () => {
    it('when a whole number is given, then it is kept', () => accepts(COUNT, { value: '3' }, v(3)));
    it('when 0 is given, then it is a value, not a missing one', () => accepts(COUNT, { value: '0' }, v(0)));
    it('when empty, then the value is null', () => accepts(COUNT, { value: '' }, null));
    it('when only whitespace, then the value is null', () => accepts(COUNT, { value: '   ' }, null));
    it('when a fraction is given ("2,5"), then it must be whole', () => refuses(COUNT, { value: '2,5' }, 'phải là số nguyên không âm.'));
    it('when negative, then it is refused', () => refuses(COUNT, { value: '-1' }, 'phải là số nguyên không âm.'));
    it('when not a number, then it is refused', () => refuses(COUNT, { value: 'ba' }, 'giá trị phải là một số.'));
  });

  describe('percent', () => {
    it('when "12,5" is given, then it is 12.5', () => accepts(PERCENT, { value: '12,5' }, v(12.5)));
    it('when 0 and 100 are given, then both bounds are accepted', () => {
      accepts(PERCENT, { value: '0' }, v(0));
      accepts(PERCENT, { value: '100' }, v(100));
    });
    it('when above 100, then it is refused', () => refuses(PERCENT, { value: '100,1' }, 'tỷ lệ phần trăm phải từ 0 đến 100.'));
    it('when negative, then it is refused', () => refuses(PERCENT, { value: '-5' }, 'tỷ lệ phần trăm phải từ 0 đến 100.'));
    it('when empty, then the value is null', () => accepts(PERCENT, { value: '' }, null));
  });

  describe('fraction', () => {
    it('when "0,75" is given, then it is 0.75', () => accepts(FRACTION, { value: '0,75' }, v(0.75)));
    it('when above 1, then it is refused', () => refuses(FRACTION, { value: '1.5' }, 'giá trị phải từ 0 đến 1.'));
    it('when negative, then it is refused', () => refuses(FRACTION, { value: '-0,1' }, 'giá trị phải từ 0 đến 1.'));
  });

  describe('yes/no', () => {
    it('when "1" is chosen, then the value is 1', () => accepts(YESNO, { option: '1' }, v(1)));
    it('when "0" is chosen, then the value is 0 (a reported "no", not a missing value)', () => accepts(YESNO, { option: '0' }, v(0)));
    it('when "co" / "khong" are chosen, then they read as 1 / 0', () => {
      accepts(YESNO, { option: 'co' }, v(1));
      accepts(YESNO, { option: 'khong' }, v(0));
    });
    it('when nothing is chosen, then the value is null', () => accepts(YESNO, { option: '' }, null));
    it('when something else is chosen, then it is refused', () => refuses(YESNO, { option: 'có lẽ' }, 'chỉ chọn "Có" hoặc "Không".'));
    it('when the answer comes as a JSON number in the value field, then it is read', () => accepts(YESNO, { value: 1 }, v(1)));
    // parseValue reads "yes"/"co" from the value field for API callers, but the numeric check runs first.
    it('when the answer "co" comes in the value field (API), then it reads as yes', () => accepts(YESNO, { value: 'co' }, v(1)));
  });

  describe('choice', () => {
    it('when a listed option is chosen, then its code is kept', () => accepts(CHOICE, { option: 'cap-pho' }, v(null, null, 'cap-pho')));
    it('when nothing is chosen, then the value is null', () => accepts(CHOICE, { option: '' }, null));
    it('when an unknown option is sent, then it is refused', () => refuses(CHOICE, { option: 'khac' }, 'lựa chọn không có trong danh sách.'));
  });

  describe('appraised score', () => {
    it('when a score within the max is given, then it is kept', () => accepts(APPRAISED, { value: '32,5' }, v(32.5)));
    it('when above the max, then it is refused naming the max', () => refuses(APPRAISED, { value: '41' }, 'điểm tự chấm phải từ 0 đến 40.'));
    it('when negative, then it is refused', () => refuses(APPRAISED, { value: '-1' }, 'điểm tự chấm phải từ 0 đến 40.'));
  });

  describe('evidence only', () => {
    it('when anything is typed, then no value is kept and nothing is refused', () => accepts(EVIDENCE, { value: '5' }, null));
  });

  describe('comments', () => {
    it('when a comment is given without a value, then the comment is kept, trimmed', () => {
      const { parsed, problems } = parseValue(COUNT, { value: '', comment: '  Chưa tổng hợp được.  ' });
      expect(problems).to.deep.equal([]);
      expect(parsed).to.deep.equal({ value: null, comment: 'Chưa tổng hợp được.' });
    });
    it('when the comment is only whitespace, then it is null', () => {
      expect(parseValue(COUNT, { comment: '   ' }).parsed.comment).to.equal(null);
    });
    it('when the comment is longer than 2000 characters, then it is refused', () =>
      refuses(COUNT, { value: '1', comment: 'x'.repeat(2001) }, 'ghi chú dài quá 2000 ký tự.'));
    it('when the comment is exactly 2000 characters, then it is accepted', () => accepts(COUNT, { value: '1', comment: 'x'.repeat(2000) }, v(1)));
  });

  describe('the framework files', () => {
    // DESIGN.md and framework.types.ts name "computers per official" as the ratio that may exceed 1, and the
    // guidance of HTS.1 scores it as min(1, ratio): an agency with more computers than officials must be able to say so.
    for (const file of ['dti-so.yaml', 'dti-xa.yaml']) {
      it(`when an agency reports more computers than officials in HTS.1 of ${file}, then the value is accepted`, async () => {
        const def = await loadFrameworkFile(fileURLToPath(new URL(`../../../frameworks/${file}`, import.meta.url)));
        const hts1 = indicatorsOf(def.nodes).find((i) => i.code === 'HTS.1');
        expect(hts1?.name).to.match(/máy tính trên/);
        accepts(hts1!, { value: '35', denominator: '30' }, v(35, 30));
      });
    }
  });
});

describe('isReported', () => {
  it('when nothing is stored, then it is not reported', () => expect(isReported(null)).to.equal(false));
  it('when a stored row has no figure and no option, then it is not reported', () => expect(isReported(v(null))).to.equal(false));
  it('when the value is 0, then it is reported', () => expect(isReported(v(0))).to.equal(true));
  it('when only an option is stored, then it is reported', () => expect(isReported(v(null, null, 'cap-pho'))).to.equal(true));
});

describe('checkCompleteness', () => {
  const REQUIRED = indicator('NLS.1', { kind: 'ratio', numerator: 'a', denominator: 'b' }, { evidence: 'required' });
  const parsed = (value: ReportedValue | null, comment: string | null = null): ParsedValue => ({ value, comment });
  const check = (inds: IndicatorDef[], values: Array<[string, ParsedValue]>, evidence: Array<[string, number]> = []) =>
    checkCompleteness(inds, new Map(values), new Map(evidence));

  it('when every indicator has a value, then nothing is missing', () => {
    expect(check([COUNT, YESNO], [['NTS.2', parsed(v(3))], ['TCS.1', parsed(v(0))]])).to.deep.equal([]);
  });

  it('when an indicator has neither a value nor a comment, then it is listed by code', () => {
    const problems = check([COUNT, YESNO], [['NTS.2', parsed(v(3))]]);
    expect(problems).to.have.length(1);
    expect(problems[0]!.field).to.equal('TCS.1');
    expect(problems[0]!.message).to.equal(
      `Chỉ số TCS.1 (${YESNO.name}): chưa có số liệu — nhập số liệu hoặc ghi chú giải trình.`,
    );
  });

  it('when a stored row has no figure and no comment, then it counts as missing', () => {
    expect(check([COUNT], [['NTS.2', parsed(v(null))]]).map((p) => p.field)).to.deep.equal(['NTS.2']);
  });

  it('when an indicator has no value but a comment explaining why, then it is complete', () => {
    expect(check([COUNT], [['NTS.2', parsed(null, 'Không phát sinh trong kỳ.')]])).to.deep.equal([]);
  });

  it('when a reported value needs evidence and has none, then the missing evidence is listed', () => {
    const problems = check([REQUIRED], [['NLS.1', parsed(v(5, 10))]]);
    expect(problems).to.deep.equal([
      { field: 'NLS.1', message: `Chỉ số NLS.1 (${REQUIRED.name}): thiếu tài liệu kiểm chứng bắt buộc.` },
    ]);
  });

  it('when a reported value needs evidence and has it, then it is complete', () => {
    expect(check([REQUIRED], [['NLS.1', parsed(v(5, 10))]], [['NLS.1', 1]])).to.deep.equal([]);
  });

  it('when evidence of another indicator is attached, then it does not count', () => {
    expect(check([REQUIRED], [['NLS.1', parsed(v(5, 10))]], [['NTS.2', 2]]).map((p) => p.field)).to.deep.equal(['NLS.1']);
  });

  it('when a required-evidence indicator is only explained by a comment, then no evidence is asked for', () => {
    expect(check([REQUIRED], [['NLS.1', parsed(null, 'Chưa có số liệu.')]])).to.deep.equal([]);
  });

  it('when a required-evidence indicator has neither value nor comment, then only the missing value is listed', () => {
    const problems = check([REQUIRED], []);
    expect(problems.map((p) => p.message)).to.deep.equal([
      `Chỉ số NLS.1 (${REQUIRED.name}): chưa có số liệu — nhập số liệu hoặc ghi chú giải trình.`,
    ]);
  });

  it('when an evidence-only indicator has no evidence, then only the evidence is asked for', () => {
    const problems = check([EVIDENCE], []);
    expect(problems.map((p) => p.message)).to.deep.equal([
      `Chỉ số TCS.6 (${EVIDENCE.name}): thiếu tài liệu kiểm chứng bắt buộc.`,
    ]);
  });

  it('when an evidence-only indicator has evidence, then it is complete', () => {
    expect(check([EVIDENCE], [], [['TCS.6', 1]])).to.deep.equal([]);
  });

  it('when an optional-evidence indicator is reported without evidence, then it is complete', () => {
    expect(check([RATIO], [['HTS.2', parsed(v(1, 2))]])).to.deep.equal([]);
  });

  it('when several are incomplete, then all are listed in framework order', () => {
    const problems = check([COUNT, REQUIRED, EVIDENCE, YESNO], [['NLS.1', parsed(v(1, 2))]]);
    expect(problems.map((p) => p.field)).to.deep.equal(['NTS.2', 'NLS.1', 'TCS.6', 'TCS.1']);
  });
});
