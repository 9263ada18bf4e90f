// One table of error cases, run against every adapter of the engine: the HTTP server, the IPC dispatcher, the
// Electron engine link (a process boundary) behind the IPC dispatcher, and the CLI. Each must answer with the same
// body (code, message, where, problems), because each goes through the one error model in api/errors.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineErrorBody, EngineMethod } from '@sluice/format/api/contract';
import { channelFor, createIpcDispatcher } from '@sluice/format/api/ipc';
import { runCli } from '@sluice/engine/cli/main';
import { startServer, type RunningServer } from '@sluice/engine/server/server';
import { createEngineService } from '@sluice/engine/service';
import { answer, createRemoteEngine, type HostRequest } from '../engine-link.js';
import { tmpDir } from '@sluice/engine/test/helpers';
import { validateChainPipeline, writeValidateChainInput } from '@sluice/engine/test/support/validate-chain';

const TOKEN = 'error-table-token';
const APP = 'app://sluice/index.html';
const work = tmpDir();
writeValidateChainInput(work);
const good = validateChainPipeline('errors');
const badRule = { ...good, nodes: good.nodes.map((n) => (n.id === 'check' ? { ...n, config: { rules: [{ id: 'v_required', type: 'no_such_rule', column: 'v' }] } } : n)) };

function file(name: string, pipeline: unknown): string {
  const f = path.join(work, name);
  fs.writeFileSync(f, JSON.stringify(pipeline));
  return f;
}

interface Case {
  name: string;
  method: EngineMethod;
  input: Record<string, unknown>;
  cli: string[];
  /** What every adapter must answer (the code, and the parts of the body each must carry). */
  expect: { code: string; message: RegExp; where?: unknown; problemFields?: string[] };
}

const cases: Case[] = [
  {
    name: 'a config error, placed at its node and field',
    method: 'preview',
    input: { pipeline: badRule, nodeId: 'src', baseDir: work },
    cli: ['preview', file('bad-rule.pipeline.json', badRule), '--node', 'src'],
    expect: { code: 'invalid_pipeline', message: /Expected 'not_null'/, problemFields: ['rules[0].type'] },
  },
  {
    name: 'a preview of a node the pipeline does not have',
    method: 'preview',
    input: { pipeline: good, nodeId: 'nope', baseDir: work },
    cli: ['preview', file('good.pipeline.json', good), '--node', 'nope'],
    expect: { code: 'user_error', message: /^no node "nope" in the pipeline$/ },
  },
  {
    name: 'a request outside the contract',
    method: 'preview',
    input: { pipeline: good, nodeId: 'src', limit: 20_000, baseDir: work },
    cli: ['preview', file('good.pipeline.json', good), '--node', 'src', '--limit', '20000'],
    expect: { code: 'bad_request', message: /^Invalid input for preview: limit: / },
  },
  {
    name: 'a resume of a run that does not exist',
    method: 'run',
    input: { pipeline: good, baseDir: work, resume: 'nosuch' },
    cli: ['run', file('good.pipeline.json', good), '--resume', 'nosuch'],
    expect: { code: 'user_error', message: /^there is no run "nosuch" to resume in / },
  },
];

const service = createEngineService({ workspaces: [work], inProcessRuns: true });
const ipc = createIpcDispatcher(service, { isTrustedSender: (u) => u.startsWith('app://sluice/') });
// The desktop app: main's IPC dispatcher in front of an engine in another process, joined by messages.
const remote = createRemoteEngine((req: HostRequest) => {
  void answer(service, structuredClone(req)).then((reply) => reply && remote.receive(structuredClone(reply)));
});
const desktop = createIpcDispatcher(remote.api, { isTrustedSender: (u) => u.startsWith('app://sluice/') });
let server: RunningServer;

beforeAll(async () => {
  fs.mkdirSync(path.join(work, 'static'), { recursive: true });
  server = await startServer({ api: service, staticDir: path.join(work, 'static'), token: TOKEN, log: () => undefined });
});
afterAll(async () => {
  await server.close();
  service.close();
});

async function overHttp(c: Case): Promise<EngineErrorBody> {
  const res = await fetch(`${server.url}api/${c.method}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(c.input) });
  expect(res.ok).toBe(false);
  return (await res.json()) as EngineErrorBody;
}

async function overIpc(dispatch: typeof ipc, c: Case): Promise<EngineErrorBody> {
  const reply = await dispatch(channelFor(c.method), APP, c.input);
  if (reply.ok) throw new Error(`${c.name}: the call succeeded`);
  const { ok: _ok, ...body } = reply;
  return body;
}

async function overCli(c: Case): Promise<{ body: EngineErrorBody; code: number }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let code: number;
  try {
    code = await runCli([...c.cli, '--json']);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  const last = lines.join('').trim().split('\n').pop() ?? '';
  return { body: JSON.parse(last) as EngineErrorBody, code };
}

describe('one error model across every adapter', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const http = await overHttp(c);
      expect(http.error.code).toBe(c.expect.code);
      expect(http.error.message).toMatch(c.expect.message);
      if (c.expect.problemFields) expect(http.error.problems?.map((p) => p.field)).toEqual(c.expect.problemFields);
      expect(await overIpc(ipc, c)).toEqual(http);
      expect(await overIpc(desktop, c)).toEqual(http);
      const cli = await overCli(c);
      expect(cli.body).toEqual(http);
      expect(cli.code).toBe(2);
    });
  }

  it('keeps a placed user error’s code and where across the process boundary', async () => {
    const { UserError } = await import('@sluice/format/api/errors');
    const throwing = { ...service, validate: () => Promise.reject(new UserError('expression must not be empty', { nodeId: 'f1', field: 'expression' }, { code: 'empty_expression' })) };
    const far = createRemoteEngine((req: HostRequest) => void answer(throwing, structuredClone(req)).then((reply) => reply && far.receive(structuredClone(reply))));
    const reply = await createIpcDispatcher(far.api, { isTrustedSender: () => true })(channelFor('validate'), APP, { pipeline: {} });
    expect(reply).toEqual({
      ok: false,
      error: { code: 'empty_expression', message: 'expression must not be empty', where: { nodeId: 'f1', field: 'expression' }, problems: [{ path: '', nodeId: 'f1', field: 'expression', message: 'expression must not be empty' }] },
    });
  });
});
