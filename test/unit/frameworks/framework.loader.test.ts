import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { FrameworkError, loadFrameworkFile, parseFramework, type FrameworkRule } from '../../../server/frameworks/framework.loader.js';
import { indicatorsOf } from '../../../server/frameworks/framework.types.js';

const QD922_MINI = fileURLToPath(new URL('../../fixtures/frameworks/qd922-mini.yaml', import.meta.url));

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A small valid definition in the file's snake_case form; each test changes one thing. */
function definition(): { [key: string]: Json } {
  return {
    code: 'DTI-SO-TEST',
    name: 'Bộ chỉ số thử',
    version: 1,
    applies_to: ['so-nganh', 'xa'],
    periods: ['semiannual', 'annual'],
    nodes: [
      {
        code: 'NLS',
        name: 'Nhân lực số',
        max: 30,
        children: [
          {
            code: 'NLS.1',
            name: 'Tỷ lệ CBCCVC đạt chuẩn kỹ năng CNTT cơ bản',
            max: 20,
            input: { kind: 'ratio', numerator: 'Số CBCCVC đạt chuẩn', denominator: 'Tổng số CBCCVC' },
            score: { rule: 'linear' },
            evidence: 'required',
          },
          {
            code: 'NLS.2',
            name: 'Số lớp bồi dưỡng kỹ năng số',
            max: 10,
            input: { kind: 'count' },
            score: { rule: 'steps', steps: [[4, 10], [3, 7.5], [2, 5], [1, 2.5]] },
          },
        ],
      },
      {
        code: 'HDCQS',
        name: 'Hoạt động chính quyền số',
        children: [
          { code: 'HDCQS.1', name: 'Tỷ lệ hồ sơ nộp trực tuyến', max: 10, input: { kind: 'percent' }, score: { rule: 'target', target: 0.2 } },
          {
            code: 'HDCQS.2',
            name: 'Trưởng Ban Chỉ đạo',
            max: 10,
            input: {
              kind: 'choice',
              options: [
                { code: 'chu-tich', label: 'Chủ tịch', points: 10 },
                { code: 'pho-chu-tich', label: 'Phó Chủ tịch', points: 5 },
              ],
            },
            score: { rule: 'choice' },
          },
          { code: 'HDCQS.3', name: 'Hồ sơ kiểm chứng', max: 0, input: { kind: 'evidence' }, score: { rule: 'none' } },
        ],
      },
    ],
    subindices: [{ code: 'CQS', name: 'Chính quyền số', of: ['NLS', 'HDCQS'] }],
  };
}

type Edit = (def: { [key: string]: Json }) => void;

/** Sets (or, with undefined, removes) the field at a path such as ['nodes', 0, 'children', 1, 'score']. */
function at(path: Array<string | number>, value: Json | undefined): Edit {
  return (def) => {
    let target: Json = def;
    for (const key of path.slice(0, -1)) target = (target as Record<string | number, Json>)[key]!;
    const last = path[path.length - 1]!;
    const container = target as Record<string | number, Json>;
    if (value === undefined) delete container[last];
    else container[last] = value;
  };
}

function parseEdited(...edits: Edit[]): ReturnType<typeof parseFramework> {
  const def = definition();
  for (const edit of edits) edit(def);
  return parseFramework(YAML.stringify(def), 'test.yaml');
}

function errorOf(run: () => unknown): FrameworkError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrameworkError) return error;
    throw error;
  }
  throw new Error('expected a FrameworkError');
}

const NLS1 = ['nodes', 0, 'children', 0];
const NLS2 = ['nodes', 0, 'children', 1];
const HDCQS1 = ['nodes', 1, 'children', 0];
const HDCQS2 = ['nodes', 1, 'children', 1];
const HDCQS3 = ['nodes', 1, 'children', 2];

