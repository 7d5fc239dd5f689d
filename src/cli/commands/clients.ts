import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { generateApiKey, hashApiKey } from '../../auth/api-key';
import { parseClientsFile, type ClientEntry, type ClientsFile } from '../../auth/clients-file';
import { isScope, SCOPES, type Scope } from '../../auth/scopes';
import { parseOptions, requireOption } from '../args';
import { CommandExit, printJson, UsageError, type CliIO } from '../command';
import { commandGroup } from '../command-group';
import { requireInput } from '../inputs';
import { JSON_OPTION, type OptionSpecs, type ValueSpec } from '../options';

const FILE_OPTION = { type: 'string', value: 'FILE', description: 'the clients file (AUTH_CLIENTS_FILE of the service)', required: true } as const satisfies ValueSpec;
const NAME_OPTION = { type: 'string', value: 'NAME', description: 'the client\'s name', required: true } as const satisfies ValueSpec;

const ADD_OPTIONS = {
  file: { ...FILE_OPTION, description: 'the clients file (AUTH_CLIENTS_FILE of the service); created when missing' },
  name: NAME_OPTION,
  scopes: { type: 'string', value: 'LIST', description: `comma-separated scopes of ${SCOPES.join(', ')}`, required: true },
  'rate-limit': {
    type: 'string',
    value: 'PER_SECOND[/BURST]',
    description: 'the client\'s own token bucket: requests per second, and its capacity (default the rate rounded up, at least 1)',
    default: 'the service\'s RATE_LIMIT_PER_SECOND',
  },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

const ROTATE_OPTIONS = { file: FILE_OPTION, name: NAME_OPTION, json: JSON_OPTION } as const satisfies OptionSpecs;

const LIST_OPTIONS = { file: FILE_OPTION, json: JSON_OPTION } as const satisfies OptionSpecs;

/** The clients file at `path`: a missing one ends the command (`not_found`), an invalid one too (`invalid_input`). */
function readFile(path: string): ClientsFile {
  const text = readFileSync(requireInput('clients file', path, '--file'), 'utf8');
  try {
    parseClientsFile(text);
  } catch (err) {
    throw new CommandExit(`${path}: ${(err as Error).message}`, 'invalid_input');
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

export const clientsCommand = commandGroup({
  name: 'clients',
  summary: 'API-key clients of AUTH_CLIENTS_FILE: add one (a new key, printed once), rotate its key, list them',
  actions: [
    {
      name: 'add',
      summary: 'add a client with a new API key, printed once (the file keeps its sha256)',
      usage: 'clients add --file FILE --name NAME --scopes LIST [options]',
      options: ADD_OPTIONS,
      async run(args, io) {
        const { values } = parseOptions(args, ADD_OPTIONS);
        const path = requireOption('file', values.file);
        const name = requireOption('name', values.name);
        const scopes = requireOption('scopes', values.scopes).split(',').map((s) => s.trim());
        const unknown = scopes.filter((s) => !isScope(s));
        if (unknown.length > 0) throw new UsageError(`unknown scope(s) ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
        // The first client starts the file.
        const file = existsSync(path) ? readFile(path) : { clients: [] };
        if (file.clients.some((c) => c.name === name)) throw new CommandExit(`client "${name}" already exists in ${path}: use clients rotate`, 'refused');
        const key = generateApiKey();
        const entry: ClientEntry = { name, scopes: scopes as Scope[], keys: [hashApiKey(key)], ...(values['rate-limit'] === undefined ? {} : { rateLimit: rateLimit(values['rate-limit']) }) };
        writeFile(path, { clients: [...file.clients, entry] });
        announce(io, values.json === true, name, key, 'a new API key');
        return 0;
      },
    },
    {
      name: 'rotate',
      summary: 'give a client an additional key, printed once; the previous one stays valid until its hash is removed from "keys"',
      usage: 'clients rotate --file FILE --name NAME [options]',
      options: ROTATE_OPTIONS,
      async run(args, io) {
        const { values } = parseOptions(args, ROTATE_OPTIONS);
        const path = requireOption('file', values.file);
        const name = requireOption('name', values.name);
        const file = readFile(path);
        const entry = file.clients.find((c) => c.name === name);
        if (entry === undefined) throw new CommandExit(`no client "${name}" in ${path}`, 'not_found');
        const key = generateApiKey();
        // The previous key stays valid until it is removed from the file: callers switch without an outage.
        writeFile(path, { clients: file.clients.map((c) => (c === entry ? { ...c, keys: [...c.keys, hashApiKey(key)] } : c)) });
        announce(io, values.json === true, entry.name, key, `an additional key (remove the old hash from "keys" once callers switched)`);
        return 0;
      },
    },
    {
      name: 'list',
      summary: 'the clients: name, scopes, number of keys, rate limit',
      usage: 'clients list --file FILE [options]',
      options: LIST_OPTIONS,
      async run(args, io) {
        const { values } = parseOptions(args, LIST_OPTIONS);
        const file = readFile(requireOption('file', values.file));
        const rows = file.clients.map((c) => ({ name: c.name, scopes: c.scopes, keys: c.keys.length, rateLimit: c.rateLimit ?? null }));
        if (values.json === true) printJson(io, { clients: rows });
        else for (const r of rows) io.stdout.write(`${r.name}\t${r.scopes.join(',')}\t${r.keys} key(s)${r.rateLimit === null ? '' : `\t${r.rateLimit.perSecond}/s burst ${r.rateLimit.burst}`}\n`);
        return 0;
      },
    },
  ],
});
