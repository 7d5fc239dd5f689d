import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { generateApiKey, hashApiKey } from '../../auth/api-key';
import { parseClientsFile, type ClientEntry, type ClientsFile } from '../../auth/clients-file';
import { isScope, SCOPES, type Scope } from '../../auth/scopes';
import { parseOptions } from '../args';
import { CommandExit, printJson, UsageError, type CliIO, type Command } from '../command';

const USAGE =
  'clients add --file FILE --name NAME --scopes LIST [--rate-limit PER_SECOND[/BURST]] [--json] | rotate --file FILE --name NAME [--json] | list --file FILE [--json]   ' +
  `(scopes: ${SCOPES.join(', ')})`;

const OPTIONS = {
  file: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  'rate-limit': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function readFile(path: string): ClientsFile {
  if (!existsSync(path)) return { clients: [] };
  const text = readFileSync(path, 'utf8');
  try {
    parseClientsFile(text);
  } catch (err) {
    throw new CommandExit(`${path}: ${(err as Error).message}`, 1);
  }
  return JSON.parse(text) as ClientsFile;
}

/** Writes the file whole and renames it into place: a service reloading it never reads half of it. */
function writeFile(path: string, file: ClientsFile): void {
  parseClientsFile(JSON.stringify(file));
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function rateLimit(text: string): { perSecond: number; burst: number } {
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text);
  const perSecond = Number(m?.[1]);
  if (m === null || !(perSecond > 0)) throw new UsageError(`--rate-limit must be PER_SECOND or PER_SECOND/BURST (positive numbers), got "${text}"`);
  return { perSecond, burst: m[2] === undefined ? Math.max(1, Math.ceil(perSecond)) : Number(m[2]) };
}

/** Prints a new key once: the file keeps only its hash. */
function announce(io: CliIO, json: boolean, name: string, key: string, what: string): void {
  if (json) printJson(io, { name, key });
  else {
    io.stdout.write(`${key}\n`);
    io.stderr.write(`${what} for client "${name}"; it is shown only now (the file keeps its sha256). Send it as "Authorization: Bearer <key>"\n`);
  }
}

export const clientsCommand: Command = {
  name: 'clients',
  summary: 'API-key clients of AUTH_CLIENTS_FILE: add one (a new key, printed once), rotate its key, list them',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values } = parseOptions(rest, OPTIONS);
    const path = values.file;
    if (path === undefined) throw new UsageError('--file is required');
    const json = values.json === true;
    const file = readFile(path);
    switch (sub) {
      case 'add': {
        const name = values.name;
        if (name === undefined || values.scopes === undefined) throw new UsageError('clients add needs --name and --scopes');
        if (file.clients.some((c) => c.name === name)) throw new CommandExit(`client "${name}" already exists in ${path}: use clients rotate`, 1);
        const scopes = values.scopes.split(',').map((s) => s.trim());
        const unknown = scopes.filter((s) => !isScope(s));
        if (unknown.length > 0) throw new UsageError(`unknown scope(s) ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
        const key = generateApiKey();
        const entry: ClientEntry = { name, scopes: scopes as Scope[], keys: [hashApiKey(key)], ...(values['rate-limit'] === undefined ? {} : { rateLimit: rateLimit(values['rate-limit']) }) };
        writeFile(path, { clients: [...file.clients, entry] });
        announce(io, json, name, key, 'a new API key');
        return 0;
      }
      case 'rotate': {
        const entry = file.clients.find((c) => c.name === values.name);
        if (entry === undefined) throw new CommandExit(`no client "${values.name ?? ''}" in ${path}`, 1);
        const key = generateApiKey();
        // The previous key stays valid until it is removed from the file: callers switch without an outage.
        writeFile(path, { clients: file.clients.map((c) => (c === entry ? { ...c, keys: [...c.keys, hashApiKey(key)] } : c)) });
        announce(io, json, entry.name, key, `an additional key (remove the old hash from "keys" once callers switched)`);
        return 0;
      }
      case 'list': {
        const rows = file.clients.map((c) => ({ name: c.name, scopes: c.scopes, keys: c.keys.length, rateLimit: c.rateLimit ?? null }));
        if (json) printJson(io, { clients: rows });
        else for (const r of rows) io.stdout.write(`${r.name}\t${r.scopes.join(',')}\t${r.keys} key(s)${r.rateLimit === null ? '' : `\t${r.rateLimit.perSecond}/s burst ${r.rateLimit.burst}`}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown clients subcommand "${sub ?? ''}"`);
    }
  },
};
