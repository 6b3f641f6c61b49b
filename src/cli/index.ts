/**
 * Command-line tools for coordinators and operators: npm run cli -- <command>.
 *   import <file>                     load a campaign data file (idempotent)
 *   invites [--unit <name>] [--role officer|coordinator|inspector|appraiser] [--appraiser <key>] [--days N] [--json]
 *   phase, appraisers, progress, adjust, recognize   appraisal (src/cli/appraisal.ts)
 *   backup <dir> [--force]            copy the database and the evidence files (src/backup)
 *   restore <dir> [--force]           put a backup back (stop the bot first)
 */
import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Api } from "grammy";
import {
  BackupError,
  type BackupReport,
  createBackup,
  DATABASE_NAMES,
  type RestoreReport,
  restoreBackup,
} from "../backup/index.ts";
import { type CliConfig, ConfigError, loadEnvFile, parseCliConfig } from "../config.ts";
import { type Database, openDatabase, type Role } from "../db/client.ts";
import { DatabaseConnectError } from "../db/pg-connection.ts";
import { formatNumber } from "../domain/answers.ts";
import { DataFileError, loadDataFile } from "../domain/data-file.ts";
import { IMPORT_SECTIONS, ImportError, importData, type VisitOutcome } from "../domain/importer.ts";
import { createInvites, inviteLink } from "../domain/invites.ts";
import { activeCampaign } from "../domain/people.ts";
import { formatFileSize, shorten } from "../domain/text.ts";
import { formatDateTime } from "../domain/time.ts";
import { findUnits } from "../domain/units.ts";
import { createI18n, type Translate } from "../i18n.ts";
import { APPRAISAL_COMMANDS, APPRAISAL_USAGE, AppraisalUsageError, runAppraisalCommand } from "./appraisal.ts";

const USAGE = `Usage: npm run cli -- <command>
  import <file>        Load a campaign data file (YAML/JSON). Running it twice changes nothing.
  invites [options]    Create single-use invite codes; one line per invite:
                       unit, role, code, deep link (tab-separated).
      --unit <name>    only this unit (name, short name, alias or code; default: every unit)
      --role <role>    officer (default), coordinator, inspector or appraiser
      --appraiser <key>  with --role appraiser: only this appraiser of the roster
                       (default: every appraiser not linked to a person yet)
      --days <n>       days until the codes expire (default 30)
      --json           print JSON instead of tab-separated lines
  backup <dir>         Copy the database and the evidence files into a new folder (while the bot runs).
      --force          replace a backup already in that folder
  restore <dir>        Put a backup back into DATABASE_URL and the file store (stop the bot first).
      --force          overwrite a database or file folder that holds data
${APPRAISAL_USAGE}`;

class UsageError extends Error {}

const ROLES: Record<string, Role> = {
  officer: "OFFICER",
  coordinator: "COORDINATOR",
  inspector: "INSPECTOR",
  appraiser: "APPRAISER",
};

/**
 * The bot's username for deep links, when it can be known: BOT_USERNAME, or asked of Telegram
 * with BOT_TOKEN. Without either the codes still work (typed as /start CODE), so the CLI
 * prints them without links rather than refusing.
 */
async function botUsername(config: CliConfig): Promise<string | null> {
  if (config.BOT_USERNAME) return config.BOT_USERNAME;
  if (config.BOT_TOKEN) {
    const me = await new Api(config.BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT }).getMe();
    return me.username;
  }
  return null;
}

async function runImport(database: Database, config: CliConfig, args: string[]) {
  const [file] = args;
  if (!file || args.length > 1)
    throw new UsageError("import takes one file: npm run cli -- import data/son-la-2019.yaml");
  const data = await loadDataFile(file);
  const report = await importData(database.db, data, config.TZ, { source: { file, by: `cli:${operator()}` } });
  for (const section of IMPORT_SECTIONS) {
    const c = report[section];
    console.log(
      `${section}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged` +
        `${c.removed ? `, ${c.removed} removed` : ""}${c.kept ? `, ${c.kept} left as changed in chat` : ""}`,
    );
  }
  for (const line of visitLines(report.visitOutcomes, config.TZ)) console.log(`  ${line}`);
}

/** Who runs the CLI, for the audit log: the system user and host. */
function operator(): string {
  let name = process.env.USER ?? "unknown";
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): keep $USER.
  }
  return `${name}@${hostname()}`;
}

const FIELD_NAMES = { startsAt: "time", place: "place", contents: "contents" } as const;

