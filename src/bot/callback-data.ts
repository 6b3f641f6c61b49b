/**
 * One codec for every button's callback data. A feature declares its actions once — a short
 * tag and typed fields per action — and gets `encode` and `parse` from the same declaration,
 * so the two can never drift apart (the hand-written parsers had: only one of four bounded
 * its ids, and a forged `sa:a:9999999999` reached PostgreSQL as an internal error).
 *
 *   const codec = actionCodec("sa", { area: ["a", { areaId: ID }], list: ["l", {}] });
 *   codec.encode({ kind: "area", areaId: 12 })   // "sa:a:12"
 *   codec.parse("sa:a:12")                       // { kind: "area", areaId: 12 }
 *   codec.parse("sa:a:9999999999")               // null: not an id the database can hold
 *
 * Data that does not match an action exactly is refused (null): forged or malformed data
 * never reaches a query. Telegram allows 64 bytes; the fields below keep well under it.
 */

/** The largest id a database integer holds (PostgreSQL's int4, and ours everywhere). */
export const MAX_ID = 2_147_483_647;

/** One field: the text it may be on the wire, and how it becomes a value and back. */
export interface Field<T> {
  /** A regular expression without groups for the field's text. */
  pattern: string;
  /** The value, or null when the text is out of range. */
  decode(text: string): T | null;
  encode(value: T): string;
}

const integer = (pattern: string, max: number): Field<number> => ({
  pattern,
  decode: (text) => {
    const n = Number(text);
    return Number.isSafeInteger(n) && n <= max ? n : null;
  },
  encode: (n) => String(n),
});

/** A database id: 1 to 2³¹−1. */
export const ID = integer("[1-9][0-9]{0,9}", MAX_ID);
/** A database id, or 0 for "none" / "all". */
export const ID0 = integer("0|[1-9][0-9]{0,9}", MAX_ID);
/** A page number. */
export const PAGE = integer("0|[1-9][0-9]{0,5}", 999_999);

/** A short word of lower-case letters, digits and hyphens (a choice key, a stamp). */
export function word(maxLength: number): Field<string> {
  return { pattern: `[a-z0-9-]{1,${maxLength}}`, decode: (t) => t, encode: (t) => t };
}

/** One of a fixed set of values, each written as its own short text. */
export function oneOf<const T extends string>(wire: Record<T, string>): Field<T> {
  const back = new Map(Object.entries(wire).map(([value, text]) => [text as string, value as T]));
  return {
    pattern: [...back.keys()].join("|"),
    decode: (t) => back.get(t) ?? null,
    encode: (v) => wire[v],
  };
}

type Fields = Record<string, Field<unknown>>;
type Spec = Record<string, readonly [tag: string, fields: Fields]>;
type ValuesOf<F extends Fields> = { -readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never };
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The action union a codec reads and writes: `{ kind, ...fields }` per declared action. */
export type ActionOf<S extends Spec> = {
  [K in keyof S & string]: Simplify<{ kind: K } & ValuesOf<S[K][1]>>;
}[keyof S & string];

/** The action union of a codec: `type MyAction = Action<typeof myCodec>`. */
export type Action<C> = C extends ActionCodec<infer S> ? ActionOf<S> : never;

export interface ActionCodec<S extends Spec> {
  readonly prefix: string;
  /** Matches every data of this codec (for `callbackQuery(codec.filter, …)`). */
  readonly filter: RegExp;
  encode(action: ActionOf<S>): string;
  parse(data: string): ActionOf<S> | null;
}

export function actionCodec<const S extends Spec>(prefix: string, spec: S): ActionCodec<S> {
  const entries = Object.entries(spec).map(([kind, [tag, fields]]) => {
    const names = Object.keys(fields);
    // An empty tag: the codec's only action, its fields right after the prefix ("lang:vi").
    const parts = [prefix, ...(tag ? [tag] : []), ...names.map((n) => `(${fields[n]!.pattern})`)];
    return { kind, tag, fields, names, re: new RegExp(`^${parts.join(":")}$`) };
  });
  const byKind = new Map(entries.map((e) => [e.kind, e]));
  return {
    prefix,
    filter: new RegExp(`^${prefix}:`),
    encode(action) {
      const e = byKind.get(action.kind)!;
      const values = action as unknown as Record<string, unknown>;
      const fields = e.names.map((n) => e.fields[n]!.encode(values[n]));
      return [prefix, ...(e.tag ? [e.tag] : []), ...fields].join(":");
    },
    parse(data) {
      for (const e of entries) {
        const m = e.re.exec(data);
        if (!m) continue;
        const action: Record<string, unknown> = { kind: e.kind };
        for (const [i, name] of e.names.entries()) {
          const value = e.fields[name]!.decode(m[i + 1]!);
          if (value === null) return null;
          action[name] = value;
        }
        return action as ActionOf<S>;
      }
      return null;
    },
  };
}
