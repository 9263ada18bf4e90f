// The node palette, generated from the engine's catalog: drag an item onto the canvas, or
// click / press Enter to add it in the middle of the view.
import { memo, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type ReactElement } from 'react';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import { CATEGORY_LABEL, CATEGORY_ORDER } from '../lib/categories';
import { CategoryIcon, CloseIcon, SearchIcon } from '../lib/icons';
import { DND_KIND_MIME, useCenterPlacement } from '../lib/placement';
import { useDesigner } from '../store';

/** Words users of other tools search for, by the kind that does it here (matched as well as titles). */
const ALIASES: Record<string, string> = {
  join: 'lookup merge enrich vlookup',
  deduplicate: 'unique distinct dedupe duplicates',
  filter: 'where keep drop rows condition',
  aggregate: 'group by sum count average summarize pivot',
  derive: 'calculated column formula compute expression add column',
  select: 'project rename keep columns drop columns',
  validate: 'quality check rules assert test email phone pattern not null range',
  cast: 'convert type parse',
  sort: 'order by',
  limit: 'top head first rows sample',
  sql: 'query custom',
};

/**
 * What a palette search looks through for a kind: title, description, kind name, aliases, and every word of its
 * config schema (rule kinds such as "regex" or "email", function and option names), built once per catalog.
 */
function searchText(k: NodeKindInfo): string {
  const schemaWords = JSON.stringify(k.configSchema).replace(/[^A-Za-z0-9_]+/g, ' ');
  return `${k.title} ${k.description} ${k.kind} ${ALIASES[k.kind] ?? ''} ${schemaWords}`.toLowerCase();
}

/** How well a kind answers a query: its title first, then its name and aliases, its description, its settings. */
function rank(k: NodeKindInfo, q: string): number {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const all = (text: string) => words.every((w) => text.toLowerCase().includes(w));
  if (all(k.title)) return 0;
  if (all(`${k.kind} ${ALIASES[k.kind] ?? ''}`)) return 1;
  if (all(k.description)) return 2;
  return 3;
}

function matches(text: string, q: string): boolean {
  if (!q) return true;
  return q
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

const PaletteItem = memo(function PaletteItem({ info, onAdd }: { info: NodeKindInfo; onAdd: (kind: string) => void }): ReactElement {
  const onDragStart = (e: DragEvent<HTMLButtonElement>) => {
    e.dataTransfer.setData(DND_KIND_MIME, info.kind);
    e.dataTransfer.setData('text/plain', info.title);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button
        type="button"
        className="palette-item"
        data-testid={`palette-item-${info.kind}`}
        data-category={info.category}
        draggable
        onDragStart={onDragStart}
        onClick={() => onAdd(info.kind)}
        title={`${info.title}: ${info.description}\nDrag onto the canvas, or press Enter to add.`}
      >
        <span className="palette-item__icon">
          <CategoryIcon category={info.category} size={15} />
        </span>
        <span className="palette-item__text">
          <span className="palette-item__title">{info.title}</span>
          <span className="palette-item__desc">{info.description}</span>
        </span>
      </button>
    </li>
  );
});

export function Palette(): ReactElement {
  const catalog = useDesigner((s) => s.catalog);
  const status = useDesigner((s) => s.status);
  const addNode = useDesigner((s) => s.addNode);
  const place = useCenterPlacement();
  const [query, setQuery] = useState('');
  const search = useRef<HTMLInputElement>(null);

  const texts = useMemo(() => new Map((catalog?.kinds ?? []).map((k) => [k.kind, searchText(k)])), [catalog]);
  const groups = useMemo(() => {
    const q = query.trim();
    return CATEGORY_ORDER.map((category) => ({
      category,
      items: (catalog?.kinds ?? []).filter((k) => k.category === category && matches(texts.get(k.kind) ?? '', q)),
    })).filter((g) => g.items.length > 0);
  }, [catalog, texts, query]);

  const onAdd = useMemo(
    () => (kind: string) => {
      // Added from the palette while a node is selected: the new node follows it, connected to its free output.
      addNode(kind, place(useDesigner.getState().nodes), { autoConnect: true });
    },
    [addNode, place],
  );

  // "/" jumps to the search box from anywhere but a text field, as in most design tools.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const t = e.target;
      const typing = t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
      if (e.key === '/' && !typing && !e.metaKey && !e.ctrlKey && !e.altKey) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') setQuery('');
    // Enter in the search box adds the best match: type "fil", Enter, done. A title match beats a kind that only
    // mentions the word in a setting (a CSV source's "counted as filtered" must not win over Filter).
    if (e.key === 'Enter') {
      const q = query.trim();
      const best = groups.flatMap((g) => g.items).reduce<NodeKindInfo | undefined>((b, k) => (b === undefined || rank(k, q) < rank(b, q) ? k : b), undefined);
      if (best) onAdd(best.kind);
    }
  };

  return (
    <aside className="palette" aria-label="Node palette" data-testid="palette">
      <div className="palette__header">
        <div className="palette__heading">Nodes</div>
        <label className="search">
          <SearchIcon size={14} className="search__icon" />
          <input
            ref={search}
            type="search"
            className="search__input"
            placeholder="Search nodes"
            aria-label="Search nodes"
            data-testid="palette-search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onSearchKey}
            spellCheck={false}
          />
          {query ? (
            <button
              type="button"
              className="search__clear"
              aria-label="Clear search"
              onClick={() => {
                setQuery('');
                search.current?.focus();
              }}
            >
              <CloseIcon size={12} />
            </button>
          ) : (
            <kbd className="search__hint" aria-hidden="true">
              /
            </kbd>
          )}
        </label>
      </div>
      <div className="palette__body">
        {status === 'failed' && !catalog && <div className="palette__empty">Node kinds appear here once the designer reaches the engine.</div>}
        {status === 'connecting' && !catalog && (
          <div className="palette__skeleton" aria-busy="true" aria-label="Loading node kinds">
            {[0, 1, 2, 3, 4].map((i) => (
              <div key={i} className="skeleton-row" />
            ))}
          </div>
        )}
        {catalog && groups.length === 0 && (
          <div className="palette__empty">{query ? `No nodes match “${query.trim()}”.` : 'The engine offers no node kinds.'}</div>
        )}
        {groups.map((g) => (
          <section key={g.category} className="palette-group" data-testid={`palette-group-${g.category}`} aria-label={CATEGORY_LABEL[g.category]}>
            <h2 className="palette-group__title" data-category={g.category}>
              <span className="palette-group__dot" />
              {CATEGORY_LABEL[g.category]}
              <span className="palette-group__count">{g.items.length}</span>
            </h2>
            <ul className="palette-group__list">
              {g.items.map((k) => (
                <PaletteItem key={k.kind} info={k} onAdd={onAdd} />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
}
