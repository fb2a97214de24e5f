/**
 * The test-drive hosting of one process: the VMs it booted (customers' and hot instances), their
 * credentials, their expiry, the hot pools, and the sweep that keeps the rows true.
 *
 * The VMs live in this process; the rows (./records.ts) say which process holds each (`owner`)
 * and when it last beat. So a row is only ever ended once (markEnded answers the ids it changed),
 * and a VM whose process is gone (a restart, a crash) is ended by the next sweep of any process:
 * at once in embedded mode (one process owns the database), after `staleAfterMs` otherwise.
 *
 * Private keys and passwords are kept in memory only, never in the database: they are only of
 * use while this process holds the VM. The key is handed out once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { AppContext, Trx } from '../app/context.ts';
import { hashToken, newToken, tokensEqual } from '../app/publishers.ts';
import type { GuestLogin, RunningVm, VmConsole, VmOptions } from '../boot/types.ts';
import { noteAuditTarget } from '../audit/scope.ts';
import { generateSshKeyPair } from '../boot/ssh-key.ts';
import type { LeadContact, OperatorTestDrive, TestDriveEndReason, TestDriveStarted, TestDriveView } from '../contracts/index.ts';
import { toVmarketError, VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import { prepareLead } from '../leads/record.ts';
import { markKvmBroken } from '../boot/qemu.ts';
import { kvmTrial } from './kvm-trial.ts';
import { liveTestDrive, type LiveTestDrive, locateTestDriveImage, testDriveImage, type TestDriveImage } from './live-image.ts';
import { countOpen, countStartsSince, customerView, getTestDriveRow, listOpenRows, markEnded, OPEN_STATUSES, operatorView, type TestDriveRow } from './records.ts';
import { hostingOff, keyGone, notOpen, notRunning, tooManyForCustomer, tooManyRunning, tooManyToday, unknownTestDrive } from './texts.ts';

/** Starts one VM: src/boot/vm.ts `startVm`, or a test double. */
export type VmStarter = (options: VmOptions) => Promise<RunningVm>;

export interface TestDriveManagerOptions {
  startVm: VmStarter;
  /** The boot settings of every VM (config `boot`, as src/boot/vm.ts `bootSettings` reads it). */
  settings: VmOptions['settings'];
  /** The clock (tests move it to check expiry without waiting). */
  now?: () => Date;
  /** How often the sweep runs. Default 30 s. */
  sweepIntervalMs?: number;
  /** A row whose process has not beaten for this long is a VM that is gone. Default 2 minutes. */
  staleAfterMs?: number;
  /** Under KVM (`boot.accelerator: auto`), a console this long silent before user space means KVM hung the guest. Default 20 s. */
  kvmSilenceMs?: number;
}

export interface StartTestDriveInput {
  publisherId: string;
  offerId: string;
  subscriptionId: string;
  contact: LeadContact;
}

/** A VM this process holds (or is booting). */
interface Held {
  id: string;
  publisherId: string;
  offerId: string;
  login: GuestLogin;
  /** Until the customer downloaded it. */
  privateKey: string | null;
  userManualUrl: string | null;
  abort: AbortController;
  vm?: RunningVm;
  booting?: Promise<void>;
  timer?: NodeJS.Timeout;
  ended: boolean;
  /** The end in progress, so every caller waits for the same one. */
  ending?: Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** One lock for every count-then-insert of test drives, so the limits hold across processes. */
const LIMITS_LOCK = 0x7464_7276; // "tdrv"

export class TestDriveManager {
  /** This process's id in the rows' `owner`. */
  readonly owner = `td-${randomUUID()}`;
  private readonly held = new Map<string, Held>();
  /** Rows being inserted by this process, not held yet: the sweep leaves them alone. */
  private readonly claiming = new Set<string>();
  private readonly now: () => Date;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private refilling: Promise<void> | undefined;
  private closed = false;
  private readonly ctx: AppContext;
  private readonly options: TestDriveManagerOptions;

