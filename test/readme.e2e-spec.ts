import { VERIHUBS_ANSWERS } from '../lib/providers/verihubs/verihubs.answers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  OTP_STEP_UP_ERRORS,
  VERIFYNOW_ENV_VARS,
  VerifyNowResponseCode,
  exceptionForResponseCode,
} from '../lib';

/** Keeps the README's tables true to the code. */
describe('the README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const packageJson = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };

  /** The rows of the table whose header row starts with `firstHeader`. */
  function tableRows(firstHeader: string): string[][] {
    const lines = readme.split('\n');
    const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader}`));
    expect(start).toBeGreaterThan(-1);
    const rows: string[][] = [];
    for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i += 1) {
      rows.push(
        lines[i]
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    }
    return rows;
  }

  it('maps every documented response code as the code does', () => {
    const rows = tableRows('Response code');
    const documented = Object.entries(VerifyNowResponseCode).filter(([name]) => name !== 'SUCCESS');
    expect(rows).toHaveLength(documented.length);
    for (const [name, code] of documented) {
      const exception = exceptionForResponseCode(code);
      const row = rows.find((cells) => cells[0] === String(code));
      expect(row).toBeDefined();
      expect(row![1]).toBe(`\`${name}\``);
      expect(row![2]).toBe(`\`${exception.constructor.name}\``);
      expect(row![3].replace(' \\*', '')).toBe(String(exception.getStatus()));
    }
  });

  it('maps every Verihubs answer as the code does', () => {
    const rows = tableRows('Verihubs status');
    expect(rows.map((cells) => Number(cells[0]))).toEqual(
      Object.keys(VERIHUBS_ANSWERS).map(Number),
    );
    for (const [status, rule] of Object.entries(VERIHUBS_ANSWERS)) {
      const row = rows.find((cells) => cells[0] === status)!;
      const exception = rule.create({ operation: 'send' });
      expect(row[1]).toBe(rule.on.join(', '));
      expect(row[3]).toBe(`\`${rule.exception}\``);
      expect(exception.constructor.name).toBe(rule.exception);
      expect(row[4].replace(' \\*', '')).toBe(String(exception.getStatus()));
    }
  });

  it('lists every step-up refusal with its status', () => {
    const cells = tableRows('Check')
      .map((cells) => cells[1])
      .join(' ');
    const documented = Object.fromEntries(
      [...cells.matchAll(/(\d{3}) `(OTP_[A-Z_]+)`/g)].map(([, status, code]) => [
        code,
        Number(status),
      ]),
    );
    const actual = Object.fromEntries(
      Object.entries(OTP_STEP_UP_ERRORS).map(([code, { status }]) => [code, status as number]),
    );
    expect(documented).toEqual(actual);
  });

  it('documents every environment variable', () => {
    const rows = tableRows('Option');
    const documented = rows.map((cells) => cells[1].replace(/`/g, ''));
    expect(documented.sort()).toEqual(Object.values(VERIFYNOW_ENV_VARS).sort());
  });

  it('gives quick-start commands that exist', () => {
    expect(readme).toContain('npm ci && npm run sample');
    expect(readme).toContain('npm test ');
    for (const script of ['sample', 'test', 'sandbox', 'test:unit', 'test:e2e']) {
      expect(packageJson.scripts[script]).toBeDefined();
    }
  });
});
