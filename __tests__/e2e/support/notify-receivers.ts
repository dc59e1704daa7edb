// Real receivers of notifications on loopback: an HTTP server that records every request (and answers
// 500 to as many as asked), and an SMTP server with AUTH whose messages are parsed as a mail client would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: ReceivedRequest[];
  /** Bodies that were answered 2xx at `path`, parsed as JSON. */
  accepted(path: string): unknown[];
  /** The next `count` requests (at any path) are answered 500. */
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let failing = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = failing > 0 ? 500 : 200;
      if (failing > 0) failing--;
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'internal error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    accepted: (path) => requests.filter((r) => r.path === path && r.status === 200).map((r) => JSON.parse(r.body) as unknown),
    failNext: (count) => void (failing = count),
    stop: () => new Promise((resolve) => server.close(() => resolve()))
  };
}

export interface MailReceiver {
  /** smtp://user:password@127.0.0.1:PORT */
  url: string;
  messages: ParsedMail[];
  stop(): Promise<void>;
}

/** An SMTP server that accepts mail only after AUTH with `user` and `password` (no TLS on loopback). */
export async function startMailReceiver(user: string, password: string): Promise<MailReceiver> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    messages,
    stop: () => new Promise((resolve) => server.close(() => resolve()))
  };
}
