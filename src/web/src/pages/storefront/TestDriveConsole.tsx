/**
 * The test drive's serial console: an xterm.js terminal on the console WebSocket. The first
 * message is the access token (a page cannot give a WebSocket a header); then the server sends
 * what the console recorded and everything after it, and every key typed goes to the guest.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_BASE } from '../../api/client.ts';

type ConsoleState = 'connecting' | 'connected' | 'closed';

export function TestDriveConsole({ id, token, onClosed }: { id: string; token: string; onClosed?: () => void }) {
  const { t } = useTranslation('storefront');
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ConsoleState>('connecting');
  const closedRef = useRef(onClosed);
  closedRef.current = onClosed;

  useEffect(() => {
    if (!host.current) return;
    // the guest writes whatever bytes it likes (systemd's status lines, a program's output): a
    // sequence xterm.js cannot parse is the guest's, not an error of this page, so it logs nothing
    const terminal = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000, screenReaderMode: true, logLevel: 'off' });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(host.current);
    fit.fit();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}${API_BASE}/test-drives/${encodeURIComponent(id)}/console`);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      socket.send(token);
      setState('connected');
      terminal.focus();
    };
    socket.onmessage = (event) => terminal.write(typeof event.data === 'string' ? event.data : new Uint8Array(event.data as ArrayBuffer));
    socket.onclose = () => {
      setState('closed');
      closedRef.current?.();
    };
    const typed = terminal.onData((data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    });
    const resize = () => fit.fit();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      typed.dispose();
      socket.close();
      terminal.dispose();
    };
  }, [id, token]);

  return (
    <div className="test-drive-console">
      <p className="muted" role="status">
        {t(`testDrive.console.${state}`)}
      </p>
      <div ref={host} className="terminal-host" aria-label={t('testDrive.console.label')} data-testid="test-drive-terminal" />
    </div>
  );
}
