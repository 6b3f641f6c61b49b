/**
 * The terminal loop every playground shares (npm run demo, on Telegram or on Zalo): a person
 * types lines as one of several users, the bot's answers print as they come, meta-commands
 * (":giup", ":nguoi", ":tep", ":anh", ":ds", ":lenh", ":thoat") steer the playground. What
 * differs per channel (how a line reaches the bot, how the bot's messages look, what a typed
 * number means) is left to a subclass: terminal-chat.ts for Telegram, zalo-chat.ts for Zalo.
 *
 * Everything the person reads comes from locales/<lang>/playground.json, in Vietnamese unless told
 * otherwise, since the people trying the bot are the province's officials. Meta-commands start
 * with ":" so they can never be mistaken for bot commands; their names are Vietnamese words
 * without diacritics in every language, as people type them.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { clearLine, createInterface, cursorTo } from "node:readline";
import { createI18n, type Locale, type Translate } from "../i18n.ts";
import { guessMimeType } from "./fake-bot-api.ts";

export interface PlaygroundUser<U extends { id: number | string } = { id: number | string }> {
  /** How the person sees this user, e.g. "Cán bộ Sông Mã"; also the prompt. */
  label: string;
  user: U;
  /** One line telling what this user can try, shown by `:nguoi`. */
  hint?: string;
}

export interface TerminalOptions<U extends { id: number | string }> {
  users: PlaygroundUser<U>[];
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Printed first, instead of the default greeting. */
  intro?: string;
  /** Language of the playground's own texts (default "vi"); the bot's replies follow each user. */
  locale?: Locale;
  /** Force colours on or off; by default on only for a TTY without NO_COLOR. */
  color?: boolean;
  /** The bot counts as done once silent this long after an input (default 300 ms)… */
  quietMs?: number;
  /** …or after this long at most (default 5 s). */
  maxWaitMs?: number;
  /** Where files the bot sends (exports, charts, documents) are saved for the person to open. */
  saveDir?: string;
  /**
   * Whether the bot is still handling an update: the chat then waits (up to a minute) even
   * through a silence, e.g. while an export is written after "⏳ Đang tạo tệp…".
   */
  busy?: () => boolean;
}

/** A file the person sends with `:tep`: read from this machine, or made up from its name. */
export interface PlaygroundFile {
  /** As typed (a path or a bare name). */
  path: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  caption: string;
}

/**
 * Content for a file the person names without having it: a one-page PDF for .pdf, a tiny
 * picture for .png/.jpg, and for anything else bytes no checker accepts (the bot says so).
 */
export function sampleOf(name: string): Buffer {
  const ext = extname(name).toLowerCase();
  if (ext === ".png") {
    return Buffer.from(
      "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
        "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a8170000000049454e44ae426082",
      "hex",
    );
  }
  if (ext === ".jpg" || ext === ".jpeg") {
    return Buffer.concat([
      Buffer.from("ffd8ffe000104a46494600010100000100010000", "hex"),
      Buffer.alloc(64, 1),
      Buffer.from("ffd9", "hex"),
    ]);
  }
  if (ext === ".pdf") {
    const body = [
      "%PDF-1.4",
      "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
      "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
      "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj",
      "trailer << /Root 1 0 R >>",
      "%%EOF",
    ];
    return Buffer.from(`${body.join("\n")}\n`, "latin1");
  }
  return Buffer.from(`made-up content of ${basename(name)}\n`.repeat(64));
}

/** Longest wait for an update the bot is still handling. */
const BUSY_WAIT_MS = 60_000;

// ─── Rendering helpers ───────────────────────────────────────────────────────────────────────

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  green(s: string): string;
}

