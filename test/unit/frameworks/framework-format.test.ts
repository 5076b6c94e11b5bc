// The parts of the framework format added for composite aggregation, sub-index references and annual values, and
// the frameworks shipped in frameworks/.
import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { FrameworkError, loadFrameworkFile, parseFramework, type FrameworkRule } from '../../../server/frameworks/framework.loader.js';
import { indicatorsOf, subindexNodeCodes, type FrameworkDef } from '../../../server/frameworks/framework.types.js';

const FRAMEWORKS = fileURLToPath(new URL('../../../frameworks/', import.meta.url));

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const fraction = (code: string, max = 10): Json => ({ code, name: `Chỉ số ${code}`, max, input: { kind: 'fraction' }, score: { rule: 'linear' } });

/** A composite framework in the file's form: D averages I1 and I2; E is a points node. */
function definition(): { [key: string]: Json } {
  return {
    code: 'COMPOSITE',
    name: 'Bộ chỉ số tổng hợp',
    version: 1,
    applies_to: ['so'],
    periods: ['annual', 'semiannual'],
    nodes: [
      { code: 'D', name: 'Chiều D', children: [fraction('I1'), fraction('I2')], aggregate: { method: 'geometric', normalise: 'minmax', weights: { I1: 2, I2: 1 } } },
      { code: 'E', name: 'Chiều E', children: [fraction('I3'), fraction('I4')] },
    ],
    subindices: [
      { code: 'S1', name: 'Phụ 1', of: ['D'] },
      { code: 'S2', name: 'Phụ 2', of: ['S1', 'E'] },
    ],
    aggregate: { method: 'arithmetic', weights: { D: 1, E: 1 } },
  };
}

function parsed(edit: (def: { [key: string]: Json }) => void = () => undefined): FrameworkDef {
  const def = definition();
  edit(def);
  return parseFramework(YAML.stringify(def), 'composite.yaml');
}

function refused(edit: (def: { [key: string]: Json }) => void): FrameworkError {
  try {
    parsed(edit);
  } catch (error) {
    if (error instanceof FrameworkError) return error;
    throw error;
  }
  throw new Error('expected a FrameworkError');
}

type Def = { [key: string]: Json };
const node = (def: Def, i: number): Def => (def.nodes as Def[])[i]!;
const sub = (def: Def, i: number): Def => (def.subindices as Def[])[i]!;
const child = (def: Def, i: number, j: number): Def => (node(def, i).children as Def[])[j]!;

