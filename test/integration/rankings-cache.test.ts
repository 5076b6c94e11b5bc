// The rankings page keeps a run's figures in memory (by run) and its rendered tables (by their data): a new run must
// show at once to those who may see it, and never to those who see published results only.
import { expect } from 'chai';
import { bootTestApp, Client, DEMO_USER_OF_ROLE, TEST_NOW, type TestApp } from '../support/app.js';
import { createApp } from '../../server/app.js';
import { createServices } from '../../server/container.js';

/** The results part of the rankings page: the chart data and the tables of every group. */
function results(html: string): string {
  const start = html.indexOf('<script type="application/json" id="chart-data">');
  expect(start, 'the page shows results').to.be.greaterThan(-1);
  const end = html.indexOf('Tỷ lệ chung toàn tỉnh', start);
  return html.slice(start, end === -1 ? undefined : end);
}

describe('the rankings page over a new run', function () {
  this.timeout(120_000);
  let t: TestApp;
  let reporter: Client;
  let admin: Client;
  let period: number;

  before(async () => {
    t = await bootTestApp();
    const periods = await t.services.periods.list();
    period = periods.find((p) => p.code.startsWith('DTI-SO-') && t.services.periods.isOpen(p))!.id;
    reporter = await Client.login(t.app, DEMO_USER_OF_ROLE.reporter);
    admin = await Client.login(t.app, DEMO_USER_OF_ROLE.admin);
    await admin.get(`/rankings?period=${period}`);
    expect((await admin.post(`/periods/${period}/publish`)).status).to.equal(303);
  });
  after(() => t.close());

  /** The results as a freshly started server shows them to a user (nothing in memory yet): what every page must show. */
  async function fresh(username: string): Promise<string> {
    const app = createApp(createServices(t.database.db, t.services.config, () => TEST_NOW), { log: () => undefined });
    return results((await (await Client.login(app, username)).get(`/rankings?period=${period}`)).text);
  }

  it('when a new run changes the figures, then the Department sees it at once, the agencies only once it is published', async () => {
    const published = results((await reporter.get(`/rankings?period=${period}`)).text);
    expect(results((await admin.get(`/rankings?period=${period}`)).text)).to.equal(published);

    // One counted report's values change (as an appraisal would), and the Department computes again.
    const counted = await t.services.db('submissions').where({ period_id: period, state: 'published' }).first('id');
    await t.services.db('submission_values').where({ submission_id: counted.id }).update({
      self_value: 0,
      self_option: null,
      appraised_value: null,
      appraised_denominator: null,
      appraised_option: null,
    });
    const run = await t.services.scoring.computePeriod(period, { trigger: 'manual' });
    expect(run.status).to.equal('computed');

    const unpublished = await admin.get(`/rankings?period=${period}`);
    expect(unpublished.text).to.include('Bản tính chưa công bố');
    expect(results(unpublished.text), 'the new run is shown to the Department').to.not.equal(published);
    expect(results(unpublished.text), 'as a fresh server shows it').to.equal(await fresh(DEMO_USER_OF_ROLE.admin));

    // The new run's figures are now in memory; the agencies still see exactly the published ones.
    const agency = await reporter.get(`/rankings?period=${period}`);
    expect(agency.text).to.not.include('Bản tính chưa công bố');
    expect(results(agency.text), 'the unpublished run is not shown to an agency').to.equal(published);

    expect((await admin.post(`/periods/${period}/publish`)).status).to.equal(303);
    const after = results((await reporter.get(`/rankings?period=${period}`)).text);
    // The same figures the Department saw, less its marks of reports not counted (they belong to an unpublished run).
    const unmarked = results(unpublished.text)
      .replace(/ <span class="state state-[a-z]+" title="Báo cáo chưa được duyệt nên chưa được tính">[^<]*<\/span>/g, '')
      .replace(/<p class="muted">\d+ đơn vị chưa có báo cáo được duyệt[^<]*<\/p>/g, '');
    expect(after, 'the new publication is shown to the agency').to.equal(unmarked);
    expect(after, 'as a fresh server shows it').to.equal(await fresh(DEMO_USER_OF_ROLE.reporter));
  });

  it('when a report is approved after the publication, then readers of the published results do not see it in the province-wide rates', async () => {
    const rates = (html: string): string => {
      const start = html.indexOf('Tỷ lệ chung toàn tỉnh');
      expect(start, 'the page shows the province-wide rates').to.be.greaterThan(-1);
      return html.slice(start, html.indexOf('</main>', start));
    };
    const before = rates((await reporter.get(`/rankings?period=${period}`)).text);
    const waiting = await t.services.db('submissions').where({ period_id: period, state: 'submitted' }).first('id');
    expect(waiting, 'the demo has a report waiting for review').to.not.equal(undefined);
    // Every ratio of the waiting report reads 0 of its denominator: a change any pooled rate would show.
    await t.services.db('submission_values').where({ submission_id: waiting.id }).whereNotNull('self_denominator').update({ self_value: 0 });
    await t.services.db('submissions').where({ id: waiting.id }).update({ state: 'approved' });

    expect(rates((await reporter.get(`/rankings?period=${period}`)).text), 'published figures only').to.equal(before);
    expect(rates((await admin.get(`/rankings?period=${period}`)).text), 'the Department counts the approved report').to.not.equal(before);
  });

  it('when the Department reads a run not yet published, then agencies whose reports are not approved are marked and counted, and readers of published results see no marks', async () => {
    expect((await t.services.scoring.computePeriod(period, { trigger: 'manual' })).status).to.equal('computed');
    const states = await t.services.submissions.statesByAgency(period);
    const draft = [...states].find(([, s]) => s.state === 'draft');
    const approved = [...states].find(([, s]) => s.state === 'approved' || s.state === 'published');
    expect(draft && approved, 'the demo has drafts and counted reports').to.not.equal(undefined);
    const agencyName = async (id: number): Promise<string> => (await t.services.db('agencies').where({ id }).first('name')).name;
    const row = (html: string, name: string): string => {
      const at = html.indexOf(`>${name}</a>`);
      expect(at, name).to.be.greaterThan(-1);
      return html.slice(at, html.indexOf('</th>', at));
    };

    const department = (await admin.get(`/rankings?period=${period}`)).text;
    expect(department).to.include('Bản tính chưa công bố');
    expect(department).to.match(/\d+ đơn vị chưa có báo cáo được duyệt/);
    expect(row(department, await agencyName(draft![0]))).to.include('class="state state-draft"').and.include('Đang nhập');
    expect(row(department, await agencyName(approved![0]))).to.not.include('class="state');

    const agency = (await reporter.get(`/rankings?period=${period}`)).text;
    expect(agency).to.not.include('chưa có báo cáo được duyệt');
    expect(row(agency, await agencyName(draft![0]))).to.not.include('class="state');
  });
});