describe('parseFramework — a valid definition', () => {
  it('when the definition is valid, then it loads with the file fields in camelCase and the defaults filled in', () => {
    const fw = parseEdited();
    expect(fw).to.include({ code: 'DTI-SO-TEST', version: 1 });
    expect(fw.appliesTo).to.deep.equal(['so-nganh', 'xa']);
    const [nls1, nls2] = indicatorsOf(fw.nodes);
    expect(nls1).to.deep.equal({
      type: 'indicator',
      code: 'NLS.1',
      name: 'Tỷ lệ CBCCVC đạt chuẩn kỹ năng CNTT cơ bản',
      max: 20,
      input: { kind: 'ratio', numerator: 'Số CBCCVC đạt chuẩn', denominator: 'Tổng số CBCCVC' },
      score: { rule: 'linear' },
      evidence: 'required',
      missing: 'zero',
      periodicity: 'both',
      annualFrom: 'latest',
    });
    expect(nls2).to.include({ evidence: 'optional' });
    expect(nls2?.score).to.deep.equal({ rule: 'steps', steps: [[4, 10], [3, 7.5], [2, 5], [1, 2.5]] });
  });

  it('when an index node omits max, then its max is the sum of its children', () => {
    expect(parseEdited().nodes[1]).to.include({ type: 'index', code: 'HDCQS', max: 20 });
  });

  it('when the definition is JSON, then it loads the same as YAML', () => {
    expect(parseFramework(JSON.stringify(definition()), 'test.json')).to.deep.equal(parseEdited());
  });

  it('when the optional fields are given, then they are carried over', () => {
    const fw = parseEdited(
      at([...NLS1, 'evidence_note'], 'Danh sách CBCCVC đạt chuẩn'),
      at([...NLS1, 'guidance'], 'Tỷ lệ × điểm tối đa'),
      at([...NLS1, 'missing'], 'carry'),
      at([...NLS1, 'periodicity'], 'semiannual'),
      at([...NLS1, 'annual_from'], 'mean'),
      at([...NLS1, 'applies_to'], ['xa']),
      at([...NLS1, 'score', 'direction'], 'higher'),
    );
    expect(indicatorsOf(fw.nodes)[0]).to.include({
      evidenceNote: 'Danh sách CBCCVC đạt chuẩn',
      guidance: 'Tỷ lệ × điểm tối đa',
      missing: 'carry',
      periodicity: 'semiannual',
      annualFrom: 'mean',
    });
    expect(indicatorsOf(fw.nodes)[0]?.appliesTo).to.deep.equal(['xa']);
  });

  it('when the QĐ 922-shaped fixture is loaded from disk, then it has the nine main indices and 1000 points', async () => {
    const fw = await loadFrameworkFile(QD922_MINI);
    expect(fw.nodes.map((n) => [n.code, n.max])).to.deep.equal([
      ['NTS', 100], ['TCS', 100], ['HTS', 100], ['NLS', 100], ['ATTT', 100], ['DTTM', 0], ['HDCQS', 200], ['HDKTS', 150], ['HDXHS', 150],
    ]);
    expect(fw.nodes.reduce((s, n) => s + n.max, 0)).to.equal(1000);
    expect(fw.subindices.map((s) => s.code)).to.deep.equal(['CQS', 'KTS', 'XHS']);
  });
});

