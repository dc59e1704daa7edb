// Mailer over nodemailer: smtp:// upgrades with STARTTLS when the server offers it, smtps:// is TLS
// from the start; user and password come from the URL. Loaded on first use: most runs send no mail.
// Error messages never contain the URL (its password); nodemailer's name the server's answer only.
import { MailError, type Mailer } from '../ports.js';

/** Each phase (connect, greeting, a command's answer) must end within this. */
const PHASE_TIMEOUT_MS = 15_000;

export const smtpMailer: Mailer = {
  async send(smtpUrl, message) {
    const { createTransport } = await import('nodemailer');
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    const transport = createTransport({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port) || (secure ? 465 : 587),
      secure,
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: PHASE_TIMEOUT_MS,
      greetingTimeout: PHASE_TIMEOUT_MS,
      socketTimeout: PHASE_TIMEOUT_MS
    });
    try {
      await transport.sendMail(message);
    } catch (error) {
      const { message: text, responseCode } = error as { message?: string; responseCode?: number };
      // 4xx is the server's "try again later"; no answer at all may be a passing network fault.
      const retryable = responseCode === undefined ? !/auth|login|credentials/i.test(text ?? '') : responseCode >= 400 && responseCode < 500;
      throw new MailError(text ?? String(error), retryable);
    } finally {
      transport.close();
    }
  }
};
