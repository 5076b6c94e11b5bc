import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadFrameworkFile } from '../../../server/frameworks/framework.loader.js';
import { indicatorsOf, type FrameworkDef, type IndicatorDef } from '../../../server/frameworks/framework.types.js';
import {
  DEMO_PASSWORD,
  DEMO_PROVINCE,
  PROVINCE_ROOT_CODE,
  demoAgencies,
  demoEvidenceFor,
  demoRankingGroups,
  demoUsers,
  demoValueFor,
  type DemoAgency,
  type DemoHalf,
} from '../../../server/demo/demo-province.js';
import { scoreIndicator } from '../../../server/scoring/score.js';

const frameworkPath = (name: string): string => fileURLToPath(new URL(`../../../frameworks/${name}`, import.meta.url));

/** Vietnamese text carries diacritics; a name in plain ASCII is a typing slip. */
const hasVietnameseLetters = (text: string): boolean => /[À-ỹĐđ]/u.test(text);

const YEARS = [2025, 2026] as const;
const HALVES: DemoHalf[] = ['H1', 'Y'];

describe('demo province', () => {
  let so: FrameworkDef;
  let xa: FrameworkDef;
  let soIndicators: IndicatorDef[];
  let xaIndicators: IndicatorDef[];

  before(async () => {
    so = await loadFrameworkFile(frameworkPath('dti-so.yaml'));
    xa = await loadFrameworkFile(frameworkPath('dti-xa.yaml'));
    soIndicators = indicatorsOf(so.nodes);
    xaIndicators = indicatorsOf(xa.nodes);
  });

  /** Each assessed agency with the indicators of its framework that apply to its group. */
  function assessed(): Array<{ agency: DemoAgency; indicators: IndicatorDef[] }> {
    return demoAgencies
      .filter((a) => a.group !== null)
      .map((agency) => ({
        agency,
        indicators: (agency.group === 'so-nganh' ? soIndicators : xaIndicators).filter(
          (i) => i.appliesTo === undefined || i.appliesTo.includes(agency.group!),
        ),
      }));
  }

  describe('frameworks', () => {
    it('when the department framework is loaded, then it validates with at least 24 indicators and 1000 points', () => {
      expect(so.code).to.equal('DTI-SO');
      expect(so.appliesTo).to.deep.equal(['so-nganh']);
      expect(so.periods).to.have.members(['semiannual', 'annual']);
      expect(soIndicators.length).to.be.at.least(24);
      expect(so.nodes.map((n) => n.code)).to.deep.equal(['NTS', 'TCS', 'HTS', 'NLS', 'ATTT', 'HDCQS']);
      expect(so.nodes.reduce((sum, n) => sum + n.max, 0)).to.equal(1000);
    });

    it('when the commune framework is loaded, then it validates with at least 15 indicators for both groups', () => {
      expect(xa.code).to.equal('DTI-XA');
      expect(xa.appliesTo).to.have.members(['xa', 'phuong']);
      expect(xaIndicators.length).to.be.at.least(15);
    });

    it('when the commune framework is read per group, then communes and wards each have 1000 points and one ward-only indicator', () => {
      const maxFor = (group: string): number =>
        xaIndicators.filter((i) => i.appliesTo === undefined || i.appliesTo.includes(group)).reduce((s, i) => s + i.max, 0);
      expect(maxFor('xa')).to.equal(1000);
      expect(maxFor('phuong')).to.equal(1000);
      expect(xaIndicators.some((i) => i.appliesTo?.length === 1 && i.appliesTo[0] === 'phuong')).to.equal(true);
    });

    it('when the department framework is read, then it uses every input kind and the carry, exclude and annual options', () => {
      const kinds = new Set(soIndicators.map((i) => i.input.kind));
      for (const kind of ['ratio', 'count', 'yesno', 'choice', 'appraised', 'evidence'] as const) expect(kinds.has(kind), kind).to.equal(true);
      expect(soIndicators.some((i) => i.missing === 'carry')).to.equal(true);
      expect(soIndicators.some((i) => i.missing === 'exclude')).to.equal(true);
      expect(soIndicators.some((i) => i.periodicity === 'annual')).to.equal(true);
      const evidenceOnly = soIndicators.filter((i) => i.score.rule === 'none');
      expect(evidenceOnly).to.have.length.at.least(1);
      expect(evidenceOnly.every((i) => i.max === 0)).to.equal(true);
    });

    it('when the NQ 17 targets are read, then work files aim at 90 % for departments and 60 % for communes, online dossiers at 20 %', () => {
      const target = (list: IndicatorDef[], words: string): number | undefined => {
        const found = list.find((i) => i.name.includes(words));
        return found?.score.rule === 'target' ? found.score.target : undefined;
      };
      expect(target(soIndicators, 'hồ sơ công việc')).to.equal(0.9);
      expect(target(xaIndicators, 'hồ sơ công việc')).to.equal(0.6);
      expect(target(soIndicators, 'nộp trực tuyến')).to.equal(0.2);
      expect(target(xaIndicators, 'nộp trực tuyến')).to.equal(0.2);
    });

    it('when any indicator is shown on the form, then it has a Vietnamese name, guidance and an evidence note', () => {
      for (const indicator of [...soIndicators, ...xaIndicators]) {
        expect(hasVietnameseLetters(indicator.name), indicator.code).to.equal(true);
        expect(indicator.guidance, indicator.code).to.be.a('string').and.not.empty;
        expect(indicator.evidenceNote, indicator.code).to.be.a('string').and.not.empty;
        if (indicator.input.kind === 'ratio') {
          expect(hasVietnameseLetters(indicator.input.numerator ?? ''), indicator.code).to.equal(true);
          expect(hasVietnameseLetters(indicator.input.denominator ?? ''), indicator.code).to.equal(true);
        }
      }
    });
  });

  describe('agencies, groups and users', () => {
    it('when the agencies are listed, then codes are unique short ASCII', () => {
      const codes = demoAgencies.map((a) => a.code);
      expect(new Set(codes).size).to.equal(codes.length);
      for (const code of codes) expect(code).to.match(/^[A-Z0-9-]{2,16}$/);
    });

    it('when an agency names a parent or a group, then that parent and group exist', () => {
      const codes = new Set(demoAgencies.map((a) => a.code));
      const groups = new Set(demoRankingGroups.map((g) => g.code));
      for (const agency of demoAgencies) {
        if (agency.parent !== null) expect(codes.has(agency.parent), agency.code).to.equal(true);
        if (agency.group !== null) expect(groups.has(agency.group), agency.code).to.equal(true);
      }
    });

    it('when the tree is read, then the province is the only root and every other agency hangs directly under it', () => {
      const roots = demoAgencies.filter((a) => a.parent === null);
      expect(roots.map((a) => a.code)).to.deep.equal([PROVINCE_ROOT_CODE]);
      expect(roots[0]!.kind).to.equal('province');
      expect(roots[0]!.group).to.equal(null);
      expect(demoAgencies.filter((a) => a.parent !== null).every((a) => a.parent === PROVINCE_ROOT_CODE)).to.equal(true);
    });

    it('when agencies are counted, then there are 20 departments and 40 communes and wards in matching groups', () => {
      const of = (kind: DemoAgency['kind']): DemoAgency[] => demoAgencies.filter((a) => a.kind === kind);
      expect(of('department')).to.have.length(20);
      expect(of('commune').length + of('ward').length).to.equal(40);
      expect(of('commune').length).to.be.within(20, 30);
      expect(of('department').every((a) => a.group === 'so-nganh')).to.equal(true);
      expect(of('commune').every((a) => a.group === 'xa' && a.name.startsWith('Xã '))).to.equal(true);
      expect(of('ward').every((a) => a.group === 'phuong' && a.name.startsWith('Phường '))).to.equal(true);
    });

    it('when the province is described, then the Department is an agency of the demo', () => {
      expect(demoAgencies.find((a) => a.code === DEMO_PROVINCE.departmentCode)?.name).to.equal('Sở Khoa học và Công nghệ');
      expect(DEMO_PASSWORD).to.equal('demo@2026');
    });

    it('when the users are listed, then every role is present, usernames are unique and every agency exists', () => {
      const codes = new Set(demoAgencies.map((a) => a.code));
      expect(new Set(demoUsers.map((u) => u.role))).to.have.all.keys('reporter', 'head', 'reviewer', 'admin', 'leader');
      expect(new Set(demoUsers.map((u) => u.username)).size).to.equal(demoUsers.length);
      for (const user of demoUsers) {
        expect(user.agency !== null && codes.has(user.agency), user.username).to.equal(true);
        expect(hasVietnameseLetters(user.fullName), user.username).to.equal(true);
        expect(user.email).to.match(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
      }
    });

    it('when cross-agency refusals are demonstrated, then two agencies have a reporter and a commune has a reporter and a head', () => {
      const user = (name: string) => demoUsers.find((u) => u.username === name);
      expect(user('chuyenvien')?.agency).to.equal('SNV');
      expect(user('chuyenvien.stc')?.agency).to.equal('STC');
      const commune = user('chuyenvien.xa')?.agency;
      expect(demoAgencies.find((a) => a.code === commune)?.kind).to.equal('commune');
      expect(user('lanhdao.xa')).to.include({ role: 'head', agency: commune });
      expect(user('thamdinh')?.agency).to.equal(DEMO_PROVINCE.departmentCode);
      expect(user('lanhdaotinh')?.agency).to.equal(PROVINCE_ROOT_CODE);
    });
  });

  describe('demoValueFor', () => {
    it('when asked twice with the same arguments, then it gives the same value', () => {
      for (const { agency, indicators } of assessed()) {
        for (const indicator of indicators) {
          expect(demoValueFor(agency.code, indicator, 2026, 'Y')).to.deep.equal(demoValueFor(agency.code, indicator, 2026, 'Y'));
        }
      }
    });

    it('when values are generated for every agency, indicator, year and half, then each lies in its input range', () => {
      for (const { agency, indicators } of assessed()) {
        for (const indicator of indicators) {
          for (const year of YEARS) {
            for (const half of HALVES) {
              const v = demoValueFor(agency.code, indicator, year, half);
              if (v === null) continue;
              const where = `${agency.code} ${indicator.code} ${year} ${half}`;
              switch (indicator.input.kind) {
                case 'ratio':
                  expect(Number.isInteger(v.value) && Number.isInteger(v.denominator), where).to.equal(true);
                  expect(v.value!, where).to.be.at.least(0);
                  expect(v.value!, where).to.be.at.most(v.denominator!);
                  break;
                case 'count':
                  expect(Number.isInteger(v.value) && v.value! >= 0, where).to.equal(true);
                  break;
                case 'percent':
                  expect(v.value!, where).to.be.within(0, 100);
                  break;
                case 'fraction':
                  expect(v.value!, where).to.be.within(0, 1);
                  break;
                case 'yesno':
                  expect([0, 1], where).to.include(v.value);
                  break;
                case 'choice':
                  expect(indicator.input.options!.map((o) => o.code), where).to.include(v.option);
                  break;
                case 'appraised':
                  expect(v.value!, where).to.be.within(0, indicator.max);
                  break;
                case 'evidence':
                  expect(v.value, where).to.equal(null);
                  break;
              }
              const score = scoreIndicator(indicator, { value: v }, true);
              expect(score.points, where).to.be.within(0, indicator.max);
            }
          }
        }
      }
    });

    it('when all values are generated, then a few percent are not reported', () => {
      let total = 0;
      let missing = 0;
      for (const { agency, indicators } of assessed()) {
        for (const indicator of indicators) {
          for (const year of YEARS) {
            total += 1;
            if (demoValueFor(agency.code, indicator, year, 'Y') === null) missing += 1;
          }
        }
      }
      expect(missing / total).to.be.within(0.01, 0.06);
    });

    it('when an indicator is collected annually only, then the semiannual report has no value for it', () => {
      const annual = soIndicators.find((i) => i.periodicity === 'annual')!;
      for (const agency of demoAgencies.filter((a) => a.group === 'so-nganh')) {
        expect(demoValueFor(agency.code, annual, 2026, 'H1')).to.equal(null);
      }
    });

    it('when an indicator applies only to wards, then communes get no value for it', () => {
      const wardOnly = xaIndicators.find((i) => i.appliesTo?.length === 1 && i.appliesTo[0] === 'phuong')!;
      for (const agency of demoAgencies.filter((a) => a.kind === 'commune')) {
        expect(demoValueFor(agency.code, wardOnly, 2026, 'Y')).to.equal(null);
      }
    });

    it('when 2025 and 2026 are compared, then the mean score improves', () => {
      const meanValue = (year: number): number => {
        let sum = 0;
        let count = 0;
        for (const { agency, indicators } of assessed()) {
          let points = 0;
          let max = 0;
          for (const indicator of indicators) {
            const score = scoreIndicator(indicator, { value: demoValueFor(agency.code, indicator, year, 'Y') }, true);
            points += score.points;
            max += score.max;
          }
          sum += points / max;
          count += 1;
        }
        return sum / count;
      };
      expect(meanValue(2026)).to.be.greaterThan(meanValue(2025));
    });

    it('when an agency has no public services, then its public-service rates have no denominator and are excluded', () => {
      const onlineServices = soIndicators.find((i) => i.code === 'HDCQS.6')!;
      const v = demoValueFor('DHKH', onlineServices, 2026, 'Y');
      expect(v === null || v.denominator === 0).to.equal(true);
      expect(scoreIndicator(onlineServices, { value: v }, true)).to.include({ max: 0, flag: 'excluded' });
    });
  });

  describe('demoEvidenceFor', () => {
    it('when an indicator requires evidence, then most agencies cite a numbered document dated inside the data window', () => {
      let cited = 0;
      let required = 0;
      for (const { agency, indicators } of assessed()) {
        for (const indicator of indicators.filter((i) => i.evidence === 'required')) {
          required += 1;
          const evidence = demoEvidenceFor(agency.code, indicator, 2026);
          if (evidence === null) continue;
          cited += 1;
          const where = `${agency.code} ${indicator.code}`;
          expect(evidence.docNumber, where).to.match(/^\d{2,4}\/(QĐ|KH|TB|BC)-[A-Z]+$/u);
          expect(evidence.issuedOn >= '2025-12-15' && evidence.issuedOn <= '2026-12-14', where).to.equal(true);
          expect(hasVietnameseLetters(evidence.summary), where).to.equal(true);
          expect(evidence.issuer, where).to.not.be.empty;
        }
      }
      expect(cited / required).to.be.greaterThan(0.7);
    });

    it('when an indicator does not require evidence, then there is none', () => {
      const optional = soIndicators.find((i) => i.evidence !== 'required')!;
      expect(demoEvidenceFor('SNV', optional, 2026)).to.equal(null);
    });

    it('when a department issues a document, then the number carries its code; a commune signs as UBND', () => {
      const plan = soIndicators.find((i) => i.code === 'TCS.1')!;
      const agencies = demoAgencies.filter((a) => a.kind === 'department' && a.code !== 'SKHCN');
      const evidence = agencies.map((a) => ({ a, e: demoEvidenceFor(a.code, plan, 2026) })).find((x) => x.e !== null)!;
      expect(evidence.e!.docNumber.endsWith(`/KH-${evidence.a.code}`)).to.equal(true);
      const communePlan = xaIndicators.find((i) => i.code === 'TCS.1')!;
      const local = demoAgencies
        .filter((a) => a.kind === 'commune')
        .map((a) => demoEvidenceFor(a.code, communePlan, 2026))
        .find((e) => e !== null)!;
      expect(local.docNumber).to.match(/\/KH-UBND$/);
      expect(local.issuer).to.match(/^UBND xã /);
    });
  });
});
