/** Notifications (email and webhooks) and the shared SMTP mailer. */
export { createMailer, describeSmtpError, isPermanentSmtpError } from './mailer.ts';
export type { Mailer, MailMessage, SmtpConfig } from './mailer.ts';
export { Notifier, notificationEmail } from './notifier.ts';
export type { NotifierOptions, NotifyEvent, NotifyEventType, NotifyLogger, NotifyResult, WebhookBody } from './notifier.ts';
