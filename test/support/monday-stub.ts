// A stub Monday for client tests: canned replies from a handler, every request recorded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { status?: number; headers?: Record<string, string>; body: unknown; delayMs?: number } | 'drop' | 'hang';
export interface Seen { headers: http.IncomingHttpHeaders; query: string; variables: Record<string, unknown> }

/** A stub Monday: replies come from `handler`; every request is recorded. */
export async function startStub(handler: (req: Seen, n: number) => Reply) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, unknown> };
      const s = { headers: req.headers, query, variables: variables ?? {} };
      seen.push(s);
      const reply = handler(s, seen.length);
      if (reply === 'drop') return req.socket.destroy();
      if (reply === 'hang') return;
      setTimeout(() => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  return { url, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

