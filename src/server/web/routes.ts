/**
 * The pages a signed link opens (src/domain/links.ts), served by the bot's HTTP server:
 *   GET  /f/<token>              one evidence file
 *   GET  /e/<token>              a unit's evidence for one area, with download links
 *   GET  /e/<token>/<evidenceId>  a file listed on that page
 *   GET  /u/<token>              the upload page of one question; POST adds files to it
 *   GET  /x/<token>              an export (XLSX/CSV) or a chart
 *   GET  /static/web.css         the pages' stylesheet
 * A link opens only what its person may open now: an officer their own unit's files, a
 * coordinator everything; access removed since the link was made closes it. Files are found
 * by id, never by a path built from a name.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import busboy from "busboy";
import { type EvidenceDeps, type IncomingFile, receiveEvidenceFile } from "../../app/evidence.ts";
import type { Config } from "../../config.ts";
import type { Db, Evidence } from "../../db/client.ts";
import { formatNumber } from "../../domain/answers.ts";
import { appraisesUnit } from "../../domain/appraisers.ts";
import { AssessmentRefused, findQuestion, type QuestionWithContext, type Scope } from "../../domain/assessment.ts";
import { type LinkScope, openLink } from "../../domain/links.ts";
import { namedCoordinator } from "../../domain/people.ts";
import { appliesToKind } from "../../domain/progress.ts";
import { formatFileSize } from "../../domain/text.ts";
import { formatDateTime } from "../../domain/time.ts";
import { inspectsUnit } from "../../domain/visit-team.ts";
import type { I18n, Translate } from "../../i18n.ts";
import type { Logger } from "../../logger.ts";
import { ALLOWED_TYPES, type FileStore } from "../../storage/index.ts";
import {
  evidencePage,
  type FileItem,
  linkProblemPage,
  notFoundPage,
  STYLESHEET,
  STYLESHEET_PATH,
  uploadPage,
} from "./pages.ts";
import { SECURITY_HEADERS, sendFile, sendHtml } from "./respond.ts";

export interface WebDeps {
  db: Db;
  store: FileStore;
  i18n: I18n;
  logger: Logger;
  config: Pick<Config, "TZ" | "DEFAULT_LOCALE" | "COORDINATOR_IDS"> & { MAX_FILE_MB: number };
  now?: () => Date;
  /** Tells a person in their chat (the upload page's confirmation). */
  notify?: (personId: number, text: (t: Translate) => string) => Promise<void>;
}

/** At most this many files in one post of the upload page. */
const FILES_PER_POST = 10;
/** An upload whose bytes stop arriving for this long is dropped (a slow body holds no slot forever). */
const UPLOAD_IDLE_MS = 60_000;

interface Viewer {
  personId: number;
  locale: string;
  t: Translate;
}

/**
 * Coordinators see every unit; an officer their own unit (and uploads to it); an appraiser
 * the units they appraise; an inspector the units whose visit's team they sit on.
 */
type Access = "coordinator" | "officer" | "appraiser" | "inspector" | null;

/** What a person may open of a unit now (their access may have changed since the link was made). */
async function accessTo(deps: WebDeps, personId: number, campaignId: number, unitId: number): Promise<Access> {
  const person = await deps.db.person.findUnique({
    where: { id: personId },
    select: {
      channels: { select: { channel: true, externalId: true } },
      memberships: { where: { campaignId }, select: { role: true, unitId: true } },
    },
  });
  if (!person) return null;
  if (namedCoordinator(person.channels, deps.config.COORDINATOR_IDS)) return "coordinator";
  const m = person.memberships[0];
  if (m?.role === "COORDINATOR") return "coordinator";
  if (m?.role === "OFFICER" && m.unitId === unitId) return "officer";
  if (m?.role === "APPRAISER" && (await appraisesUnit(deps.db, campaignId, personId, unitId))) return "appraiser";
  if (m?.role === "INSPECTOR" && (await inspectsUnit(deps.db, campaignId, personId, unitId))) return "inspector";
  return null;
}

