/**
 * The browser's serial console of a test drive: one WebSocket bridged to the VM's console.
 * The first message the browser sends is the access token (a WebSocket from a page cannot carry
 * a header, and a token in the URL would end up in logs); the answer is what the console
 * recorded so far, then its bytes as they come (binary frames), while every later message the
 * browser sends is keystrokes. The socket closes when the VM stops or the token does not open it.
 */
import { isVmarketError } from '../errors.ts';
import type { TestDriveManager } from './manager.ts';

/** How long the browser has to send its token. */
const AUTH_TIMEOUT_MS = 10_000;
/** Close codes (4000–4999 are the application's). */
export const CONSOLE_CLOSE = { ended: 4000, unauthorized: 4001, notRunning: 4009 } as const;

/** What the bridge uses of a `ws` WebSocket (the one @fastify/websocket hands a route). */
export interface ConsoleSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: Buffer, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export function bridgeConsole(manager: TestDriveManager, id: string, socket: ConsoleSocket): void {
  let unsubscribe: (() => void) | undefined;
  const timer = setTimeout(() => socket.close(CONSOLE_CLOSE.unauthorized, 'no access token'), AUTH_TIMEOUT_MS);
  timer.unref();
  let opened = false;
  socket.on('close', () => {
    clearTimeout(timer);
    unsubscribe?.();
  });
  socket.on('message', (data, isBinary) => {
    if (opened) {
      void attached?.then((c) => c?.write(isBinary ? Buffer.from(data as Buffer) : data.toString()));
      return;
    }
    opened = true;
    clearTimeout(timer);
    attached = attach(data.toString().trim());
  });
  let attached: Promise<{ write(data: string | Buffer): void } | undefined> | undefined;

  async function attach(token: string) {
    try {
      const { console: vmConsole, exited } = await manager.console(id, token);
      if (socket.readyState !== socket.OPEN) return undefined;
      socket.send(Buffer.from(vmConsole.text()), { binary: true });
      unsubscribe = vmConsole.onData((chunk) => {
        if (socket.readyState === socket.OPEN) socket.send(chunk, { binary: true });
      });
      void exited.then(() => socket.close(CONSOLE_CLOSE.ended, 'the test drive ended'));
      return vmConsole;
    } catch (error) {
      // a close reason holds at most 123 bytes: the code says what happened, the page words it
      const notRunning = isVmarketError(error) && error.code === 'CONFLICT';
      socket.close(notRunning ? CONSOLE_CLOSE.notRunning : CONSOLE_CLOSE.unauthorized, notRunning ? 'not running' : 'unauthorized');
      return undefined;
    }
  }
}
