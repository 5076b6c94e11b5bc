import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('configuration of appeals, mail and reminders', () => {
  it('when nothing is set, then appeals get 10 days, mail stays in-app and reminders go 7, 3 and 1 days ahead at 07:00', () => {
    const c = loadConfig({});
    expect(c.appealDays).to.equal(10);
    expect(c.smtp.host).to.equal(undefined);
    expect(c.reminderSchedule).to.equal('0 7 * * *');
    expect(c.reminderDaysBefore).to.deep.equal([7, 3, 1]);
    expect(c.publicUrl).to.equal('http://localhost:3000');
  });

  it('when the settings are given, then they are read, the days sorted largest first and the URL without its trailing slash', () => {
    const c = loadConfig({
      APPEAL_DAYS: '15',
      SMTP_HOST: 'smtp.khanhhoa.gov.vn',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      SMTP_USER: 'dti',
      SMTP_PASSWORD: 'bi-mat',
      MAIL_FROM: 'Sở KH&CN <dti@khanhhoa.gov.vn>',
      REMINDER_DAYS_BEFORE: '1, 14,3,3',
      PUBLIC_URL: 'https://dti.khanhhoa.gov.vn/',
    });
    expect(c.appealDays).to.equal(15);
    expect(c.smtp).to.deep.equal({ host: 'smtp.khanhhoa.gov.vn', port: 465, secure: true, user: 'dti', password: 'bi-mat' });
    expect(c.reminderDaysBefore).to.deep.equal([14, 3, 1]);
    expect(c.publicUrl).to.equal('https://dti.khanhhoa.gov.vn');
  });

  for (const [name, value] of [
    ['REMINDER_DAYS_BEFORE', '7,ba,1'],
    ['REMINDER_DAYS_BEFORE', '0'],
    ['REMINDER_SCHEDULE', 'hằng ngày'],
    ['APPEAL_DAYS', '0'],
    ['SMTP_PORT', '70000'],
  ] as const) {
    it(`when ${name} is "${value}", then the configuration is refused naming it`, () => {
      expect(() => loadConfig({ [name]: value })).to.throw(ConfigError, name);
    });
  }
});