describe('parseFramework — refused definitions', () => {
  interface Refusal {
    when: string;
    edits: Edit[];
    rule: FrameworkRule;
    node: string | null;
    path?: string;
  }
  const cases: Refusal[] = [
    { when: 'a score rule is misspelt', edits: [at([...NLS1, 'score'], { rule: 'linaer' })], rule: 'unknown-score-rule', node: 'NLS.1', path: 'nodes[0].children[0].score.rule' },
    { when: 'an input kind is unknown', edits: [at([...NLS2, 'input'], { kind: 'number' })], rule: 'unknown-input-kind', node: 'NLS.2', path: 'nodes[0].children[1].input.kind' },
    { when: 'an indicator has no name', edits: [at([...NLS2, 'name'], undefined)], rule: 'schema', node: 'NLS.2', path: 'nodes[0].children[1].name' },
    { when: 'a field is misspelt', edits: [at([...NLS2, 'evidance'], 'required')], rule: 'schema', node: 'NLS.2', path: 'nodes[0].children[1]' },
    { when: 'a rule has a field of another rule', edits: [at([...NLS1, 'score'], { rule: 'linear', target: 0.5 })], rule: 'schema', node: 'NLS.1', path: 'nodes[0].children[0].score' },
    { when: 'a step is not a [threshold, points] pair', edits: [at([...NLS2, 'score', 'steps'], [[4]])], rule: 'schema', node: 'NLS.2', path: 'nodes[0].children[1].score.steps[0]' },
    { when: 'the evidence requirement is unknown', edits: [at([...NLS1, 'evidence'], 'maybe')], rule: 'schema', node: 'NLS.1', path: 'nodes[0].children[0].evidence' },
    { when: 'an indicator has no max', edits: [at([...NLS1, 'max'], undefined)], rule: 'schema', node: 'NLS.1', path: 'nodes[0].children[0].max' },
    { when: 'a max is negative', edits: [at([...NLS1, 'max'], -5)], rule: 'schema', node: 'NLS.1', path: 'nodes[0].children[0].max' },
    { when: 'a code is used twice', edits: [at([...NLS2, 'code'], 'NLS.1')], rule: 'duplicate-code', node: 'NLS.1', path: 'nodes[0].children[1].code' },
    { when: 'an index node reuses an indicator code', edits: [at(['nodes', 1, 'code'], 'NLS.2'), at(['subindices'], [])], rule: 'duplicate-code', node: 'NLS.2' },
    { when: 'a sub-index reuses a node code', edits: [at(['subindices', 0, 'code'], 'NLS')], rule: 'duplicate-code', node: 'NLS', path: 'subindices[0].code' },
    { when: "the children's max do not add up to the parent's", edits: [at(['nodes', 0, 'max'], 40)], rule: 'max-sum', node: 'NLS', path: 'nodes[0].max' },
    { when: 'a sub-index names an unknown node', edits: [at(['subindices', 0, 'of'], ['NLS', 'HDKTS'])], rule: 'unknown-code', node: 'CQS', path: 'subindices[0].of[1]' },
    { when: 'a sub-index lists a node and its child', edits: [at(['subindices', 0, 'of'], ['NLS', 'NLS.1'])], rule: 'subindex-overlap', node: 'CQS', path: 'subindices[0].of[1]' },
    { when: 'a sub-index lists a node twice', edits: [at(['subindices', 0, 'of'], ['NLS', 'NLS'])], rule: 'subindex-overlap', node: 'CQS' },
    { when: 'a sub-index lists nothing', edits: [at(['subindices', 0, 'of'], [])], rule: 'empty-list', node: 'CQS' },
    { when: 'a choice rule scores a count', edits: [at([...NLS2, 'score'], { rule: 'choice' })], rule: 'rule-input-mismatch', node: 'NLS.2', path: 'nodes[0].children[1].score.rule' },
    { when: 'a choice input is scored linearly', edits: [at([...HDCQS2, 'score'], { rule: 'linear' })], rule: 'rule-input-mismatch', node: 'HDCQS.2' },
    { when: 'a choice input has no options', edits: [at([...HDCQS2, 'input', 'options'], undefined)], rule: 'choice-options', node: 'HDCQS.2' },
    { when: 'a choice option is worth more than the max', edits: [at([...HDCQS2, 'max'], 4), at([...HDCQS1, 'max'], 16)], rule: 'choice-options', node: 'HDCQS.2', path: 'nodes[1].children[1].input.options[0].points' },
    { when: 'a choice option code repeats', edits: [at([...HDCQS2, 'input', 'options', 1, 'code'], 'chu-tich')], rule: 'choice-options', node: 'HDCQS.2' },
    { when: 'an appraised rule scores a percent', edits: [at([...HDCQS1, 'score'], { rule: 'appraised' })], rule: 'rule-input-mismatch', node: 'HDCQS.1' },
    { when: 'an appraised input has a linear rule', edits: [at([...HDCQS1, 'input'], { kind: 'appraised' }), at([...HDCQS1, 'score'], { rule: 'linear' })], rule: 'rule-input-mismatch', node: 'HDCQS.1' },
    { when: 'an evidence input has a points rule', edits: [at([...HDCQS3, 'score'], { rule: 'linear' })], rule: 'rule-input-mismatch', node: 'HDCQS.3' },
    { when: 'an evidence input has max points', edits: [at([...HDCQS3, 'max'], 5), at([...HDCQS1, 'max'], 5)], rule: 'no-points', node: 'HDCQS.3', path: 'nodes[1].children[2].max' },
    { when: 'a yes/no rule scores a percent', edits: [at([...HDCQS1, 'score'], { rule: 'yesno' })], rule: 'rule-input-mismatch', node: 'HDCQS.1' },
    { when: 'a step is worth more than the max', edits: [at([...NLS2, 'score', 'steps'], [[4, 12], [1, 2.5]])], rule: 'steps-points', node: 'NLS.2', path: 'nodes[0].children[1].score.steps[0]' },
    { when: 'a higher step is worth fewer points', edits: [at([...NLS2, 'score', 'steps'], [[4, 5], [3, 7.5]])], rule: 'steps-order', node: 'NLS.2' },
    { when: 'a threshold repeats', edits: [at([...NLS2, 'score', 'steps'], [[4, 10], [4, 5]])], rule: 'steps-order', node: 'NLS.2' },
    { when: 'a target is 0', edits: [at([...HDCQS1, 'score', 'target'], 0)], rule: 'target-positive', node: 'HDCQS.1', path: 'nodes[1].children[0].score.target' },
    { when: 'a linear full is negative', edits: [at([...NLS1, 'score', 'full'], -1)], rule: 'full-positive', node: 'NLS.1' },
    { when: 'a percent target is written as 20 rather than 0.2', edits: [at([...HDCQS1, 'score', 'target'], 20)], rule: 'scale', node: 'HDCQS.1' },
    { when: 'a count is scored linearly without full', edits: [at([...NLS2, 'score'], { rule: 'linear' })], rule: 'scale', node: 'NLS.2' },
    { when: 'a ratio has no denominator label', edits: [at([...NLS1, 'input', 'denominator'], undefined)], rule: 'ratio-labels', node: 'NLS.1' },
    { when: 'periods is empty', edits: [at(['periods'], [])], rule: 'empty-list', node: null, path: 'periods' },
    { when: 'applies_to is empty', edits: [at(['applies_to'], [])], rule: 'empty-list', node: null, path: 'applies_to' },
    { when: "a node's applies_to is empty", edits: [at([...NLS1, 'applies_to'], [])], rule: 'empty-list', node: 'NLS.1' },
    { when: 'a node applies to a group the framework does not', edits: [at([...NLS1, 'applies_to'], ['phuong'])], rule: 'unknown-group', node: 'NLS.1' },
    { when: 'an index node has no children', edits: [at(['nodes', 1, 'children'], []), at(['subindices'], [])], rule: 'empty-list', node: 'HDCQS' },
    { when: 'an indicator is collected only in a period the framework lacks', edits: [at(['periods'], ['annual']), at([...NLS1, 'periodicity'], 'semiannual')], rule: 'periodicity', node: 'NLS.1' },
    { when: 'the period kind is unknown', edits: [at(['periods'], ['quarterly'])], rule: 'schema', node: null, path: 'periods[0]' },
  ];
  for (const c of cases) {
    it(`when ${c.when}, then it is refused under rule ${c.rule}`, () => {
      const error = errorOf(() => parseEdited(...c.edits));
      expect(error.issues.map((i) => i.rule), error.message).to.include(c.rule);
      const issue = error.issues.find((i) => i.rule === c.rule)!;
      expect(issue.node).to.equal(c.node);
      if (c.path !== undefined) expect(issue.path).to.equal(c.path);
    });
  }

  it('when the YAML is malformed, then it is refused under rule syntax', () => {
    const error = errorOf(() => parseFramework('code: X\nnodes: [1, 2\n', 'broken.yaml'));
    expect(error).to.include({ file: 'broken.yaml', node: null, rule: 'syntax' });
  });

  it('when the file is empty, then it is refused as a schema error', () => {
    expect(errorOf(() => parseFramework('', 'empty.yaml')).rule).to.equal('schema');
  });

  it('when a definition is refused, then the message names the file, the node and the rule', () => {
    const error = errorOf(() => parseEdited(at([...NLS1, 'score'], { rule: 'linaer' })));
    expect(error).to.be.instanceOf(Error);
    expect(error).to.include({ name: 'FrameworkError', file: 'test.yaml', node: 'NLS.1', rule: 'unknown-score-rule' });
    expect(error.message).to.include('test.yaml').and.include('NLS.1').and.include('unknown-score-rule').and.include('nodes[0].children[0].score.rule');
  });

  it('when several things are wrong, then every problem is reported at once', () => {
    const error = errorOf(() => parseEdited(at([...NLS1, 'score'], { rule: 'linaer' }), at(['nodes', 1, 'max'], 99), at(['periods'], [])));
    expect(error.issues.map((i) => [i.node, i.rule])).to.have.deep.members([
      ['NLS.1', 'unknown-score-rule'],
      ['HDCQS', 'max-sum'],
      [null, 'empty-list'],
    ]);
    expect(error.message.split('\n')).to.have.length(4);
  });

  it('when a node cannot be read, then sub-indices naming it are not also reported as unknown', () => {
    const error = errorOf(() => parseEdited(at(['nodes', 0, 'name'], undefined)));
    expect(error.issues.map((i) => i.rule)).to.deep.equal(['schema']);
  });

  it('when a file is loaded from disk and refused, then the error names the path', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'dti-fw-'));
    const file = join(dir, 'bad.yaml');
    try {
      await writeFile(file, YAML.stringify({ ...definition(), periods: [] }));
      const error = await loadFrameworkFile(file).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(FrameworkError);
      expect((error as FrameworkError).file).to.equal(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
