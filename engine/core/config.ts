// Declarative config fields for models, tasks and the trainer: one declaration gives defaults,
// validation with actionable errors, `--set key=value` parsing and the `engram models --json` listing.
// Pure TypeScript; runs in every process.

export interface NumberField {
  readonly kind: 'number';
  readonly description: string;
  readonly default: number | null;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** Whether null ("automatic", see the description) is allowed. */
  readonly nullable?: boolean;
}

export interface ChoiceField<V extends string = string> {
  readonly kind: 'choice';
  readonly description: string;
  readonly default: V;
  readonly values: readonly V[];
}

export interface FlagField {
  readonly kind: 'flag';
  readonly description: string;
  readonly default: boolean;
}

export interface TextField {
  readonly kind: 'text';
  readonly description: string;
  readonly default: string;
}

export type Field = NumberField | ChoiceField | FlagField | TextField;
export type Fields = Readonly<Record<string, Field>>;

type ValueOf<F extends Field> = F extends ChoiceField<infer V>
  ? V
  : F extends NumberField
    ? F extends { nullable: true }
      ? number | null
      : number
    : F extends FlagField
      ? boolean
      : string;

/** The validated config type that a field declaration describes. */
export type ConfigOf<F extends Fields> = { readonly [K in keyof F]: ValueOf<F[K]> };

export function int(
  defaultValue: number,
  description: string,
  range: { min?: number; max?: number } = {},
): NumberField {
  return { kind: 'number', integer: true, default: defaultValue, description, ...range };
}

export function real(
  defaultValue: number,
  description: string,
  range: { min?: number; max?: number } = {},
): NumberField {
  return { kind: 'number', default: defaultValue, description, ...range };
}

/** A number that may be left null, meaning "choose automatically" (the description says how). */
export function auto(
  description: string,
  range: { min?: number; max?: number; integer?: boolean } = {},
): NumberField & { nullable: true } {
  return { kind: 'number', default: null, nullable: true, description, ...range };
}

export function choice<const V extends string>(
  values: readonly V[],
  defaultValue: NoInfer<V>,
  description: string,
): ChoiceField<V> {
  return { kind: 'choice', values, default: defaultValue, description };
}

export function flag(defaultValue: boolean, description: string): FlagField {
  return { kind: 'flag', default: defaultValue, description };
}

export function text(defaultValue: string, description: string): TextField {
  return { kind: 'text', default: defaultValue, description };
}

/** A config value that is wrong, with enough context to fix it. */
export class ConfigError extends Error {
  constructor(
    readonly owner: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${owner}: field "${field}" got ${JSON.stringify(value)}; allowed: ${allowed}`);
    this.name = 'ConfigError';
  }
}

/** Human-readable statement of what a field accepts. */
export function allowedValues(field: Field): string {
  switch (field.kind) {
    case 'choice':
      return field.values.join(' | ');
    case 'flag':
      return 'true | false';
    case 'text':
      return 'any text';
    case 'number': {
      const what = field.integer ? 'an integer' : 'a number';
      const lo = field.min !== undefined ? ` ≥ ${field.min}` : '';
      const hi = field.max !== undefined ? `${lo ? ' and' : ''} ≤ ${field.max}` : '';
      return `${what}${lo}${hi}${field.nullable ? ' (or null for automatic)' : ''}`;
    }
  }
}

function checkValue(owner: string, name: string, field: Field, value: unknown): unknown {
  const fail = (): never => {
    throw new ConfigError(owner, name, value, allowedValues(field));
  };
  switch (field.kind) {
    case 'choice':
      if (typeof value !== 'string' || !field.values.includes(value)) fail();
      return value;
    case 'flag':
      if (typeof value !== 'boolean') fail();
      return value;
    case 'text':
      if (typeof value !== 'string') fail();
      return value;
    case 'number':
      if (value === null && field.nullable) return null;
      if (typeof value !== 'number' || !Number.isFinite(value)) fail();
      if (field.integer && !Number.isInteger(value)) fail();
      if (field.min !== undefined && (value as number) < field.min) fail();
      if (field.max !== undefined && (value as number) > field.max) fail();
      return value;
  }
}

/**
 * Fills defaults and validates `values` against `fields`. Unknown keys are an error: a typo in a
 * field name must never be silently ignored.
 */
export function resolveConfig<F extends Fields>(
  owner: string,
  fields: F,
  values: Readonly<Record<string, unknown>> = {},
): ConfigOf<F> {
  for (const key of Object.keys(values)) {
    if (!(key in fields)) {
      throw new ConfigError(owner, key, values[key], `one of the fields ${Object.keys(fields).join(', ')}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = name in values ? values[name] : field.default;
    out[name] = checkValue(owner, name, field, value);
  }
  return out as ConfigOf<F>;
}

/** Parses the text of `--set name=value` for a field (numbers, booleans, null, choices). */
export function parseFieldText(owner: string, name: string, field: Field, raw: string): unknown {
  switch (field.kind) {
    case 'choice':
    case 'text':
      return raw;
    case 'flag':
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      throw new ConfigError(owner, name, raw, allowedValues(field));
    case 'number': {
      if (raw === 'null' || raw === 'auto') {
        if (field.nullable) return null;
        throw new ConfigError(owner, name, raw, allowedValues(field));
      }
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(owner, name, raw, allowedValues(field));
      return n;
    }
  }
}

/** A JSON-friendly description of the fields, for `engram models --json` and the UI. */
export interface FieldDescription {
  name: string;
  kind: Field['kind'];
  description: string;
  default: unknown;
  min?: number;
  max?: number;
  integer?: boolean;
  nullable?: boolean;
  values?: readonly string[];
}

export function describeFields(fields: Fields): FieldDescription[] {
  return Object.entries(fields).map(([name, f]) => ({ name, ...f }));
}
