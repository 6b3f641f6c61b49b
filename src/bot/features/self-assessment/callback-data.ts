/**
 * Buttons of the self-assessment carry short, validated callback data (Telegram allows
 * 64 bytes). Anything that does not parse exactly is refused: forged or malformed data
 * never reaches the database.
 */
export type AssessmentAction =
  | { kind: "list" }
  | { kind: "leave" }
  | { kind: "area"; areaId: number }
  | { kind: "question"; questionId: number }
  | { kind: "answer"; questionId: number; stamp: string; value: string }
  | { kind: "skip"; questionId: number }
  | { kind: "back"; questionId: number }
  | { kind: "evidence"; questionId: number }
  | { kind: "removeEvidence"; evidenceId: number }
  | { kind: "explain"; questionId: number }
  | { kind: "review"; areaId: number }
  | { kind: "submit"; areaId: number }
  | { kind: "confirmSubmit"; areaId: number };

export const PREFIX = "sa:";

const ID = "([1-9][0-9]{0,9})";
type Parser = [RegExp, (m: RegExpExecArray) => AssessmentAction];
const id = (s: string | undefined) => Number(s);

const PARSERS: Parser[] = [
  [/^sa:l$/, () => ({ kind: "list" })],
  [/^sa:x$/, () => ({ kind: "leave" })],
  [new RegExp(`^sa:a:${ID}$`), (m) => ({ kind: "area", areaId: id(m[1]) })],
  [new RegExp(`^sa:q:${ID}$`), (m) => ({ kind: "question", questionId: id(m[1]) })],
  [
    new RegExp(`^sa:v:${ID}:([0-9a-z]{1,12}):([a-z0-9-]{1,30})$`),
    (m) => ({ kind: "answer", questionId: id(m[1]), stamp: m[2]!, value: m[3]! }),
  ],
  [new RegExp(`^sa:k:${ID}$`), (m) => ({ kind: "skip", questionId: id(m[1]) })],
  [new RegExp(`^sa:b:${ID}$`), (m) => ({ kind: "back", questionId: id(m[1]) })],
  [new RegExp(`^sa:e:${ID}$`), (m) => ({ kind: "evidence", questionId: id(m[1]) })],
  [new RegExp(`^sa:ex:${ID}$`), (m) => ({ kind: "removeEvidence", evidenceId: id(m[1]) })],
  [new RegExp(`^sa:g:${ID}$`), (m) => ({ kind: "explain", questionId: id(m[1]) })],
  [new RegExp(`^sa:r:${ID}$`), (m) => ({ kind: "review", areaId: id(m[1]) })],
  [new RegExp(`^sa:s:${ID}$`), (m) => ({ kind: "submit", areaId: id(m[1]) })],
  [new RegExp(`^sa:sc:${ID}$`), (m) => ({ kind: "confirmSubmit", areaId: id(m[1]) })],
];

export function parseAction(data: string): AssessmentAction | null {
  for (const [re, build] of PARSERS) {
    const m = re.exec(data);
    if (m) return build(m);
  }
  return null;
}

export function encodeAction(a: AssessmentAction): string {
  switch (a.kind) {
    case "list":
      return "sa:l";
    case "leave":
      return "sa:x";
    case "area":
      return `sa:a:${a.areaId}`;
    case "question":
      return `sa:q:${a.questionId}`;
    case "answer":
      return `sa:v:${a.questionId}:${a.stamp}:${a.value}`;
    case "skip":
      return `sa:k:${a.questionId}`;
    case "back":
      return `sa:b:${a.questionId}`;
    case "evidence":
      return `sa:e:${a.questionId}`;
    case "removeEvidence":
      return `sa:ex:${a.evidenceId}`;
    case "explain":
      return `sa:g:${a.questionId}`;
    case "review":
      return `sa:r:${a.areaId}`;
    case "submit":
      return `sa:s:${a.areaId}`;
    case "confirmSubmit":
      return `sa:sc:${a.areaId}`;
  }
}