function painter(color: boolean): Paint {
  const wrap = (open: string) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[0m` : s);
  return { bold: wrap("1"), dim: wrap("2"), cyan: wrap("36"), yellow: wrap("33"), red: wrap("31"), green: wrap("32") };
}

export function formatSize(t: Translate, bytes: number): string {
  if (bytes < 1024) return t("playground.size.bytes", { value: bytes });
  if (bytes < 1024 * 1024) return t("playground.size.kb", { value: bytes / 1024 });
  return t("playground.size.mb", { value: bytes / 1024 / 1024 });
}

/** Lower-case without Vietnamese diacritics, so ":giúp" and ":giup" are the same command. */
function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}

/** Splits a meta-command's arguments, honouring "double quotes" for names with spaces. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? "");
  return out;
}

// ─── The REPL ────────────────────────────────────────────────────────────────────────────────

export abstract class TerminalLoop<U extends { id: number | string }> {
  protected readonly users: PlaygroundUser<U>[];
  protected readonly paint: Paint;
  protected readonly color: boolean;
  /** The playground's own texts, plain (not HTML-escaped) for the terminal. */
  protected readonly t: Translate;
  private readonly input: NodeJS.ReadableStream;
  private readonly output: NodeJS.WritableStream;
  private readonly interactive: boolean;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private acting = 0;
  /** Short per-session numbers (#1, #2…) for bot messages, stable across edits. */
  private readonly refs = new Map<string, number>();
  protected readonly byRef = new Map<number, { chatId: string; messageId: string }>();
  private prompting = false;
  private rl?: ReturnType<typeof createInterface>;

  constructor(protected readonly options: TerminalOptions<U>) {
    if (options.users.length === 0) throw new Error("playground: at least one user is needed");
    this.users = options.users;
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    const outTty = (this.output as { isTTY?: boolean }).isTTY === true;
    this.interactive = outTty && (this.input as { isTTY?: boolean }).isTTY === true;
    this.color = options.color ?? (outTty && !process.env.NO_COLOR);
    this.paint = painter(this.color);
    this.quietMs = options.quietMs ?? 300;
    this.maxWaitMs = options.maxWaitMs ?? 5000;
    const locale = options.locale ?? "vi";
    this.t = createI18n(locale, { plainText: true }).forLocale(locale);
  }

  // ── What each channel provides ─────────────────────────────────────────────────────────────

  /** The bot's name as the chat shows it. */
  protected abstract readonly botName: string;
  /** Starts printing what the bot does; returns the way to stop. */
  protected abstract watch(): () => void;
  /** The acting user writes `text` (it reaches the bot; the loop then waits for the answers). */
  protected abstract deliverText(text: string): void;
  /** The acting user sends a photo (`:anh`). */
  protected abstract deliverPhoto(caption: string): void;
  /** The acting user sends a file (`:tep`); prints what happened, true when the bot got something. */
  protected abstract deliverFile(file: PlaygroundFile): boolean;
  /** Resolves true once the channel's API was quiet for `quietMs`, false after `timeoutMs`. */
  protected abstract waitForIdle(o: { quietMs: number; timeoutMs: number }): Promise<boolean>;
  /** `:ds`: the acting user's recent messages from the bot. */
  protected abstract listRecent(): void;
  /** `:lenh`: the command menu the chat shows. */
  protected abstract showCommands(): void;

  /** A bare number typed: by default it is just text. */
  protected async typedNumber(line: string): Promise<void> {
    await this.sendText(line);
  }

  /** A channel's own meta-command (true when it took the line). */
  protected async channelMeta(_cmdLine: string): Promise<boolean> {
    return false;
  }

  /** What `:giup` prints. */
  protected helpText(): string {
    return this.t("playground.help");
  }

  /** A chat the playground's users do not own, by its title when the channel knows one. */
  protected chatTitle(_chatId: string): string | undefined {
    return undefined;
  }

  // ── The loop ───────────────────────────────────────────────────────────────────────────────

  protected get user(): PlaygroundUser<U> {
    return this.users[this.acting] as PlaygroundUser<U>;
  }

  /** "label — hint", as the user list and the switch messages show a user. */
  private describe(u: PlaygroundUser<U>): string {
    return `${u.label}${u.hint ? ` — ${u.hint}` : ""}`;
  }

  async run(): Promise<void> {
    const unsubscribe = this.watch();
    const p = this.paint;
    const t = this.t;
    this.print(
      this.options.intro ??
        t("playground.greeting", {
          title: p.bold(t("playground.greeting_title")),
          help: p.yellow(":giup"),
          quit: p.yellow(":thoat"),
        }),
    );
    this.print(p.dim(t("playground.acting", { user: this.describe(this.user) })));
    const rl = createInterface({
      input: this.input,
      // Without a TTY readline must not echo or draw prompts; we print a transcript instead.
      ...(this.interactive ? { output: this.output, terminal: true } : { terminal: false }),
      historySize: 200,
    });
    this.rl = rl;
    rl.on("SIGINT", () => rl.close());
    try {
      this.showPrompt();
      for await (const line of rl) {
        this.prompting = false;
        const keepGoing = await this.handleLine(line.trim());
        if (!keepGoing) break;
        this.showPrompt();
      }
    } finally {
      this.prompting = false;
      unsubscribe();
      rl.close();
    }
  }

  private promptText(): string {
    return `${this.paint.green(this.user.label)} > `;
  }

  private showPrompt(): void {
    if (!this.interactive || !this.rl) return;
    this.prompting = true;
    this.rl.setPrompt(this.promptText());
    this.rl.prompt();
  }

  /** Prints above the prompt without mangling what the person is typing. */
  protected print(text: string): void {
    const redraw = this.interactive && this.prompting && this.rl;
    if (redraw) {
      clearLine(this.output as NodeJS.WriteStream, 0);
      cursorTo(this.output as NodeJS.WriteStream, 0);
    }
    this.output.write(`${text}\n`);
    if (redraw && this.rl) this.rl.prompt(true);
  }

  /** Returns false to quit. */
  private async handleLine(line: string): Promise<boolean> {
    // Piped input is not echoed by anything, so print it: the output then reads as a transcript.
    if (!this.interactive) this.print(`${this.promptText()}${line}`);
    if (line === "") return true;
    if (line.startsWith("\\")) {
      await this.sendText(line.slice(1));
      return true;
    }
    if (/^\d+$/.test(line)) {
      await this.typedNumber(line);
      return true;
    }
    if (line.startsWith(":")) return this.meta(line.slice(1).trim());
    await this.sendText(line);
    return true;
  }

  protected async sendText(text: string): Promise<void> {
    this.deliverText(text);
    await this.settle();
  }

  /** Waits until the bot has handled everything and gone quiet, so replies print before the next prompt. */
  protected async settle(): Promise<void> {
    const busy = this.options.busy;
    const limit = busy ? Math.max(this.maxWaitMs, BUSY_WAIT_MS) : this.maxWaitMs;
    const until = Date.now() + limit;
    for (;;) {
      const idle = await this.waitForIdle({ quietMs: this.quietMs, timeoutMs: this.maxWaitMs });
      if (idle && !busy?.()) return;
      if (Date.now() >= until) {
        this.print(this.paint.dim(this.t("playground.not_done", { count: Math.round(limit / 1000) })));
        return;
      }
      if (idle) await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async meta(cmdLine: string): Promise<boolean> {
    const p = this.paint;
    if (await this.channelMeta(cmdLine)) return true;
    const [rawCmd = "", ...rest] = cmdLine.split(/\s+/);
    const args = rest.join(" ");
    switch (fold(rawCmd)) {
      case "giup":
      case "help":
      case "?":
        this.print(this.helpText());
        return true;
      case "thoat":
      case "q":
        this.print(p.dim(this.t("playground.bye")));
        return false;
      case "nguoi":
        this.switchUser(args);
        return true;
      case "tep":
        await this.sendFile(args);
        return true;
      case "anh":
        this.deliverPhoto(args);
        this.print(p.dim(this.t("playground.sent_photo")));
        await this.settle();
        return true;
      case "ds":
        this.listRecent();
        return true;
      case "lenh":
        this.showCommands();
        return true;
      default:
        this.print(p.yellow(this.t("playground.unknown_command", { command: rawCmd })));
        return true;
    }
  }

  private switchUser(arg: string): void {
    const p = this.paint;
    const t = this.t;
    if (!arg) {
      this.users.forEach((u, i) => {
        const mark = i === this.acting ? p.green("▶") : " ";
        this.print(
          `${mark} ${i + 1}. ${p.bold(u.label)} ${p.dim(t("playground.user_id", { id: u.user.id }))}${u.hint ? ` — ${u.hint}` : ""}`,
        );
      });
      this.print(p.dim(t("playground.users_hint")));
      return;
    }
    const n = Number(arg);
    const index = Number.isInteger(n) ? n - 1 : this.users.findIndex((u) => fold(u.label).includes(fold(arg)));
    if (index < 0 || index >= this.users.length) {
      this.print(p.yellow(t("playground.no_such_user", { name: arg })));
      return;
    }
    this.acting = index;
    this.print(p.dim(t("playground.switched", { user: this.describe(this.user) })));
  }

  private async sendFile(args: string): Promise<void> {
    const [path, ...rest] = splitArgs(args);
    if (!path) {
      this.print(this.paint.yellow(this.t("playground.file_name_needed")));
      return;
    }
    const mimeType = rest[0]?.includes("/") ? (rest.shift() as string) : guessMimeType(path);
    // A file on this machine is sent as it is; a name alone gets made-up content of its
    // kind (a small PDF or picture), so the bot's checks see what they would in the chat app.
    const bytes = existsSync(path) && statSync(path).isFile() ? readFileSync(path) : sampleOf(path);
    if (this.deliverFile({ path, fileName: basename(path), mimeType, bytes, caption: rest.join(" ") })) {
      await this.settle();
    }
  }

  // ── Showing what the bot does ──────────────────────────────────────────────────────────────

  protected refFor(chatId: number | string, messageId: number | string): number {
    const key = `${chatId}:${messageId}`;
    let ref = this.refs.get(key);
    if (ref === undefined) {
      ref = this.refs.size + 1;
      this.refs.set(key, ref);
      this.byRef.set(ref, { chatId: String(chatId), messageId: String(messageId) });
    }
    return ref;
  }

  /** Whose chat this is, as the person knows them. */
  protected labelFor(chatId: number | string): string {
    const id = String(chatId);
    return (
      this.users.find((u) => String(u.user.id) === id)?.label ??
      this.chatTitle(id) ??
      this.t("playground.chat", { id: chatId })
    );
  }

  /** The first line of a bot message: "🤖 <bot> → <whose chat> #<ref>", "(đã sửa)" for an edit. */
  protected header(chatId: number | string, ref: number, edited = false): string {
    const p = this.paint;
    const toWhom =
      this.users.length > 1 || String(chatId) !== String(this.user.user.id) ? ` → ${this.labelFor(chatId)}` : "";
    return `${p.cyan(p.bold(`🤖 ${this.botName}`))}${p.cyan(toWhom)} ${p.dim(`#${ref}`)}${edited ? p.yellow(` ${this.t("playground.edited")}`) : ""}`;
  }

  /** One line of `:ds`: the message's number and the start of its first line. */
  protected recentLine(ref: number, body: string, extra = ""): string {
    const first = body.split("\n")[0] ?? "";
    return `${this.paint.cyan(`#${ref}`)} ${first.length > 60 ? `${first.slice(0, 59)}…` : first}${extra}`;
  }

  /**
   * Saves a file the bot sent under saveDir (a spreadsheet, a chart…) and says where, so the
   * person can open it; nothing when the bytes are not known or there is nowhere to save.
   */
  protected saved(bytes: Buffer | undefined, name: string): string[] {
    const dir = this.options.saveDir;
    if (!dir || !bytes) return [];
    mkdirSync(dir, { recursive: true });
    // Only the name's last part, without characters a file system may refuse.
    const safe = [...basename(name)].map((c) => (c < " " || '\\/:*?"<>|'.includes(c) ? "_" : c)).join("") || "tep";
    const path = join(dir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}-${safe}`);
    writeFileSync(path, bytes);
    return [this.paint.dim(this.t("playground.saved_to", { path }))];
  }
}