/** What the import did to each visit, and what it left as chat made it: one line each. */
function visitLines(outcomes: VisitOutcome[], timeZone: string): string[] {
  const show = (v: Date | string | null) =>
    v instanceof Date ? formatDateTime(v, timeZone) : v === null ? "(none)" : JSON.stringify(shorten(v, 80));
  const notices = (n: number) => `${n} notice${n === 1 ? "" : "s"}`;
  return outcomes.flatMap((o) => [
    ...(o.created ? [`${o.key}: created (${notices(o.notified)})`] : []),
    ...(o.applied.length
      ? [
          `${o.key}: changed ${o.applied.map((a) => `${FIELD_NAMES[a.field]} ${show(a.from)} -> ${show(a.to)}`).join(", ")} (${notices(o.notified)})`,
        ]
      : []),
    ...o.kept.map(
      (k) =>
        `${o.key}: left ${FIELD_NAMES[k.field]} at ${show(k.current)}, ${k.why === "chat" ? "changed" : k.why} in chat (the file says ${show(k.file)})`,
    ),
  ]);
}

async function runInvites(database: Database, config: CliConfig, args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      unit: { type: "string" },
      role: { type: "string", default: "officer" },
      days: { type: "string", default: "30" },
      json: { type: "boolean", default: false },
      appraiser: { type: "string" },
    },
  });
  const role = ROLES[values.role.toLowerCase()];
  if (!role) throw new UsageError(`--role must be officer, coordinator, inspector or appraiser (not "${values.role}")`);
  if (values.appraiser !== undefined && role !== "APPRAISER")
    throw new UsageError("--appraiser goes with --role appraiser");
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw new UsageError("--days must be a whole number from 1 to 365");
  const campaign = await activeCampaign(database.db);
  if (!campaign)
    throw new UsageError("no active campaign: import one first (npm run cli -- import data/son-la-2019.yaml)");
  let unitIds: number[] | undefined;
  if (values.unit !== undefined) {
    if (role !== "OFFICER") throw new UsageError("--unit goes with --role officer");
    const units = await findUnits(database.db, campaign.id, values.unit);
    if (units.length === 0) throw new UsageError(`no unit matches "${values.unit}"`);
    if (units.length > 1) {
      throw new UsageError(
        `"${values.unit}" matches ${units.length} units: ${units.map((u) => u.shortName).join("; ")}`,
      );
    }
    unitIds = [units[0]!.id];
  }
  let appraiserIds: number[] | undefined;
  if (values.appraiser !== undefined) {
    const row = await database.db.appraiser.findUnique({
      where: { campaignId_key: { campaignId: campaign.id, key: values.appraiser } },
    });
    if (!row) throw new UsageError(`no appraiser ${values.appraiser} (npm run cli -- appraisers)`);
    appraiserIds = [row.id];
  }
  const username = await botUsername(config);
  const invites = await createInvites(database.db, { campaignId: campaign.id, role, unitIds, appraiserIds, days });
  const rows = invites.map((i) => ({
    // An appraiser's invite names the council member it was made for.
    unit: i.unit?.name ?? (i.appraiser ? `${i.appraiser.name} (${i.appraiser.key})` : ""),
    role: i.role.toLowerCase(),
    code: i.code,
    link: username ? inviteLink(username, i.code) : `/start ${i.code}`,
    // On Zalo (no deep links) the code is typed after MOI in the bot's chat.
    zalo: `MOI ${i.code}`,
    expiresAt: i.expiresAt.toISOString(),
  }));
  if (values.json) console.log(JSON.stringify(rows, null, 2));
  else for (const r of rows) console.log([r.unit || "-", r.role, r.code, r.link, `Zalo: ${r.zalo}`].join("\t"));
  if (!username && !values.json) {
    console.error("(no BOT_USERNAME or BOT_TOKEN: people type /start CODE in the bot's chat instead of a link)");
  }
}

// ---------------------------------------------------------------- backup and restore

/** Messages of backup and restore, in DEFAULT_LOCALE (locales/<lang>/cli.json). */
function cliText(config: CliConfig) {
  const locale = config.DEFAULT_LOCALE;
  const t: Translate = createI18n(locale, { plainText: true }).forLocale(locale);
  const num = (n: number) => formatNumber(n, locale);
  // 12,5 MB (vi) / 12.5 MB (en); nothing at all is 0 KB rather than formatFileSize's 1 KB.
  const size = (bytes: number) => (bytes === 0 ? `${num(0)} KB` : formatFileSize(bytes, num));
  return { t, num, size };
}

/** <dir> [--force] */
function backupArgs(args: string[], usage: string): { dir: string; force: boolean } {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError(usage);
  return { dir: positionals[0]!, force: values.force };
}

/** At most 10 keys in a message; the manifest has them all. */
function keyList(keys: string[]): string {
  return keys.length > 10 ? `${keys.slice(0, 10).join(", ")}, …` : keys.join(", ");
}

