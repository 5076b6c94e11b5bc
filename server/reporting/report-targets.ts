// The province's targets for the pooled rates in the provincial report, read from a data file
// (reports/report-targets.json, or REPORT_TARGETS_FILE) and validated, with errors naming the file and the entry.
import fs from 'node:fs';
import { z } from 'zod';

const targetValue = z.union([
  z.number().min(0).max(1),
  z.array(z.object({ from: z.number().int().min(2000).max(2100), value: z.number().min(0).max(1) })).min(1),
]);

const schema = z.object({
  targets: z.array(
    z.object({
      code: z.string().min(1),
      name: z.string().min(1),
      source: z.string().min(1),
      indicators: z.record(z.string(), z.object({ code: z.string().min(1), target: targetValue })),
    }),
  ),
});

export type TargetsFile = z.infer<typeof schema>;

export interface TargetFor {
  code: string;
  name: string;
  source: string;
  indicatorCode: string;
  target: number;
}

export function loadTargets(file: string): TargetsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Không đọc được tệp chỉ tiêu ${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Tệp chỉ tiêu ${file} không hợp lệ:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The targets that apply to a framework in a year; a yearly list takes the latest entry whose 'from' has come. */
export function targetsFor(file: TargetsFile, frameworkCode: string, year: number): TargetFor[] {
  return file.targets.flatMap((t) => {
    const ind = t.indicators[frameworkCode];
    if (!ind) return [];
    const target =
      typeof ind.target === 'number'
        ? ind.target
        : [...ind.target].sort((a, b) => a.from - b.from).filter((e) => e.from <= year).at(-1)?.value;
    return target === undefined ? [] : [{ code: t.code, name: t.name, source: t.source, indicatorCode: ind.code, target }];
  });
}