export function webRoutes(deps: WebDeps) {
  const now = deps.now ?? (() => new Date());
  const tz = deps.config.TZ;
  const maxBytes = deps.config.MAX_FILE_MB * 1024 * 1024;
  const evidenceDeps: EvidenceDeps = { db: deps.db, store: deps.store, maxBytes };

  const viewerOf = async (personId: number): Promise<Viewer> => {
    const person = await deps.db.person.findUnique({ where: { id: personId }, select: { locale: true } });
    const locale = person?.locale ?? deps.config.DEFAULT_LOCALE;
    return { personId, locale, t: deps.i18n.forLocale(locale) };
  };
  const defaultT = deps.i18n.forLocale(deps.config.DEFAULT_LOCALE);
  const sizeText = (locale: string, bytes: number | null) =>
    bytes === null ? null : formatFileSize(bytes, (n) => formatNumber(n, locale === "en" ? "en" : "vi"));

  async function scopeOf(campaignId: number, unitId: number): Promise<Scope | null> {
    const [campaign, unit] = await Promise.all([
      deps.db.campaign.findUnique({ where: { id: campaignId } }),
      deps.db.unit.findUnique({ where: { id: unitId } }),
    ]);
    return campaign && unit ? { campaign, unitId, unitKind: unit.kind } : null;
  }

  /** The files of a list; `href` null: names only (the upload page opens no file). */
  async function items(v: Viewer, rows: Evidence[], href: ((e: Evidence) => string) | null): Promise<FileItem[]> {
    const people = new Map(
      (
        await deps.db.person.findMany({
          where: { id: { in: [...new Set(rows.map((r) => r.uploadedById))] } },
          select: { id: true, displayName: true },
        })
      ).map((p) => [p.id, p.displayName]),
    );
    return rows.map((e) => ({
      kind: e.kind,
      name: e.kind === "LINK" ? (e.url ?? "") : (e.fileName ?? v.t("web.files.unnamed")),
      href: e.kind === "LINK" ? e.url : e.storageKey && href ? href(e) : null,
      unavailable: e.kind === "FILE" && !e.storageKey,
      size: e.kind === "FILE" ? sizeText(v.locale, e.size) : null,
      note: e.note,
      when: formatDateTime(e.createdAt, tz),
      who: people.get(e.uploadedById) ?? "",
    }));
  }

  async function download(res: ServerResponse, v: Viewer, evidence: Evidence): Promise<void> {
    const stream = evidence.storageKey ? await deps.store.get(evidence.storageKey) : null;
    if (!stream) return sendHtml(res, 404, notFoundPage(v.t));
    await sendFile(res, {
      stream,
      size: evidence.size,
      name: evidence.fileName ?? "tep",
      mime: evidence.mimeType ?? "application/octet-stream",
    });
  }

  async function evidenceOf(id: number): Promise<Evidence | null> {
    if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) return null;
    return deps.db.evidence.findUnique({ where: { id } });
  }

  async function filePage(res: ServerResponse, v: Viewer, scope: LinkScope & { purpose: "file" }) {
    const e = await evidenceOf(scope.evidenceId);
    if (!e || e.removedAt) return sendHtml(res, 404, notFoundPage(v.t));
    if (!(await accessTo(deps, v.personId, e.campaignId, e.unitId))) {
      return sendHtml(res, 403, linkProblemPage(v.t, "forbidden"));
    }
    return download(res, v, e);
  }

  async function areaPage(
    res: ServerResponse,
    v: Viewer,
    scope: LinkScope & { purpose: "evidence" },
    token: string,
    fileId: number | null,
    expires: Date,
  ) {
    if (!(await accessTo(deps, v.personId, scope.campaignId, scope.unitId))) {
      return sendHtml(res, 403, linkProblemPage(v.t, "forbidden"));
    }
    const base = { campaignId: scope.campaignId, unitId: scope.unitId, removedAt: null };
    if (fileId !== null) {
      const e = await evidenceOf(fileId);
      // Only a file of this page's unit and area opens through its link.
      const area =
        e?.questionId &&
        (await deps.db.question.findUnique({ where: { id: e.questionId }, select: { criterion: true } }));
      if (!e || e.removedAt || e.unitId !== scope.unitId || e.campaignId !== scope.campaignId || !area) {
        return sendHtml(res, 404, notFoundPage(v.t));
      }
      if (area.criterion.areaId !== scope.areaId) return sendHtml(res, 404, notFoundPage(v.t));
      return download(res, v, e);
    }
    const [unit, area] = await Promise.all([
      deps.db.unit.findUnique({ where: { id: scope.unitId } }),
      deps.db.reformArea.findUnique({ where: { id: scope.areaId } }),
    ]);
    if (!unit || !area) return sendHtml(res, 404, notFoundPage(v.t));
    const questions = (
      await deps.db.question.findMany({
        where: { questionnaireId: area.questionnaireId, criterion: { areaId: area.id } },
        orderBy: { order: "asc" },
      })
    ).filter((q) => appliesToKind(q, unit.kind));
    const rows = await deps.db.evidence.findMany({
      where: { ...base, questionId: { in: questions.map((q) => q.id) } },
      orderBy: { id: "asc" },
    });
    const byQuestion = new Map<number, Evidence[]>();
    for (const r of rows) {
      if (r.questionId !== null) byQuestion.set(r.questionId, [...(byQuestion.get(r.questionId) ?? []), r]);
    }
    const data = {
      unit: unit.name,
      area: `${area.code}. ${area.title}`,
      expires: formatDateTime(expires, tz),
      questions: await Promise.all(
        questions.map(async (q) => ({
          code: q.code,
          text: q.text,
          files: await items(v, byQuestion.get(q.id) ?? [], (e) => `/e/${token}/${e.id}`),
        })),
      ),
    };
    return sendHtml(res, 200, evidencePage(v.t, data));
  }

  async function uploadTarget(v: Viewer, scope: LinkScope & { purpose: "upload" }) {
    if ((await accessTo(deps, v.personId, scope.campaignId, scope.unitId)) !== "officer") return null;
    const s = await scopeOf(scope.campaignId, scope.unitId);
    const question = s && (await findQuestion(deps.db, s, scope.questionId));
    return s && question ? { scope: s, question } : null;
  }

  async function renderUpload(
    res: ServerResponse,
    v: Viewer,
    target: { scope: Scope; question: QuestionWithContext },
    path: string,
    expires: Date,
    result: { received?: number; refused?: string[]; closed?: string } = {},
  ) {
    const unit = await deps.db.unit.findUniqueOrThrow({ where: { id: target.scope.unitId } });
    const rows = await deps.db.evidence.findMany({
      where: {
        campaignId: target.scope.campaign.id,
        unitId: target.scope.unitId,
        questionId: target.question.id,
        removedAt: null,
      },
      orderBy: { id: "asc" },
    });
    const html = uploadPage(v.t, path, {
      unit: unit.name,
      code: target.question.code,
      text: target.question.text,
      files: await items(v, rows, null),
      accept: ALLOWED_TYPES.map((a) => `.${a.ext}`).join(","),
      maxMb: formatNumber(deps.config.MAX_FILE_MB, v.locale === "en" ? "en" : "vi"),
      expires: formatDateTime(expires, tz),
      ...result,
    });
    sendHtml(res, 200, html);
  }

  /** Reads the posted files one after another, each streamed into the store (busboy). */
  async function receivePost(
    req: IncomingMessage,
    v: Viewer,
    target: { scope: Scope; question: QuestionWithContext },
  ): Promise<{ received: number; refused: string[]; closed?: string }> {
    const outcome = { received: 0, refused: [] as string[], closed: undefined as string | undefined };
    const parser = busboy({
      headers: req.headers,
      limits: { files: FILES_PER_POST, fileSize: maxBytes + 1, fields: 10, parts: FILES_PER_POST + 10 },
      defParamCharset: "utf8",
    });
    const work: Promise<void>[] = [];
    let chain = Promise.resolve();
    parser.on("file", (_field, stream, info) => {
      const name = info.filename?.trim() || null;
      if (!name) {
        stream.resume();
        return;
      }
      // The store stops reading a file over the limit and destroys what it reads; busboy
      // would then wait for the end of that part forever (the page hung until the idle
      // timeout). So the store reads a pass-through, and whatever it left of the part is
      // drained here: busboy goes on to the next part.
      const body = new PassThrough();
      stream.pipe(body);
      const drain = () => {
        stream.unpipe(body);
        stream.resume();
      };
      const file: IncomingFile = { stream: body, fileName: name, source: "web" };
      // One at a time, in the order sent: the store and the database see one file at once.
      chain = chain.then(async () => {
        if (outcome.closed) return void drain();
        try {
          const r = await receiveEvidenceFile(evidenceDeps, target.scope, target.question, file, v.personId, now());
          if (r.ok) outcome.received += r.duplicate ? 0 : 1;
          else if (r.reason === "too_large")
            outcome.refused.push(v.t("web.upload.too_large", { name, max: deps.config.MAX_FILE_MB }));
          else outcome.refused.push(v.t("web.upload.wrong_type", { name }));
        } catch (e) {
          if (!(e instanceof AssessmentRefused)) throw e;
          outcome.closed = refusalText(v, e, tz);
        } finally {
          drain();
        }
      });
      work.push(chain);
    });
    parser.on("filesLimit", () => outcome.refused.push(v.t("web.upload.over_count", { max: FILES_PER_POST })));
    const done = new Promise<void>((resolve, reject) => {
      parser.on("close", resolve);
      parser.on("error", reject);
      req.on("error", reject);
    });
    req.setTimeout(UPLOAD_IDLE_MS, () => req.destroy(new Error("upload stalled")));
    req.pipe(parser);
    await done;
    await Promise.all(work);
    return outcome;
  }

  async function uploadRoute(
    req: IncomingMessage,
    res: ServerResponse,
    v: Viewer,
    scope: LinkScope & { purpose: "upload" },
    path: string,
    expires: Date,
  ) {
    const target = await uploadTarget(v, scope);
    if (!target) return sendHtml(res, 403, linkProblemPage(v.t, "forbidden"));
    if (req.method === "GET" || req.method === "HEAD") return renderUpload(res, v, target, path, expires);
    if (req.method !== "POST") return sendHtml(res, 405, notFoundPage(v.t));
    if (!/^multipart\/form-data/i.test(req.headers["content-type"] ?? "")) {
      return sendHtml(res, 400, notFoundPage(v.t));
    }
    const result = await receivePost(req, v, target);
    deps.logger.info(
      { person: v.personId, question: target.question.code, received: result.received, refused: result.refused.length },
      "files received through the upload page",
    );
    if (result.received > 0 && deps.notify) {
      await deps
        .notify(v.personId, (t) => t("web.upload.chat_confirm", { count: result.received, code: target.question.code }))
        .catch((err) => deps.logger.warn({ err }, "could not confirm the upload in the chat"));
    }
    return renderUpload(res, v, target, path, expires, result);
  }

  async function exportRoute(res: ServerResponse, v: Viewer, scope: LinkScope & { purpose: "export" }) {
    const stream = await deps.store.get(scope.fileKey);
    if (!stream) return sendHtml(res, 404, notFoundPage(v.t));
    await sendFile(res, { stream, size: null, name: scope.name, mime: scope.mime });
  }

  /** Handles the request if its path is one of the pages; false otherwise. */
  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === STYLESHEET_PATH) {
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/css; charset=utf-8" });
      res.end(STYLESHEET);
      return true;
    }
    const m = /^\/([feux])\/([A-Za-z0-9_-]{1,64})(?:\/(\d{1,10}))?\/?$/.exec(path);
    if (!m) return false;
    const [, kind, token, sub] = m;
    if (req.method !== "GET" && req.method !== "HEAD" && !(kind === "u" && req.method === "POST")) {
      sendHtml(res, 405, notFoundPage(defaultT));
      return true;
    }
    const link = await openLink(deps.db, token!, now());
    if (!link.ok) {
      const when = link.expiredAt ? formatDateTime(link.expiredAt, tz) : undefined;
      sendHtml(res, link.reason === "unknown" ? 404 : 410, linkProblemPage(defaultT, link.reason, when));
      return true;
    }
    const v = await viewerOf(link.personId);
    const purposeOf: Record<string, LinkScope["purpose"]> = { f: "file", e: "evidence", u: "upload", x: "export" };
    if (link.scope.purpose !== purposeOf[kind!] || (sub && kind !== "e")) {
      sendHtml(res, 404, notFoundPage(v.t));
      return true;
    }
    const s = link.scope;
    if (s.purpose === "file") await filePage(res, v, s);
    else if (s.purpose === "evidence") await areaPage(res, v, s, token!, sub ? Number(sub) : null, link.expiresAt);
    else if (s.purpose === "upload") await uploadRoute(req, res, v, s, path, link.expiresAt);
    else await exportRoute(res, v, s);
    return true;
  };
}

function refusalText(v: Viewer, e: AssessmentRefused, tz: string): string {
  const r = e.refusal;
  if (r.reason === "deadline") return v.t("web.upload.deadline", { when: formatDateTime(r.deadline, tz) });
  if (r.reason === "submitted") return v.t("web.upload.submitted", { area: r.area.code });
  return v.t("web.upload.not_open");
}
