/**
 * What the browser tests share: a real `vmarket serve` process (the built web app, PGlite, two
 * file-system regions, in-process workers) with the demo sample image in its import directory,
 * Debian's Chromium driven by playwright-core, and screenshots saved under test-results/web/.
 *
 * Without /usr/bin/chromium (or $VMARKET_CHROMIUM) the browser suite is skipped with one line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load.ts';
import { embeddedDatabaseDir } from '../../src/db/database.ts';
import { ensureSampleImage } from '../../src/demo/sample-image.ts';
import { ensureWebBuilt } from '../../src/server/web-build.ts';
import { NODE, ROOT } from '../helpers/cli.ts';
import { pgliteTemplate, TEST_OPERATOR_TOKEN } from '../helpers/server.ts';

export const CHROMIUM = process.env.VMARKET_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-results', 'web');

/** The reason the browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set VMARKET_CHROMIUM): browser tests skipped`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A fresh browser context (own session storage) in `locale`, at desktop or phone width. */
export async function newPage(browser: Browser, options: { locale?: string; width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  const page = await context.newPage();
  // a failing page script is a test failure, not something to notice in a screenshot later
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console error: ${message.text()}`);
  });
  pageProblems.set(page, problems);
  return { context, page };
}

const pageProblems = new WeakMap<Page, string[]>();

/** Script errors and console errors the page had so far (CSP violations among them). */
export function problemsOf(page: Page): string[] {
  return pageProblems.get(page) ?? [];
}

/** Saves a full-page screenshot as test-results/web/<name>.png (a test artifact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface WebServer {
  url: string;
  /** The server's data directory (its file-system regions are under `regions/<name>`). */
  dataDir: string;
  operatorToken: string;
  importDir: string;
  /** The sample image's file name inside importDir and each publisher's `<importDir>/<id>/` (offers name it as their osDisk). */
  imageName: string;
  api(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates a publisher through the API and answers its token. */
  createPublisher(id: string, name?: string): Promise<string>;
  /**
   * Polls the offer's status document until `until` holds (bounded: 60 s), answering it; fails
   * with what it last saw when the publication ends otherwise or time runs out.
   */
  waitForStatus(token: string, publisher: string, offer: string, until: (doc: any) => boolean, what: string): Promise<any>;
  /** PUTs the draft and starts its publication, without waiting for it. */
  submit(token: string, doc: Record<string, unknown>): Promise<void>;
  /** PUTs the draft and publishes it; answers once the preview waits for sign-off (or, `live`, once it is live). */
  publish(token: string, doc: Record<string, unknown>, options?: { live?: boolean }): Promise<void>;
  /** What the server printed (stdout and stderr), for failure messages. */
  output(): string;
  close(): Promise<void>;
}

/** Signs in through the portal's form (the field labelled "Token") and waits for the portal. */
export async function signIn(page: Page, server: WebServer, token: string, path = '/portal'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  const field = page.getByLabel('Token', { exact: true });
  await field.fill(token);
  await field.press('Enter');
  await field.waitFor({ state: 'detached' });
}

/** Keys of the server configuration (docs/contracts.md §3) merged over the browser tests' defaults. */
export type WebServerConfig = Record<string, unknown>;

/**
 * A server whose certifications wait for the operator's review and run past their expected
 * maximum of 1 s meanwhile: a review in the queue and a ticket opened by a stuck step.
 */
export const REVIEW_PAST_MAXIMUM: WebServerConfig = {
  certification: { manualReview: true, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' }, boot: 'off' },
  steps: { certify: { expectedMaxSeconds: 1 } },
};

/**
 * Starts `vmarket serve --config <file> --port 0` as a child process and waits for its banner.
 * The web app is built first (once; later calls find it current).
 */
export async function startWebServer(config: WebServerConfig = {}): Promise<WebServer> {
  // building the app and the database template are not bounded by themselves; a test file must
  // fail with a reason rather than wait for the suite's timeout
  await withDeadline(ensureWebBuilt(), 120_000, 'building the web app');
  const root = await mkdtemp(path.join(os.tmpdir(), 'vmarket-web-'));
  const dataDir = path.join(root, 'data');
  const importDir = path.join(root, 'images');
  await mkdir(importDir, { recursive: true });
  const image = await ensureSampleImage(importDir);
  const settings = {
    dataDir,
    database: 'embedded',
    listen: { host: '127.0.0.1', port: 0 },
    workers: true,
    imports: { allowedDirs: [importDir], allowedUrlPrefixes: [] },
    certification: { manualReview: false, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' }, boot: 'off' },
    sweepIntervalSeconds: 1,
    rateLimitPerMinute: 100_000,
    ...config,
  };
  const configFile = path.join(root, 'vmarket.json');
  await writeFile(configFile, JSON.stringify(settings, null, 2));
  // an empty migrated database copied in place: creating one takes PGlite several seconds
  await cp(await withDeadline(pgliteTemplate(), 120_000, 'making the database template'), embeddedDatabaseDir(loadConfig({ file: configFile, env: {} })), { recursive: true });

  const child = spawn(NODE, [path.join(ROOT, 'bin/vmarket.js'), 'serve', '--config', configFile, '--port', '0'], {
    cwd: root,
    env: { ...process.env, VMARKET_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN, VMARKET_LOG_LEVEL: 'warn', HOME: root, XDG_CONFIG_HOME: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let url: string;
  try {
    url = await waitForBanner(child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
    throw error;
  }

  const api: WebServer['api'] = async (method, p, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}/api/v1${p}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    return { status: response.status, body, headers: response.headers };
  };

  const waitForStatus: WebServer['waitForStatus'] = async (token, publisher, offer, until, what) => {
    let last: any;
    for (let i = 0; i < 600; i++) {
      const answer = await api('GET', `/publishers/${publisher}/offers/${offer}/status`, { token });
      if (answer.status !== 200) throw new Error(`status of ${publisher}/${offer}: ${answer.status} ${JSON.stringify(answer.body)}`);
      last = answer.body;
      if (until(last)) return last;
      if (['failed', 'canceled'].includes(last.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${publisher}/${offer} never reached ${what}: ${JSON.stringify(last)}\n${output}`);
  };

  const submit: WebServer['submit'] = async (token, doc) => {
    const base = `/publishers/${doc.publisher}/offers/${doc.id}`;
    for (const [method, path, want] of [['PUT', base, [200, 201]], ['POST', `${base}/publish`, [202]]] as const) {
      const answer = await api(method, path, { token, body: method === 'PUT' ? doc : undefined });
      if (!(want as readonly number[]).includes(answer.status)) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };

  const publish: WebServer['publish'] = async (token, doc, options = {}) => {
    const base = `/publishers/${doc.publisher}/offers/${doc.id}`;
    await submit(token, doc);
    await waitForStatus(token, String(doc.publisher), String(doc.id), (s) => s.status === 'waitingForPublisherReview', 'the sign-off');
    if (!options.live) return;
    const golive = await api('POST', `${base}/golive`, { token });
    if (golive.status !== 202) throw new Error(`golive: ${golive.status} ${JSON.stringify(golive.body)}`);
    await waitForStatus(token, String(doc.publisher), String(doc.id), (s) => s.status === 'succeeded', 'live');
  };

  return {
    url,
    dataDir,
    operatorToken: TEST_OPERATOR_TOKEN,
    importDir,
    waitForStatus,
    submit,
    publish,
    imageName: path.basename(image),
    api,
    async createPublisher(id, name = `Publisher ${id}`) {
      const answer = await api('POST', '/publishers', { token: TEST_OPERATOR_TOKEN, body: { id, name } });
      if (answer.status !== 201) throw new Error(`creating publisher ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      // the publisher imports from its own subtree only: give it the sample image there (a hard link, no copy)
      await mkdir(path.join(importDir, id), { recursive: true });
      await link(image, path.join(importDir, id, path.basename(image))).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      return answer.body.token as string;
    },
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function waitForBanner(child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /storefront\s+(http:\/\/\S+?)\/\s/.exec(output());
    if (match) return match[1];
    if (child.exitCode !== null) throw new Error(`vmarket serve exited with ${child.exitCode}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`vmarket serve printed no banner within 60 s:\n${output()}`);
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
