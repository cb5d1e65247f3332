import fs from 'node:fs';

export interface Instruction {
  op: string;
  args: string;
  /** Index of the stage (FROM) the instruction belongs to. */
  stage: number;
}

export interface Dockerfile {
  instructions: Instruction[];
  /** Stage names by index (undefined for unnamed stages). */
  stages: (string | undefined)[];
  args: Record<string, string>;
}

/** Enough of the Dockerfile grammar for static checks: continuations, comments, ARG defaults. */
export function parseDockerfile(file: string): Dockerfile {
  const logical = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const out: Dockerfile = { instructions: [], stages: [], args: {} };
  for (const line of logical) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`${file}: cannot parse "${line}"`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\s+/g, ' ');
    if (op === 'ARG' && out.stages.length === 0) {
      const [name, value] = args.split('=');
      if (value !== undefined) out.args[name!] = value;
    }
    if (op === 'FROM') out.stages.push(/ AS (\S+)$/i.exec(args)?.[1]);
    out.instructions.push({ op, args, stage: out.stages.length - 1 });
  }
  return out;
}

/** The image a FROM names, with ${ARG} defaults substituted. */
export function fromImage(df: Dockerfile, args: string): string {
  const ref = args.split(' ')[0]!;
  return ref.replace(/\$\{(\w+)\}/g, (_, name: string) => df.args[name] ?? `\${${name}}`);
}

/** Arguments of an exec-form (JSON array) or shell-form CMD/RUN. */
export function commandWords(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(' ');
}
