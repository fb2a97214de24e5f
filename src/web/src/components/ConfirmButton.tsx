/**
 * A button whose action needs a second, deliberate yes (Go live, Cancel a publication). The
 * question is a native modal <dialog>: it traps focus, Escape closes it, and focus returns to the
 * button afterwards.
 */
import { type ReactNode, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface ConfirmButtonProps {
  label: ReactNode;
  title: ReactNode;
  question: ReactNode;
  confirmLabel: ReactNode;
  /** The button that answers no (default "Cancel"; name it when the action itself is a cancel). */
  dismissLabel?: ReactNode;
  onConfirm(): Promise<void> | void;
  disabled?: boolean;
  danger?: boolean;
}

export function ConfirmButton({ label, title, question, confirmLabel, dismissLabel, onConfirm, disabled, danger }: ConfirmButtonProps) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useRef(`confirm-${Math.random().toString(36).slice(2)}`).current;

  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm(); // the caller shows its own error; the question is answered either way
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };

  return (
    <>
      <button type="button" className={danger ? 'danger' : 'primary'} disabled={disabled || busy} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="confirm">
        <h2 id={titleId}>{title}</h2>
        <p>{question}</p>
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            {dismissLabel ?? t('common:actions.cancel')}
          </button>
          <button type="button" className={danger ? 'danger' : 'primary'} onClick={() => void confirm()} disabled={busy}>
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
