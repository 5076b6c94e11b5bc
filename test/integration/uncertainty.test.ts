// The rank-uncertainty screen: intervals beside the ranks, the same readers as the rankings, bad parameters refused
// in Vietnamese, and nothing shown outside the Department once the data have moved away from the published ranks.
import { expect } from 'chai';
import { bootTestApp, Client, type TestApp } from '../support/app.js';
import { periodId, unescapeHtml } from '../support/builders.js';
import type { Actor } from '../../server/auth/policy.js';

describe('the rank-uncertainty screen', function () {
  let t: TestApp;
  let published: number;
  let leader: Client;
  let admin: Client;

  before(async () => {
    t = await bootTestApp();
    published = await periodId(t.services.db, 'DTI-SO-2025-N');
    leader = await Client.login(t.app, 'lanhdaotinh');
    admin = await Client.login(t.app, 'quantri');
  });
  after(async () => t?.close());

  it('when a leader opens it for a published period, then every agency has its published rank and an interval around it', async () => {
    const res = await leader.get(`/rankings/${published}/uncertainty?draws=200&spread=10&seed=3`);
    expect(res.status).to.equal(200);
    const html = unescapeHtml(res.text);
    expect(html).to.include('Độ bất định của xếp hạng').and.include('Hạng theo kết quả công bố lần 1');
    expect(html).to.include('/static/js/uncertainty-chart.js');
    const report = await t.services.scoring.uncertainty(LEADER, published, { draws: 200, spread: 0.1, seed: 3 });
    const rows = report.groups.flatMap((g) => g.rows).filter((r) => r.rank !== null);
    expect(rows.length).to.be.greaterThan(5);
    for (const r of rows) {
      expect(r.simulatedRank, r.agencyName).to.equal(r.rank);
      expect(r.low!, r.agencyName).to.be.at.most(r.median!);
      expect(r.median!, r.agencyName).to.be.at.most(r.high!);
      expect(html).to.include(r.agencyName);
    }
  });

  it('when the rankings page has results, then it links to the screen', async () => {
    const res = await leader.get(`/rankings?period=${published}`);
    expect(res.text).to.include(`/rankings/${published}/uncertainty`);
  });

  for (const [query, why] of [
    ['draws=0', 'no draws'],
    ['draws=abc', 'draws that are not a number'],
    ['draws=20001', 'too many draws'],
    ['spread=80', 'a spread above 50 %'],
    ['seed=1.5', 'a seed that is not an integer'],
  ]) {
    it(`when asked with ${why}, then 400 with a Vietnamese message`, async () => {
      const res = await leader.get(`/rankings/${published}/uncertainty?${query}`);
      expect(res.status).to.equal(400);
      expect(unescapeHtml(res.text)).to.match(/phải/);
    });
  }

  it('when the data changed after publication, then readers outside the Department are refused and the Department is warned', async () => {
    const db = t.services.db;
    // The published leader drops to nothing: the current data no longer give the published ranks.
    const top = await db('run_results as r')
      .join('publications as p', 'p.run_id', 'r.run_id')
      .where({ 'p.period_id': published, 'r.rank': 1 })
      .first('r.agency_id');
    await db('submission_values')
      .whereIn('submission_id', db('submissions').where({ period_id: published, agency_id: top.agency_id }).select('id'))
      .update({ self_value: 0, appraised_value: null, appraised_denominator: null, appraised_option: null, appraisal_reason: null });
    const refused = await leader.get(`/rankings/${published}/uncertainty?draws=20`);
    expect(refused.status).to.equal(409);
    expect(unescapeHtml(refused.text)).to.include('Số liệu đã thay đổi sau lần công bố gần nhất');
    const warned = await admin.get(`/rankings/${published}/uncertainty?draws=20`);
    expect(warned.status).to.equal(200);
    expect(unescapeHtml(warned.text)).to.include('Hạng theo số liệu hiện tại');
  });
});

const LEADER: Actor = { id: 0, username: 'kiemthu', fullName: 'Kiểm thử', role: 'leader', agencyId: null };
