/**
 * The bot's few web pages, rendered on the server: small, readable on a phone, usable without
 * JavaScript (plain links and one multipart form). Every word comes from locales/<lang>/web.json
 * through `t`, which escapes what it interpolates; values placed in attributes go through
 * escapeAttr.
 */
import type { Translate } from "../../i18n.ts";
import { escapeAttr } from "./respond.ts";

export const STYLESHEET_PATH = "/static/web.css";

/**
 * Small on purpose: system fonts, one column, text of at least 16 px (secondary lines 14.4),
 * touch targets at least 44 px tall, and long names wrapped rather than widening the page
 * (test/browser checks all three on a 360 px phone).
 */
export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1b1b;background:#f6f7f9}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.5rem 0 1rem}
h2{font-size:1.05rem;margin:1.25rem 0 .25rem}
h1,h2,p,li,label{overflow-wrap:anywhere}
.muted{color:#5b6470;font-size:.9rem}
.card{background:#fff;border:1px solid #dde1e6;border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}
ul{padding-left:1.2rem;margin:.25rem 0}
li{margin:.3rem 0}
a{color:#0b57d0}
.files a{display:inline-block;min-height:2.75rem;padding:.625rem 0;max-width:100%}
.ok{border-left:4px solid #2e7d32}
.bad{border-left:4px solid #c62828}
input[type=file]{display:block;width:100%;margin:.5rem 0 1rem;font:inherit;min-height:2.75rem}
input[type=file]::file-selector-button{font:inherit;min-height:2.75rem;margin-right:.75rem;padding:.5rem 1rem;border:1px solid #8a939e;border-radius:.4rem;background:#fff;color:#1b1b1b}
button{font:inherit;min-height:2.75rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#0b57d0;color:#fff}
footer{margin-top:2rem}
`;

export function layout(t: Translate, title: string, body: string): string {
  return `<!doctype html>
<html lang="${escapeAttr(t("web.lang"))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body><main>
<h1>${title}</h1>
${body}
<footer class="muted">${t("web.footer")}</footer>
</main></body>
</html>`;
}

/** A link that no longer (or never did) open anything: why, and what to do. */
export function linkProblemPage(t: Translate, reason: "unknown" | "expired" | "revoked" | "forbidden", when?: string) {
  const body = `<div class="card bad"><p>${t(`web.problem.${reason}`, { when: when ?? "" })}</p><p>${t("web.problem.what_to_do")}</p></div>`;
  return layout(t, t("web.problem.title"), body);
}

export function notFoundPage(t: Translate) {
  return layout(t, t("web.not_found.title"), `<div class="card"><p>${t("web.not_found.body")}</p></div>`);
}

export interface FileItem {
  name: string;
  /** Where it opens, or null where the page gives no link (the upload page). */
  href: string | null;
  /** No copy exists: Telegram no longer had the file when the bot fetched it. */
  unavailable: boolean;
  size: string | null;
  note: string | null;
  when: string;
  who: string;
  kind: "FILE" | "LINK";
}

function fileList(t: Translate, files: FileItem[]): string {
  if (files.length === 0) return `<p class="muted">${t("web.files.none")}</p>`;
  const items = files.map((f) => {
    const meta = [f.size, f.when, f.who].filter(Boolean).join(" · ");
    const note = f.note ? `<br><span class="muted">${t("web.files.note", { note: f.note })}</span>` : "";
    const name = f.unavailable
      ? `${t("web.files.name", { name: f.name })} <span class="muted">${t("web.files.unavailable")}</span>`
      : f.href
        ? `<a href="${escapeAttr(f.href)}"${f.kind === "LINK" ? ' rel="noopener noreferrer nofollow"' : ""}>${t("web.files.name", { name: f.name })}</a>`
        : t("web.files.name", { name: f.name });
    return `<li>${name}<br><span class="muted">${t("web.files.meta", { meta })}</span>${note}</li>`;
  });
  return `<ul class="files">${items.join("")}</ul>`;
}

export interface EvidencePageData {
  unit: string;
  area: string;
  questions: { code: string; text: string; files: FileItem[] }[];
  expires: string;
}

export function evidencePage(t: Translate, data: EvidencePageData): string {
  const sections = data.questions.map(
    (q) =>
      `<div class="card"><h2>${t("web.evidence.question", { code: q.code })}</h2><p class="muted">${t("web.evidence.text", { text: q.text })}</p>${fileList(t, q.files)}</div>`,
  );
  const body = `<p>${t("web.evidence.intro", { unit: data.unit, area: data.area })}</p>${sections.join("")}<p class="muted">${t("web.expires", { when: data.expires })}</p>`;
  return layout(t, t("web.evidence.title", { unit: data.unit }), body);
}

export interface UploadPageData {
  unit: string;
  code: string;
  text: string;
  files: FileItem[];
  /** After a post: how many were kept, and which were refused and why. */
  received?: number;
  refused?: string[];
  closed?: string;
  accept: string;
  maxMb: string;
  expires: string;
}

export function uploadPage(t: Translate, action: string, data: UploadPageData): string {
  const parts: string[] = [];
  if (data.received)
    parts.push(`<div class="card ok"><p>${t("web.upload.received", { count: data.received })}</p></div>`);
  if (data.refused?.length) {
    const items = data.refused.map((r) => `<li>${t("web.upload.refused_item", { why: r })}</li>`).join("");
    parts.push(`<div class="card bad"><p>${t("web.upload.refused")}</p><ul>${items}</ul></div>`);
  }
  parts.push(
    `<div class="card"><h2>${t("web.upload.question", { code: data.code })}</h2><p>${t("web.evidence.text", { text: data.text })}</p></div>`,
  );
  parts.push(`<div class="card"><h2>${t("web.upload.attached")}</h2>${fileList(t, data.files)}</div>`);
  if (data.closed) {
    parts.push(`<div class="card bad"><p>${t("web.upload.closed", { why: data.closed })}</p></div>`);
  } else {
    parts.push(`<form class="card" method="post" action="${escapeAttr(action)}" enctype="multipart/form-data">
<label for="files">${t("web.upload.choose", { max: data.maxMb })}</label>
<input id="files" type="file" name="files" multiple accept="${escapeAttr(data.accept)}" required>
<p class="muted">${t("web.upload.allowed")}</p>
<button type="submit">${t("web.upload.submit")}</button>
</form>`);
  }
  parts.push(`<p class="muted">${t("web.expires", { when: data.expires })}</p>`);
  return layout(t, t("web.upload.title", { unit: data.unit }), parts.join("\n"));
}