  constructor(ctx: AppContext, options: TestDriveManagerOptions) {
    this.ctx = ctx;
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  private get config() {
    return this.ctx.config.testDrives;
  }

  /**
   * Ends what a previous process left open (embedded: every open row, the VMs went with it),
   * starts the sweep and fills the hot pools.
   */
  async start(): Promise<void> {
    if (this.ctx.db.mode === 'embedded') {
      const left = (await listOpenRows(this.ctx.db.kysely)).map((r) => r.id);
      const ended = await markEnded(this.ctx.db.kysely, left, 'process-stopped', this.now());
      if (ended.length > 0) this.ctx.logger.info({ testDrives: ended.length }, 'test drives of a previous process marked ended');
    }
    const every = this.options.sweepIntervalMs ?? 30_000;
    this.sweepTimer = setInterval(() => void this.sweep().catch((err) => this.ctx.logger.warn({ err }, 'test-drive sweep failed')), every);
    this.sweepTimer.unref();
    this.refill();
  }

  /** The VMs this process holds, by test-drive id (for tests and the console). */
  runningVm(id: string): RunningVm | undefined {
    return this.held.get(id)?.vm;
  }

  private requireHosting(): void {
    if (!this.config.enabled || this.closed) throw new VmarketError('CONFLICT', hostingOff);
  }

  /**
   * A customer starts a test drive of an offer's live version: the limits are checked, a hot
   * instance of this offer is taken when one is ready, else a VM is booted (status `starting`
   * until QEMU runs). The lead (kind `test-drive`) commits with the row.
   *
   * @throws VmarketError CONFLICT (hosting off), NOT_FOUND (no live test drive, image missing),
   *   RATE_LIMITED naming testDrives.maxPerCustomer, startsPerCustomerPerDay or maxRunning.
   */
  async startTestDrive(input: StartTestDriveInput): Promise<TestDriveStarted> {
    this.requireHosting();
    const subscriptionId = input.subscriptionId.trim().toLowerCase();
    const live = await liveTestDrive(this.ctx, input.publisherId, input.offerId);
    const token = newToken();
    const lead = await prepareLead(this.ctx, {
      publisherId: input.publisherId,
      offerId: input.offerId,
      plan: live.planId,
      subscriptionId,
      contact: input.contact,
      kind: 'test-drive',
      destination: live.leadDestination,
      slot: 'live',
    });
    const now = this.now();
    const expires = new Date(now.getTime() + live.durationHours * HOUR_MS);
    const claim = {
      hot: false,
      subscription_id: subscriptionId,
      email: input.contact.email,
      access_token_hash: hashToken(token),
      lead_id: lead.id,
      started_at: now,
      expires_at: expires,
    };
    const readyHot = [...this.held.values()].filter((h) => h.vm && !h.ended && h.publisherId === input.publisherId && h.offerId === input.offerId).map((h) => h.id);
    // the region is picked before the (on PGlite exclusive) transaction; downloading waits for the boot
    const image = readyHot.length > 0 ? undefined : await locateTestDriveImage(this.ctx, live);

    const newId = randomUUID();
    this.claiming.add(newId);
    const row = await this.ctx.db.transaction(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${LIMITS_LOCK})`.execute(trx);
      await this.checkCustomerLimits(trx, subscriptionId, now);
      let taken: TestDriveRow | undefined;
      if (readyHot.length > 0) {
        taken = await trx
          .updateTable('test_drives')
          .set(claim)
          .where('id', '=', (eb) =>
            eb
              .selectFrom('test_drives')
              .select('id')
              .where('id', 'in', readyHot)
              .where('hot', '=', true)
              .where('status', '=', 'running')
              .where('image_sha256', '=', live.sha256)
              .orderBy('created_at')
              .limit(1),
          )
          .returningAll()
          .executeTakeFirst();
      }
      if (!taken) {
        await this.checkTotal(trx);
        const region = image?.region ?? (await locateTestDriveImage(this.ctx, live)).region;
        taken = await trx
          .insertInto('test_drives')
          .values({ id: newId, publisher_id: input.publisherId, offer_id: input.offerId, plan_id: live.planId, region, image_sha256: live.sha256, status: 'starting', owner: this.owner, ...claim })
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      await lead.insert(trx);
      return taken;
    }).finally(() => this.claiming.delete(newId));
    lead.wake();

    let held = this.held.get(row.id);
    if (held) {
      this.ctx.logger.info({ testDrive: row.id, offer: `${row.publisher_id}.${row.offer_id}` }, 'test drive took a hot instance');
      this.refill();
    } else {
      held = this.hold(row.id, live);
      this.boot(held, live);
      this.ctx.logger.info({ testDrive: row.id, offer: `${row.publisher_id}.${row.offer_id}` }, 'test drive booting');
    }
    held.userManualUrl = live.userManualUrl;
    this.scheduleExpiry(held, expires);
    return { accessToken: token, testDrive: customerView(row, this.credentials(held), live.userManualUrl, now) };
  }

  private async checkCustomerLimits(trx: Trx, subscriptionId: string, now: Date): Promise<void> {
    const { maxPerCustomer, startsPerCustomerPerDay } = this.config;
    if ((await countOpen(trx, subscriptionId)) >= maxPerCustomer) throw new VmarketError('RATE_LIMITED', say(tooManyForCustomer, maxPerCustomer));
    if ((await countStartsSince(trx, subscriptionId, new Date(now.getTime() - DAY_MS))) >= startsPerCustomerPerDay) {
      throw new VmarketError('RATE_LIMITED', say(tooManyToday, startsPerCustomerPerDay));
    }
  }

  private async checkTotal(trx: Trx): Promise<void> {
    const { maxRunning } = this.config;
    if ((await countOpen(trx)) >= maxRunning) throw new VmarketError('RATE_LIMITED', say(tooManyRunning, maxRunning));
  }

  /** Fresh credentials for a VM about to boot: its own key pair, and a password unless turned off. */
  private hold(id: string, live: LiveTestDrive): Held {
    const keys = generateSshKeyPair(`vmarket-test-drive-${id.slice(0, 8)}`);
    const login: GuestLogin = {
      user: this.config.loginUser,
      publicKey: keys.publicKey,
      // the customer's own machine for the test drive's hours
      sudo: true,
      ...(this.config.password ? { password: randomBytes(12).toString('base64url') } : {}),
    };
    const held: Held = { id, publisherId: live.publisherId, offerId: live.offerId, login, privateKey: keys.privateKey, userManualUrl: live.userManualUrl, abort: new AbortController(), ended: false };
    this.held.set(id, held);
    return held;
  }

  private credentials(held: Held | undefined) {
    return {
      user: held?.login.user ?? this.config.loginUser,
      password: held?.login.password ?? null,
      privateKeyAvailable: held?.privateKey != null,
    };
  }

  /** One QEMU for `held` in its own directory (made here, removed by stop()). */
  private async startOnce(held: Held, image: TestDriveImage, settings: VmOptions['settings']): Promise<RunningVm> {
    const workDir = path.join(this.ctx.config.dataDir, 'test-drives', 'vms', held.id);
    await mkdir(workDir, { recursive: true });
    return this.options.startVm({
      image: image.file,
      format: image.format,
      workDir,
      login: held.login,
      hostname: `test-drive-${held.id.slice(0, 8)}`,
      settings,
      signal: held.abort.signal,
    });
  }

  /** Boots the VM of `held` in the background: `running` when QEMU runs, `failed` when it did not start. */
  private boot(held: Held, live: LiveTestDrive): void {
    held.booting = (async () => {
      try {
        const image = await testDriveImage(this.ctx, live, held.abort.signal);
        let vm = await this.startOnce(held, image, this.options.settings);
        if (vm.accelerator === 'kvm' && this.options.settings.accelerator === 'auto') {
          // on trial: the customer gets the VM once KVM ran its kernel into user space
          const verdict = await kvmTrial(vm, this.options.kvmSilenceMs ?? 20_000, held.abort.signal).catch(async (error: unknown) => {
            await vm.stop();
            throw error;
          });
          if (verdict === 'hung') {
            markKvmBroken(`under KVM a test-drive guest's kernel stopped writing before user space (${this.options.kvmSilenceMs ?? 20_000} ms silent)`);
            this.ctx.logger.warn({ testDrive: held.id }, 'KVM hung the guest kernel; booting the test drive again under software emulation');
            await vm.stop();
            vm = await this.startOnce(held, image, { ...this.options.settings, accelerator: 'tcg' });
          }
        }
        held.vm = vm;
        if (held.ended) return void (await vm.stop());
        void vm.exited.then((exit) => {
          if (!exit.stopped && !held.ended) void this.finish(held.id, 'vm-exited').catch(() => {});
        });
        await this.ctx.db.kysely.updateTable('test_drives').set({ status: 'running', heartbeat_at: this.now() }).where('id', '=', held.id).where('status', '=', 'starting').execute();
        this.ctx.logger.info({ testDrive: held.id, pid: vm.pid, accelerator: vm.accelerator }, 'test-drive VM running');
      } catch (error) {
        if (held.ended) return;
        const message = toVmarketError(error, 'INTERNAL').message;
        this.ctx.logger.warn({ testDrive: held.id, error: message }, 'test-drive VM did not start');
        held.ended = true;
        this.release(held);
        await rm(path.join(this.ctx.config.dataDir, 'test-drives', 'vms', held.id), { recursive: true, force: true }).catch(() => {});
        await markEnded(this.ctx.db.kysely, [held.id], 'start-failed', this.now(), { status: 'failed', error: message }).catch(() => {});
      }
    })();
  }

  private scheduleExpiry(held: Held, expires: Date): void {
    clearTimeout(held.timer);
    const ms = Math.max(0, expires.getTime() - this.now().getTime());
    // setTimeout holds at most 2^31-1 ms (24.8 days); durations are at most 10 hours
    held.timer = setTimeout(() => void this.finish(held.id, 'expired').catch((err) => this.ctx.logger.warn({ err }, 'ending an expired test drive failed')), Math.min(ms, 2 ** 31 - 1));
    held.timer.unref();
  }

  private release(held: Held): void {
    clearTimeout(held.timer);
    held.privateKey = null;
    this.held.delete(held.id);
  }

  /**
   * Ends one test drive: the row first (once), then the VM is stopped and its directory removed.
   * `trx` runs the row's change in the caller's transaction (the operator's audited stop).
   * Answers whether this call ended it.
   */
  private async finish(id: string, reason: TestDriveEndReason, run?: (fn: (trx: Trx) => Promise<string[]>) => Promise<string[]>): Promise<boolean> {
    const mark = (db: Trx | AppContext['db']['kysely']) => markEnded(db, [id], reason, this.now());
    const ended = (await (run ? run((trx) => mark(trx)) : mark(this.ctx.db.kysely))).length > 0;
    const held = this.held.get(id);
    if (held) {
      held.ended = true;
      held.ending ??= (async () => {
        held.abort.abort(new VmarketError('CANCELED', `The test drive ended (${reason}).`));
        await held.booting?.catch(() => {});
        await held.vm?.stop();
        this.release(held);
      })();
      await held.ending;
    }
    if (ended) this.ctx.logger.info({ testDrive: id, reason }, 'test drive ended');
    return ended;
  }

  /** The row of a customer's test drive, when `token` opens it (NOT_FOUND otherwise, the same for both). */
  private async customerRow(id: string, token: string): Promise<TestDriveRow> {
    const row = await getTestDriveRow(this.ctx.db.kysely, id);
    if (!row?.access_token_hash || !tokensEqual(row.access_token_hash, hashToken(token))) throw new VmarketError('NOT_FOUND', unknownTestDrive);
    return row;
  }

  private viewOf(row: TestDriveRow): TestDriveView {
    const held = this.held.get(row.id);
    return customerView(row, this.credentials(held), held?.userManualUrl ?? null, this.now());
  }

  /** The customer's test drive. */
  async get(id: string, token: string): Promise<TestDriveView> {
    return this.viewOf(await this.customerRow(id, token));
  }

  /** The customer ends the test drive (an ended one answers as it is). */
  async end(id: string, token: string): Promise<TestDriveView> {
    await this.customerRow(id, token);
    await this.finish(id, 'customer', (fn) => this.ctx.db.transaction(fn));
    return this.viewOf((await getTestDriveRow(this.ctx.db.kysely, id))!);
  }

  /** The private key, once: the second call (or one after the end) is NOT_FOUND. */
  async privateKey(id: string, token: string): Promise<string> {
    const row = await this.customerRow(id, token);
    const held = this.held.get(id);
    if (!OPEN_STATUSES.includes(row.status) || !held?.privateKey) throw new VmarketError('NOT_FOUND', keyGone);
    const key = held.privateKey;
    held.privateKey = null;
    return key;
  }

  /** The serial console of a running test drive (CONFLICT while it is not running here). */
  async console(id: string, token: string): Promise<{ console: VmConsole; exited: Promise<unknown> }> {
    const row = await this.customerRow(id, token);
    const vm = this.held.get(id)?.vm;
    if (row.status !== 'running' || !vm) throw new VmarketError('CONFLICT', notRunning);
    return { console: vm.console, exited: vm.exited };
  }

  /** The operator's list: every test drive starting or running, hot instances included. */
  async listOpen(): Promise<OperatorTestDrive[]> {
    return (await listOpenRows(this.ctx.db.kysely)).map(operatorView);
  }

  /** The operator stops a test drive (404 unknown, 409 when it is not running). Audited by the caller's scope. */
  async stopByOperator(id: string): Promise<OperatorTestDrive> {
    const row = await getTestDriveRow(this.ctx.db.kysely, id);
    if (!row) throw new VmarketError('NOT_FOUND', say(notOpen, id));
    noteAuditTarget(`test drive ${id} of offer ${row.publisher_id}/${row.offer_id}`, row.publisher_id);
    const ended = await this.finish(id, 'operator', (fn) => this.ctx.db.transaction(fn));
    if (!ended) throw new VmarketError('CONFLICT', say(notOpen, id));
    return operatorView((await getTestDriveRow(this.ctx.db.kysely, id))!);
  }

  /**
   * Keeps the rows true: beats for this process's VMs, ends those past their time, ends rows of
   * this process it no longer holds and rows of processes that stopped beating, withdraws hot
   * instances whose offer's live test drive changed, and refills the hot pools.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    if (this.closed) return;
    const db = this.ctx.db.kysely;
    const now = this.now();
    await db.updateTable('test_drives').set({ heartbeat_at: now }).where('owner', '=', this.owner).where('status', 'in', OPEN_STATUSES).execute();
    // what this process held before the rows were read: a VM held since may have a row the read missed
    const heldBefore = [...this.held.values()];
    const open = await listOpenRows(db);
    const stale = new Date(now.getTime() - (this.options.staleAfterMs ?? 2 * 60_000));
    const gone = open
      .filter((r) => (r.owner === this.owner ? !this.held.has(r.id) && !this.claiming.has(r.id) : new Date(r.heartbeat_at) < stale))
      .map((r) => r.id);
    await markEnded(db, gone, 'process-stopped', now);
    // a VM of this process whose row another process ended (an operator's stop there): stop it here
    const openIds = new Set(open.map((r) => r.id));
    for (const held of heldBefore) if (!openIds.has(held.id) && !held.ended) await this.finish(held.id, 'operator');
    for (const row of open.filter((r) => r.owner === this.owner && this.held.has(r.id))) {
      if (row.expires_at && new Date(row.expires_at) <= now) await this.finish(row.id, 'expired');
      else if (row.hot && !(await this.hotStillWanted(row))) await this.finish(row.id, 'withdrawn');
    }
    this.refill();
    await this.refilling;
  }

  /** A hot instance is kept while hosting is on and it boots the offer's current live test-drive image. */
  private async hotStillWanted(row: TestDriveRow): Promise<boolean> {
    if (!this.config.enabled) return false;
    const live = await liveTestDrive(this.ctx, row.publisher_id, row.offer_id).catch(() => undefined);
    return live !== undefined && live.sha256 === row.image_sha256 && live.hotInstances > 0;
  }

  /** Starts a refill of the hot pools unless one is under way. */
  private refill(): void {
    if (this.closed || !this.config.enabled) return;
    this.refilling ??= this.refillOnce()
      .catch((err) => this.ctx.logger.warn({ err }, 'refilling the test-drive hot pools failed'))
      .finally(() => (this.refilling = undefined));
  }

  /** Boots hot instances up to each live offer's `hotInstances`, within testDrives.maxRunning. */
  private async refillOnce(): Promise<void> {
    const offers = await this.ctx.db.kysely
      .selectFrom('offers')
      .select((eb) => ['publisher_id', 'id', eb.ref('live', '->').key('offer').as('offer')])
      .where('live', 'is not', null)
      .execute();
    for (const offer of offers) {
      const td = (offer.offer as { testDrive?: { enabled?: boolean; hotInstances?: number } } | null)?.testDrive;
      if (!td?.enabled || !td.hotInstances) continue;
      const live = await liveTestDrive(this.ctx, offer.publisher_id, offer.id).catch(() => undefined);
      if (!live) continue;
      while (!this.closed) {
        const newId = randomUUID();
        this.claiming.add(newId);
        const created = await this.ctx.db.transaction(async (trx) => {
          await sql`SELECT pg_advisory_xact_lock(${LIMITS_LOCK})`.execute(trx);
          const hot = await trx
            .selectFrom('test_drives')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('publisher_id', '=', live.publisherId)
            .where('offer_id', '=', live.offerId)
            .where('hot', '=', true)
            .where('image_sha256', '=', live.sha256)
            .where('status', 'in', OPEN_STATUSES)
            .executeTakeFirstOrThrow();
          if (Number(hot.n) >= live.hotInstances || (await countOpen(trx)) >= this.config.maxRunning) return undefined;
          const image = await locateTestDriveImage(this.ctx, live).catch(() => undefined);
          if (!image) return undefined;
          return trx
            .insertInto('test_drives')
            .values({ id: newId, publisher_id: live.publisherId, offer_id: live.offerId, plan_id: live.planId, region: image.region, image_sha256: live.sha256, status: 'starting', hot: true, owner: this.owner })
            .returningAll()
            .executeTakeFirstOrThrow();
        }).catch((error: unknown) => {
          this.claiming.delete(newId);
          throw error;
        });
        if (!created) {
          this.claiming.delete(newId);
          break;
        }
        this.ctx.logger.info({ testDrive: created.id, offer: `${live.publisherId}.${live.offerId}` }, 'booting a hot test-drive instance');
        this.boot(this.hold(created.id, live), live);
        this.claiming.delete(newId);
      }
    }
  }

  /** Stops every VM of this process (no QEMU is left) and marks their rows ended. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.sweeping?.catch(() => {});
    await this.refilling;
    await Promise.all([...this.held.keys()].map((id) => this.finish(id, 'shutdown').catch((err) => this.ctx.logger.warn({ err, testDrive: id }, 'stopping a test-drive VM failed'))));
  }
}
