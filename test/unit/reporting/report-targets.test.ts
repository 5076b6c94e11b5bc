import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadTargets, targetsFor } from '../../../server/reporting/report-targets.js';
import { loadConfig } from '../../../server/config.js';
import { frameworkFile } from '../../support/builders.js';

describe('reporting/report-targets', () => {
  const shipped = loadConfig({}).reports.targetsFile;

  it('when the shipped targets file is loaded, then every target names an indicator of its framework that is a ratio', async () => {
    const file = loadTargets(shipped);
    expect(file.targets.length).to.be.at.least(4);
    for (const [fw, yaml] of [['DTI-SO', 'dti-so.yaml'], ['DTI-XA', 'dti-xa.yaml']] as const) {
      const { indicators } = await frameworkFile(yaml);
      for (const t of targetsFor(file, fw, 2026)) {
        const ind = indicators.find((i) => i.code === t.indicatorCode);
        expect(ind, `${fw} ${t.indicatorCode}`).to.not.equal(undefined);
        expect(ind!.input.kind, `${fw} ${t.indicatorCode}`).to.equal('ratio');
      }
    }
  });

  it('when a target is a list by year, then the latest entry whose year has come applies', () => {
    const file = loadTargets(shipped);
    const online = (year: number) => targetsFor(file, 'DTI-SO', year).find((t) => t.code === 'nop-ho-so-truc-tuyen')?.target;
    expect(online(2019)).to.equal(0.2);
    expect(online(2023)).to.equal(0.2);
    expect(online(2024)).to.equal(0.5);
    expect(online(2026)).to.equal(0.5);
    expect(online(2018)).to.equal(undefined);
  });

  it('when a framework has no targets, then none apply', () => {
    expect(targetsFor(loadTargets(shipped), 'KHONG-CO', 2026)).to.deep.equal([]);
  });

  it('when the file is invalid, then the error names the file and the entry', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dti-targets-'));
    const bad = path.join(dir, 'targets.json');
    fs.writeFileSync(bad, JSON.stringify({ targets: [{ code: 'x', name: 'X', source: 'S', indicators: { 'DTI-SO': { code: 'A', target: 1.5 } } }] }));
    expect(() => loadTargets(bad)).to.throw(bad);
    expect(() => loadTargets(bad)).to.throw(/targets\.0\.indicators\.DTI-SO\.target/);
    fs.writeFileSync(bad, '{ not json');
    expect(() => loadTargets(bad)).to.throw(/Không đọc được tệp chỉ tiêu/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