describe('framework format — composite aggregation and sub-index references', () => {
  it('when a node and the framework declare an aggregate, then both load with the normalisation defaulted to none', () => {
    const fw = parsed();
    expect(fw.nodes[0]).to.deep.include({ aggregate: { method: 'geometric', normalise: 'minmax', weights: { I1: 2, I2: 1 } } });
    expect(fw.aggregate).to.deep.equal({ method: 'arithmetic', normalise: 'none', weights: { D: 1, E: 1 } });
    expect(fw.nodes[1]).to.not.have.property('aggregate');
  });

  it('when a sub-index names another sub-index, then it stands for that sub-index\'s nodes', () => {
    const fw = parsed();
    expect(subindexNodeCodes(fw.subindices, 'S2')).to.deep.equal(['D', 'E']);
  });

  interface Refusal {
    when: string;
    edit: (def: Def) => void;
    rule: FrameworkRule;
    node: string | null;
    path?: string;
  }
  const cases: Refusal[] = [
    { when: 'a geometric mean takes z-scores', edit: (d) => ((node(d, 0).aggregate as Def).normalise = 'zscore'), rule: 'aggregate', node: 'D', path: 'nodes[0].aggregate.normalise' },
    { when: 'the method is unknown', edit: (d) => ((node(d, 0).aggregate as Def).method = 'median'), rule: 'schema', node: 'D', path: 'nodes[0].aggregate.method' },
    { when: 'a normalisation is unknown', edit: (d) => ((node(d, 0).aggregate as Def).normalise = 'rank'), rule: 'schema', node: 'D' },
    { when: 'a weight names a node that is not a child', edit: (d) => ((node(d, 0).aggregate as Def).weights = { I1: 1, I2: 1, I3: 1 }), rule: 'unknown-code', node: 'D', path: 'nodes[0].aggregate.weights.I3' },
    { when: 'a child has no weight', edit: (d) => ((node(d, 0).aggregate as Def).weights = { I1: 1 }), rule: 'aggregate', node: 'D' },
    { when: 'a weight is 0', edit: (d) => ((node(d, 0).aggregate as Def).weights = { I1: 0, I2: 1 }), rule: 'schema', node: 'D' },
    { when: 'a composite child carries no points', edit: (d) => (child(d, 0, 1).max = 0, (child(d, 0, 1).score = { rule: 'none' })), rule: 'aggregate', node: 'D' },
    { when: 'the framework aggregate weighs an unknown node', edit: (d) => ((d.aggregate as Def).weights = { D: 1, E: 1, F: 1 }), rule: 'unknown-code', node: null, path: 'aggregate.weights.F' },
    { when: 'two sub-indices name each other', edit: (d) => (sub(d, 0).of = ['S2']), rule: 'cycle', node: 'S1', path: 'subindices[0].of' },
    { when: 'a sub-index names itself', edit: (d) => (sub(d, 1).of = ['S2', 'E']), rule: 'cycle', node: 'S2' },
    { when: 'a sub-index counts a node twice through another sub-index', edit: (d) => (sub(d, 1).of = ['S1', 'D']), rule: 'subindex-overlap', node: 'S2', path: 'subindices[1].of[1]' },
    { when: 'a sub-index counts a child of a node another sub-index brings', edit: (d) => (sub(d, 1).of = ['S1', 'I1']), rule: 'subindex-overlap', node: 'S2' },
    { when: 'a sub-index lists a child before its parent', edit: (d) => (sub(d, 0).of = ['I1', 'D']), rule: 'subindex-overlap', node: 'S1' },
    { when: 'a sub-index names neither a node nor a sub-index', edit: (d) => (sub(d, 1).of = ['S9']), rule: 'unknown-code', node: 'S2', path: 'subindices[1].of[0]' },
    { when: 'annual_from sum is given to an indicator collected in both periods', edit: (d) => (child(d, 1, 0).annual_from = 'sum'), rule: 'periodicity', node: 'I3', path: 'nodes[1].children[0].annual_from' },
    { when: 'annual_from sum is given to a fraction', edit: (d) => Object.assign(child(d, 1, 0), { periodicity: 'semiannual', annual_from: 'sum' }), rule: 'periodicity', node: 'I3' },
    { when: 'annual_from is unknown', edit: (d) => (child(d, 1, 0).annual_from = 'max'), rule: 'schema', node: 'I3' },
  ];
  for (const c of cases) {
    it(`when ${c.when}, then it is refused under rule ${c.rule}`, () => {
      const error = refused(c.edit);
      expect(error.issues.map((i) => i.rule), error.message).to.include(c.rule);
      const issue = error.issues.find((i) => i.rule === c.rule)!;
      expect(issue.node).to.equal(c.node);
      if (c.path !== undefined) expect(issue.path).to.equal(c.path);
      expect(error.message).to.include('composite.yaml').and.include(c.rule);
    });
  }

  it('when a semiannual indicator forms its annual value by mean, then it loads', () => {
    const fw = parsed((d) => Object.assign(child(d, 1, 0), { periodicity: 'semiannual', annual_from: 'mean' }));
    expect(indicatorsOf(fw.nodes).find((i) => i.code === 'I3')).to.include({ periodicity: 'semiannual', annualFrom: 'mean' });
  });
});

