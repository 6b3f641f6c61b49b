/** The visit's documents as DOCX (Nghị định 30/2020/NĐ-CP layout): plain data in, bytes out. */
export { buildConclusionDocx } from "./conclusion.ts";
export { documentTranslator, MARGIN_MM, PAGE_MM } from "./layout.ts";
export { buildMinutesDocx } from "./minutes.ts";
export type * from "./types.ts";

export const DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
