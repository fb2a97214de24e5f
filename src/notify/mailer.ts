/**
 * The operator's SMTP relay (config `smtp`) as one nodemailer transport, shared by lead emails
 * and notifications. The password comes from the environment variable `smtp.passwordEnv`.
 */
import nodemailer from 'nodemailer';
import type { z } from 'zod';
import { VmarketError } from '../errors.ts';
import type { smtpSchema } from '../config/schema.ts';

export type SmtpConfig = z.infer<typeof smtpSchema>;

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface Mailer {
  /** The sender address (`smtp.from`). */
  readonly from: string;
  /** Sends one message; rejects with the SMTP error (its `responseCode` when the server answered). */
  send(message: MailMessage): Promise<{ messageId: string; accepted: string[]; rejected: string[] }>;
  /** Closes pooled connections. */
  close(): void;
}

/**
 * A mailer over the operator's SMTP settings.
 *
 * @param env where `smtp.passwordEnv` is read. Default `process.env`.
 * @throws VmarketError CONFIG_INVALID when `passwordEnv` names an unset variable.
 */
export function createMailer(smtp: SmtpConfig, env: NodeJS.ProcessEnv = process.env): Mailer {
  let auth: { user: string; pass: string } | undefined;
  if (smtp.user) {
    const pass = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
    if (smtp.passwordEnv && pass === undefined) {
      throw new VmarketError('CONFIG_INVALID', `The SMTP password variable ${smtp.passwordEnv} (smtp.passwordEnv) is not set in the server's environment.`);
    }
    auth = { user: smtp.user, pass: pass ?? '' };
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth,
    tls: smtp.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    from: smtp.from,
    async send(message) {
      const info = await transport.sendMail({ from: smtp.from, to: message.to, subject: message.subject, text: message.text });
      return {
        messageId: String(info.messageId),
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
      };
    },
    close() {
      transport.close();
    },
  };
}

/** A one-sentence description of an SMTP failure (status code and server text, never credentials). */
export function describeSmtpError(error: unknown): string {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  if (e?.responseCode) return `the SMTP server answered ${e.response ?? e.responseCode}`;
  if (e?.code) return `SMTP ${e.code}: ${e.message ?? ''}`.trim();
  return error instanceof Error ? error.message : String(error);
}

/** True for SMTP failures another attempt cannot fix (a 5xx answer, e.g. unknown recipient). */
export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: number })?.responseCode;
  return typeof code === 'number' && code >= 500;
}