function backupLines(config: CliConfig, r: BackupReport): string[] {
  const { t, num, size } = cliText(config);
  const m = r.manifest;
  const files = { files: num(m.counts.files), size: size(m.counts.bytes) };
  return [
    t("cli.backup.done", { dir: r.dir, seconds: num(r.seconds) }),
    t(`cli.backup.database_${m.database.kind}`, { size: size(m.database.bytes) }),
    r.filesFrom ? t("cli.backup.files_local", { ...files, from: r.filesFrom }) : t("cli.backup.files_database", files),
    ...(m.missing.length === 0 ? [t("cli.backup.evidence_ok", { evidence: num(m.counts.evidence) })] : []),
  ];
}

function restoreLines(config: CliConfig, r: RestoreReport): string[] {
  const { t, num, size } = cliText(config);
  const f = r.files;
  const files = { files: num(f.count), size: size(f.bytes), into: resolve(config.FILES_DIR) };
  const how = f.how === "copied" ? `copied_${f.into}` : f.how;
  return [
    t("cli.restore.done", {
      dir: r.dir,
      createdAt: formatDateTime(new Date(r.manifest.createdAt), config.TZ),
      seconds: num(r.seconds),
    }),
    t("cli.restore.database", { kind: DATABASE_NAMES[r.manifest.database.kind], database: r.database }),
    t(`cli.restore.files_${how}`, files),
    ...(f.removed > 0 ? [t("cli.restore.files_removed", { removed: num(f.removed), into: files.into })] : []),
    ...(r.missing.length === 0 ? [t("cli.restore.evidence_ok", { evidence: num(r.evidence) })] : []),
  ];
}

/** What a restore would overwrite, naming only what is there: "cơ sở dữ liệu … có 1 đợt kiểm tra, …". */
function targetHolds(config: CliConfig, vars: Record<string, unknown>): string {
  const { t } = cliText(config);
  const n = (name: string) => Number(vars[name] ?? 0);
  const items = ["campaigns", "people", "answers", "evidence", "objects"]
    .filter((name) => n(name) > 0)
    .map((name) => t(`cli.restore.holds.${name}`, { count: n(name) }));
  return [
    ...(items.length > 0
      ? [t("cli.restore.holds.database", { database: vars.database, items: items.join(", ") })]
      : []),
    ...(n("files") > 0 ? [t("cli.restore.holds.files", { dir: vars.filesDir, count: n("files") })] : []),
  ].join("; ");
}

/** backup and restore open the database themselves (a restore replaces it first). */
async function runBackupCommand(config: CliConfig, command: "backup" | "restore", args: string[]): Promise<number> {
  const { t, num } = cliText(config);
  const { dir, force } = backupArgs(args, t(`cli.${command}.usage`));
  const by = `cli:${operator()}`;
  try {
    if (command === "restore") {
      const report = await restoreBackup(config, dir, { force, by });
      for (const line of restoreLines(config, report)) console.log(line);
      if (report.missing.length === 0) return 0;
      console.error(t("cli.restore.missing", { missing: num(report.missing.length), keys: keyList(report.missing) }));
      return 1;
    }
    const database = await openDatabase(config.DATABASE_URL);
    try {
      const report = await createBackup(config, database, dir, { force, by });
      for (const line of backupLines(config, report)) console.log(line);
      const { missing } = report.manifest;
      if (missing.length === 0) return 0;
      console.error(t("cli.backup.missing", { missing: num(missing.length), keys: keyList(missing) }));
      return 1;
    } finally {
      await database.close();
    }
  } catch (e) {
    if (!(e instanceof BackupError)) throw e;
    console.error(t(e.key, e.key === "cli.restore.not_empty" ? { what: targetHolds(config, e.vars) } : e.vars));
    return 1;
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  let database: Database | undefined;
  try {
    const config = parseCliConfig(loadEnvFile());
    if (command === "backup" || command === "restore") return await runBackupCommand(config, command, rest);
    const appraisal = (APPRAISAL_COMMANDS as readonly string[]).includes(command);
    if (command !== "import" && command !== "invites" && !appraisal)
      throw new UsageError(`unknown command "${command}"`);
    database = await openDatabase(config.DATABASE_URL);
    if (appraisal) {
      const ctx = {
        db: database.db,
        timeZone: config.TZ,
        locale: config.DEFAULT_LOCALE,
        coordinatorIds: config.COORDINATOR_IDS,
      };
      return await runAppraisalCommand(ctx, command, rest, `cli:${operator()}`);
    }
    if (command === "import") await runImport(database, config, rest);
    else await runInvites(database, config, rest);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AppraisalUsageError) console.error(`${e.message}\n\n${USAGE}`);
    else if (
      e instanceof DataFileError ||
      e instanceof ImportError ||
      e instanceof ConfigError ||
      e instanceof DatabaseConnectError
    )
      console.error(e.message);
    else if (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))
      console.error(`${e.message}\n\n${USAGE}`);
    else throw e;
    return 1;
  } finally {
    await database?.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
