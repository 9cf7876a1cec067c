// The two ways the mapping fails: a broken mapping file (CONFIG, stops start-up) and a row that
// cannot be converted (DATA, that order line goes to the error table; the batch goes on).

const MAX_SHOWN = 80;

/** A value as it appears in an error message: JSON, shortened when long. */
export function showValue(value: unknown): string {
  let text: string;
  if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} chars)` : text;
}

/** One order line that cannot be mapped. The message names the order key, field, value and reason. */
export class MappingError extends Error {
  readonly category = 'DATA' as const;

  constructor(
    readonly orderKey: string,
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`order ${orderKey}: ${field} = ${showValue(value)}: ${reason}`);
    this.name = 'MappingError';
  }
}

/** The mapping file is broken. `problems` lists every problem found, each naming file, path and value. */
export class MappingConfigError extends Error {
  readonly category = 'CONFIG' as const;

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid mapping file ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
    this.name = 'MappingConfigError';
  }
}