describe('frameworks shipped in frameworks/', () => {
  const loaded = new Map<string, FrameworkDef>();
  before(async () => {
    for (const file of (await readdir(FRAMEWORKS)).filter((f) => /\.(ya?ml|json)$/.test(f))) {
      loaded.set(file, await loadFrameworkFile(`${FRAMEWORKS}${file}`));
    }
  });

  it('when every file in frameworks/ is loaded, then each validates, the four national and provincial sets among them', () => {
    expect([...loaded.keys()]).to.include.members(['dti-922-province.yaml', 'dti-1726-province.yaml', 'dti-so.yaml', 'dti-xa.yaml']);
  });

  for (const [file, what, least] of [
    ['dti-so.yaml', 'department', 30],
    ['dti-xa.yaml', 'commune', 20],
  ] as const) {
    it(`when the ${what} framework is read, then it has at least ${least} indicators, each with evidence and scoring text`, () => {
      const indicators = indicatorsOf(loaded.get(file)!.nodes);
      expect(indicators.length).to.be.at.least(least);
      for (const i of indicators) {
        expect(i.guidance, i.code).to.be.a('string').and.not.empty;
        expect(i.evidenceNote, i.code).to.be.a('string').and.not.empty;
      }
    });
  }

  // Every item the seed directives (reference/seeds) ask of departments and communes, by words of its indicator name.
  const seedItems: Array<[string, string[]]> = [
    ['personal digital signatures of leaders (seed 000)', ['chữ ký số cá nhân']],
    ['briefing all staff on e-government (seed 000)', ['Quán triệt']],
    ['IT skills standard TT 03/2014 (seeds 000, 003)', ['chuẩn kỹ năng sử dụng công nghệ thông tin cơ bản']],
    ['integration with shared systems (seed 000)', ['LGSP']],
    ['news for the provincial portal (seed 000)', ['Cổng thông tin điện tử tỉnh']],
    ['citizens\' feedback answered on time (seed 000)', ['phản ánh, kiến nghị']],
    ['online public services (seeds 000, 002, 003)', ['dịch vụ công trực tuyến toàn trình']],
    ['≥ 20 % dossiers filed online (seed 000)', ['nộp trực tuyến']],
    ['IT criteria in emulation and rewards (seeds 000, 004)', ['thi đua, khen thưởng']],
    ['training in digital skills (seeds 000, 002, 004)', ['bồi dưỡng']],
    ['electronic information page (seeds 000, 001, 003)', ['trang thông tin điện tử']],
    ['document management software (seeds 001, 003)', ['phần mềm quản lý văn bản và điều hành']],
    ['official e-mail (seed 001)', ['thư điện tử công vụ']],
    ['documents sent over the interconnection axis, QĐ 28/2018 (seeds 001, 003)', ['trục liên thông văn bản']],
    ['specialised data network (seed 001)', ['truyền số liệu chuyên dùng']],
    ['budget for digital transformation (seeds 001, 004)', ['kinh phí']],
    ['steering board and its working rules (seed 002)', ['Ban Chỉ đạo', 'quy chế hoạt động']],
    ['the annual plan (seeds 002, 004)', ['Kế hoạch chuyển đổi số năm']],
    ['information security (seed 002)', ['an toàn thông tin']],
    ['computers per official (seed 003)', ['Tỷ lệ máy tính trên số']],
    ['internet and LAN (seed 003)', ['kết nối Internet và mạng nội bộ']],
    ['staff assigned to IT (seed 003)', ['công nghệ thông tin']],
    ['ISO-standardised processes (seeds 003, 004)', ['ISO 9001']],
    ['digitised dossiers and results (seed 004)', ['số hóa']],
    ['periodic reports before 15/12 (seed 004)', ['Báo cáo định kỳ']],
  ];
  const communeItems: Array<[string, string[]]> = [
    ['digital transformation in the socio-economic plan (seed 004)', ['kinh tế - xã hội']],
    ['official e-mail (seed 001)', ['thư điện tử công vụ']],
    ['citizens\' feedback answered on time (seed 000)', ['phản ánh, kiến nghị']],
    ['ISO-standardised processes (seed 003)', ['ISO 9001']],
    ['computers per official (seed 003)', ['Tỷ lệ máy tính trên số']],
    ['documents sent over the interconnection axis (seed 003)', ['trục liên thông văn bản']],
    ['dossiers filed online (seed 003)', ['nộp trực tuyến']],
  ];
  const covers = (fw: FrameworkDef, words: string[]): boolean =>
    words.every((w) => indicatorsOf(fw.nodes).some((i) => i.name.toLocaleLowerCase('vi').includes(w.toLocaleLowerCase('vi'))));
  for (const [item, words] of seedItems) {
    it(`when the department framework is checked against the seeds, then it covers ${item}`, () => {
      expect(covers(loaded.get('dti-so.yaml')!, words)).to.equal(true);
    });
  }
  for (const [item, words] of communeItems) {
    it(`when the commune framework is checked against the seeds, then it covers ${item}`, () => {
      expect(covers(loaded.get('dti-xa.yaml')!, words)).to.equal(true);
    });
  }
});
