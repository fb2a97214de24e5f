/**
 * The serial console of a VM: connected to QEMU's console socket, recorded within a bound (the
 * start and the most recent part, with a line saying what was left out in between), split into
 * lines for the markers (console-markers.ts), and passed on live to whoever listens (a test
 * drive's terminal). Input goes back to the guest's serial port.
 */
import net from 'node:net';
import { sleep } from '../util/timing.ts';
import type { VmConsole } from './types.ts';

/** A Debian boot writes ~100 KB; this keeps any boot whole and a long test drive's first and last parts. */
const HEAD_BYTES = 1024 * 1024;
const TAIL_BYTES = 3 * 1024 * 1024;
const LINE_LIMIT = 4096;
/** Lines kept for the markers: the first ones (the boot) and the most recent. */
const LINES_KEPT = 50_000;
const FIRST_LINES_KEPT = 10_000;

/** Terminal control sequences (CSI, OSC, charset selections, single-character escapes). */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

/** A console line as a person reads it: escapes and carriage returns removed. */
export function plainLine(raw: string): string {
  // systemd shortens a coloured unit name to the console's width and drops the ESC of the colour
  // reset after its ellipsis ("ssh.servic…[0m"): the orphaned rest goes too
  const text = raw.replace(ESCAPES, '').replace(/…\[[0-9;]*m/g, '…');
  // a carriage return redraws the line: what follows the last one is what shows
  const cr = text.lastIndexOf('\r', text.length - 1);
  return (cr >= 0 && cr < text.length - 1 ? text.slice(cr + 1) : text.replaceAll('\r', '')).trimEnd();
}

export class ConsoleRecorder implements VmConsole {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;
  private pending = '';
  private readonly kept: string[] = [];
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly lineListeners = new Set<(line: string) => void>();
  private socket: net.Socket | null = null;
  /** UTF-8 across chunk boundaries (systemd writes `…` and the like). */
  private readonly decoder = new TextDecoder('utf-8');

  /** Connects to QEMU's console socket, trying until it exists or `until` settles. */
  async connect(socketPath: string, until: Promise<unknown>): Promise<void> {
    let gaveUp = false;
    void until.finally(() => (gaveUp = true));
    while (!gaveUp) {
      const socket = await new Promise<net.Socket | null>((resolve) => {
        const s = net.connect(socketPath);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (socket) {
        this.socket = socket;
        socket.on('data', (chunk: Buffer) => this.record(chunk));
        socket.on('error', () => {});
        return;
      }
      await sleep(25);
    }
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
    if (this.pending) this.endLine();
  }

  record(chunk: Buffer): void {
    if (this.headBytes < HEAD_BYTES) {
      const take = chunk.subarray(0, HEAD_BYTES - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      if (take.length < chunk.length) this.keepTail(chunk.subarray(take.length));
    } else {
      this.keepTail(chunk);
    }
    for (const listener of this.dataListeners) listener(chunk);
    const text = this.pending + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.emitLine(part);
    if (this.pending.length > LINE_LIMIT) this.endLine();
  }

  private keepTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - this.tail[0].length >= TAIL_BYTES) {
      const first = this.tail.shift()!;
      this.tailBytes -= first.length;
      this.dropped += first.length;
    }
  }

  private endLine(): void {
    const line = this.pending;
    this.pending = '';
    this.emitLine(line);
  }

  private emitLine(raw: string): void {
    const line = plainLine(raw);
    this.kept.push(line);
    if (this.kept.length > LINES_KEPT) this.kept.splice(FIRST_LINES_KEPT, this.kept.length - LINES_KEPT + 1000);
    for (const listener of this.lineListeners) listener(line);
  }

  /** The line being written now (a prompt such as `login: ` ends without a newline). */
  currentLine(): string {
    return plainLine(this.pending);
  }

  lines(): readonly string[] {
    return this.kept;
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped > 0 ? `${head}\n[vmarket: ${this.dropped} console bytes not kept]\n${tail}` : head + tail;
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  write(data: string | Buffer): void {
    this.socket?.write(data);
  }
}
