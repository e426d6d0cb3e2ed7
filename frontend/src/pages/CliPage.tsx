import { Alert, Badge, Button, Group, Modal, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { ApiError, api, call } from '../api/http';
import { type ExecResult, type Node, can, useNodes, useTenant } from '../api/queries';
import { ReplyView } from '../components/ReplyView';
import { type CommandDoc, docFor, normaliseDoc, remainingHint } from '../lib/commandDocs';
import { CommandLineError, splitArgs, splitArgsLenient } from '../lib/cmdline';
import { type Danger, dangerOf } from '../lib/dangerous';
import { History, completions } from '../lib/history';
import { type Line, toPlain } from '../lib/resp';

interface Entry {
  id: number;
  prompt: string;
  line: string;
  result?: ExecResult;
  error?: string;
  lines?: Line[];
}

async function exec(node: Node, body: { command: string } | { args: string[] }): Promise<ExecResult> {
  return call(api.POST('/api/tenants/{tid}/nodes/{nid}/exec', { params: { path: { tid: node.tenant_id, nid: node.id } }, body }));
}

/** Command names (COMMAND LIST) of a node, for Tab completion. */
function useCommandNames(node: Node | undefined) {
  return useQuery({
    queryKey: ['cli', node?.id, 'names'],
    queryFn: async () => {
      const result = await exec(node!, { args: ['COMMAND', 'LIST'] });
      const names = toPlain(result.reply);
      return Array.isArray(names) ? names.map(String) : [];
    },
    enabled: !!node && node.phase === 'Running',
    staleTime: Infinity,
    retry: false,
  });
}

export default function CliPage() {
  const { tid = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const tenant = useTenant(tid);
  const nodes = useNodes(tid);
  const running = useMemo(() => (nodes.data?.items ?? []).filter((n) => n.phase === 'Running'), [nodes.data]);
  const all = nodes.data?.items ?? [];
  const nid = search.get('node') ?? running[0]?.id ?? '';
  const node = all.find((n) => n.id === nid);
  const role = tenant.data?.role;
  const viewer = role === 'viewer';

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Redis CLI
        </Title>
        <Group>
          {viewer && (
            <Badge color="gray" size="lg" aria-label="Read-only: you are a viewer">
              read-only
            </Badge>
          )}
          <Select
            label="Instance"
            placeholder={nodes.isLoading ? 'Loading…' : all.length ? 'Pick an instance' : 'No instances'}
            data={all.map((n) => ({ value: n.id, label: `${n.name} (${n.phase})` }))}
            value={node?.id ?? null}
            onChange={(value) => value && setSearch({ node: value })}
            allowDeselect={false}
            w={260}
          />
        </Group>
      </Group>
      {viewer && (
        <Alert color="gray" role="note">
          You are a viewer in this tenant: only read-only commands (GET, SCAN, INFO, …) run.
        </Alert>
      )}
      {nodes.error && <Alert color="red">{nodes.error.message}</Alert>}
      {!nodes.isLoading && all.length === 0 && <Text c="dimmed">Create an instance first; then you can run commands on it here.</Text>}
      {node && node.phase !== 'Running' && (
        <Alert color="yellow" role="status">
          {node.name} is {node.phase.toLowerCase()}: start it to run commands.
        </Alert>
      )}
      {node && <Console key={node.id} node={node} viewer={viewer} canWrite={can.writeNodes(role)} />}
    </Stack>
  );
}

function Console({ node, viewer }: { node: Node; viewer: boolean; canWrite: boolean }) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [line, setLine] = useState('');
  const [busy, setBusy] = useState(0);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [danger, setDanger] = useState<{ danger: Danger; line: string } | null>(null);
  const [docs, setDocs] = useState<Record<string, CommandDoc>>({});
  const [cycle, setCycle] = useState<{ prefix: string; index: number } | null>(null);
  const history = useMemo(() => new History(`miniredis.cli-history.${node.tenant_id}`), [node.tenant_id]);
  const inputRef = useRef<HTMLInputElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const nextId = useRef(1);
  const names = useCommandNames(node);
  const hintId = useId();
  const listId = useId();
  const prompt = node.endpoint ? `${node.endpoint.host}:${node.endpoint.port}>` : `${node.name}>`;

  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [entries]);

  // Syntax hints: COMMAND DOCS <name>, fetched once per command name and node.
  const args = splitArgsLenient(line);
  const first = (args[0] ?? '').toLowerCase();
  const typingName = !!line && !/\s/.test(line.trimStart());
  useEffect(() => {
    if (!first || typingName || first in docs || !names.data?.includes(first)) return;
    let cancelled = false;
    exec(node, { args: ['COMMAND', 'DOCS', first] })
      .then((result) => {
        const plain = toPlain(result.reply) as Record<string, unknown> | null;
        const doc = plain && typeof plain === 'object' ? normaliseDoc((plain as Record<string, unknown>)[first]) : {};
        if (!cancelled) setDocs((d) => ({ ...d, [first]: doc }));
      })
      .catch(() => !cancelled && setDocs((d) => ({ ...d, [first]: {} })));
    return () => {
      cancelled = true;
    };
  }, [first, typingName, docs, names.data, node]);

  const { doc, consumed } = docFor(docs, args);
  const typedArgs = line.endsWith(' ') ? args.length - consumed : args.length - consumed - 1;
  const hint = !typingName && doc ? remainingHint(doc, Math.max(0, typedArgs)) : '';
  const matches = typingName && names.data ? completions(names.data, line.trim(), 8) : [];

  const append = (entry: Omit<Entry, 'id' | 'prompt'>) =>
    setEntries((list) => [...list, { id: nextId.current++, prompt, ...entry }].slice(-500));

  const run = useCallback(
    async (text: string, confirmed = false) => {
      const trimmed = text.trim();
      if (!trimmed) return;
      let argv: string[];
      try {
        argv = splitArgs(trimmed);
      } catch (e) {
        append({ line: trimmed, error: e instanceof CommandLineError ? `Invalid argument(s): ${e.message}` : String(e) });
        return;
      }
      const name = argv[0].toLowerCase();
      if (name === 'clear') {
        history.push(trimmed);
        setEntries([]);
        setLine('');
        return;
      }
      const d = dangerOf(argv);
      if (d && !confirmed) {
        setDanger({ danger: d, line: trimmed });
        return;
      }
      history.push(trimmed);
      setLine('');
      // Lines typed ahead run one after the other, in order, as in a terminal.
      setBusy((n) => n + 1);
      queue.current = queue.current.then(async () => {
        try {
          const result = await exec(node, { args: argv });
          append({ line: trimmed, result });
        } catch (e) {
          const message = e instanceof ApiError ? e.message : String(e);
          append({ line: trimmed, error: message });
        } finally {
          setBusy((n) => n - 1);
          requestAnimationFrame(() => inputRef.current?.focus());
        }
      });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [node, history, prompt],
  );

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void run(line);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setLine(history.up(line));
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      setLine(history.down());
    } else if (event.key === 'Tab') {
      if (!typingName && !cycle) return;
      event.preventDefault();
      const prefix = cycle?.prefix ?? line.trim();
      const options = names.data ? completions(names.data, prefix) : [];
      if (!options.length) return;
      const index = cycle ? (cycle.index + (event.shiftKey ? -1 + options.length : 1)) % options.length : 0;
      setCycle({ prefix, index });
      setLine(options[index].toUpperCase());
    } else if (event.key === 'l' && event.ctrlKey) {
      event.preventDefault();
      setEntries([]);
    } else if (event.key !== 'Shift') {
      setCycle(null);
    }
  };

  return (
    <>
      <div className="terminal" style={{ minHeight: 360, maxHeight: '65vh' }} onClick={() => inputRef.current?.focus()} role="log" aria-label="Command output" aria-live="polite">
        <div className="meta">
          Connected to {node.name} through the API. ↑/↓ history · Tab completes · “clear” clears.{viewer ? ' Read-only.' : ''}
        </div>
        {entries.map((entry) => (
          <div key={entry.id} style={{ marginTop: 6 }}>
            <div>
              <span className="prompt">{entry.prompt} </span>
              {entry.line}
            </div>
            {entry.error ? (
              <div className="tone-error">(error) {entry.error}</div>
            ) : entry.result ? (
              <>
                <ReplyView reply={entry.result.reply} />
                <div className="meta">
                  ({entry.result.elapsed_ms.toFixed(2)} ms){entry.result.truncated ? ' — reply truncated by the server' : ''}
                </div>
              </>
            ) : null}
          </div>
        ))}
        <div style={{ display: 'flex', gap: 6, marginTop: 6, alignItems: 'baseline' }}>
          <label className="prompt" htmlFor="cli-input">
            {prompt}
          </label>
          <div style={{ position: 'relative', flex: 1 }}>
            <input
              id="cli-input"
              ref={inputRef}
              className="cli-input"
              aria-label="Command"
              aria-describedby={hint ? hintId : undefined}
              aria-autocomplete="list"
              aria-controls={matches.length ? listId : undefined}
              value={line}
              disabled={node.phase !== 'Running'}
              onChange={(e) => {
                setLine(e.currentTarget.value);
                setCycle(null);
              }}
              onKeyDown={onKeyDown}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              autoFocus
            />
            {hint && (
              <div className="hint" id={hintId} aria-label={`Syntax: ${hint}`}>
                {hint}
              </div>
            )}
          </div>
        </div>
        {matches.length > 0 && (
          <ul id={listId} role="listbox" aria-label="Command completions" className="hint" style={{ listStyle: 'none', padding: 0, margin: '4px 0 0' }}>
            {matches.map((m, i) => (
              <li key={m} role="option" aria-selected={cycle?.index === i}>
                {m.toUpperCase()}
              </li>
            ))}
          </ul>
        )}
        {busy > 0 && <div className="meta">running…</div>}
        <div ref={endRef} />
      </div>
      <Modal opened={!!danger} onClose={() => setDanger(null)} title="Run a dangerous command?">
        {danger && (
          <Stack>
            <Alert color="red" title={danger.danger.command}>
              {danger.danger.reason}
            </Alert>
            <Text ff="monospace" size="sm">
              {danger.line}
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDanger(null)} data-autofocus>
                Cancel
              </Button>
              <Button
                color="red"
                onClick={() => {
                  const text = danger.line;
                  setDanger(null);
                  void run(text, true);
                }}
              >
                Run {danger.danger.command}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
