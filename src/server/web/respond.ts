/**
 * How the bot's web pages and files are sent: never cached, never sniffed by the browser,
 * no script, no frames, no forms to elsewhere, and file names kept (Vietnamese included)
 * without letting a name break the header.
 */
import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * The pages have no script at all; their one stylesheet is served by the bot itself. Forms
 * post only to the page they are on.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
} as const;

/** Escapes text for HTML content and attribute values (quotes included). */
export function escapeAttr(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 / RFC 5987): an ASCII fallback for
 * old clients and the exact name, percent-encoded, for the rest. Quotes, backslashes, control
 * characters and path separators never reach the header or the saved file's name.
 */
export function contentDisposition(name: string, disposition: "attachment" | "inline" = "attachment"): string {
  const clean =
    [...name]
      .map((c) => (c < " " || c === "\u007f" || '\\/"'.includes(c) ? "_" : c))
      .join("")
      .trim()
      .slice(0, 200) || "tep";
  const ascii = clean
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, (c) => (c === "đ" ? "d" : "D"))
    .replace(/[^\x20-\x7e]/g, "_");
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  const body = Buffer.from(html, "utf8");
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "content-length": body.length,
  });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, "content-length": 0 });
  res.end();
}

/** Streams a stored file to the browser as a download, memory bounded by the stream. */
export async function sendFile(
  res: ServerResponse,
  file: { stream: Readable; size: number | null; name: string; mime: string },
): Promise<void> {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": file.mime,
    "content-disposition": contentDisposition(file.name),
    ...(file.size !== null ? { "content-length": file.size } : {}),
  });
  await pipeline(file.stream, res);
}
