// The Tests tab: the open pipeline's pinned data (fixtures of its sources, expectations of its nodes), a way to
// remove each, and "Run tests", which runs the pipeline over the fixtures and shows per pinned node what differs,
// the same report as `sluice test FILE`.
import { useEffect, type ReactElement } from 'react';
import type { PinDiff } from '@sluice/format/api/pins-contract';
import { AlertIcon, CheckIcon, PlayIcon, SpinnerIcon, TrashIcon } from '../../lib/icons';
import { pinPlace, usePins } from '../../state/pins';
import { useDesigner } from '../../store';
import { NodeRef } from '../NodeRef';
import './tests.css';

function DiffLines({ d }: { d: PinDiff }): ReactElement {
  if (d.what === 'error') return <li className="pin-diff pin-diff--error">{d.actual}</li>;
  if (d.what === 'count') return <li className="pin-diff">count {d.subject}: expected <strong>{d.expected}</strong>, got <strong>{d.actual}</strong></li>;
  if (d.what === 'rule') return <li className="pin-diff">quarantined by rule <code>{d.subject}</code>: expected <strong>{d.expected}</strong>, got <strong>{d.actual}</strong></li>;
  if (d.what === 'columns') return <li className="pin-diff">columns: expected <code>{d.expected}</code>, got <code>{d.actual}</code></li>;
  const noun = d.what === 'rows' ? 'rows' : 'quarantined rows';
  const more = (total: number | undefined, shown: number) => ((total ?? 0) > shown ? ` … ${(total ?? 0) - shown} more` : '');
  return (
    <li className="pin-diff">
      {noun}: {d.missingTotal ?? 0} expected but missing (−), {d.extraTotal ?? 0} not expected (+)
      <pre className="pin-diff__rows" data-testid="pin-diff-rows">
        {[...(d.missing ?? []).map((r) => `- ${r}`), more(d.missingTotal, d.missing?.length ?? 0) && `-${more(d.missingTotal, d.missing?.length ?? 0)}`, ...(d.extra ?? []).map((r) => `+ ${r}`), more(d.extraTotal, d.extra?.length ?? 0) && `+${more(d.extraTotal, d.extra?.length ?? 0)}`].filter(Boolean).join('\n')}
      </pre>
    </li>
  );
}

export function TestsTab(): ReactElement {
  const api = useDesigner((s) => s.api);
  const fileName = useDesigner((s) => s.origin.fileName);
  const baseDir = useDesigner((s) => s.origin.baseDir);
  const pins = usePins((s) => s.pins);
  const report = usePins((s) => s.report);
  const busy = usePins((s) => s.busy);
  const error = usePins((s) => s.error);
  const { load, remove, test } = usePins.getState();

  useEffect(() => {
    if (api) void load();
  }, [api, fileName, baseDir, load]);

  if (!pinPlace()) {
    return (
      <div className="panel-empty" data-testid="tests-empty">
        Save the pipeline to a file first: its tests (pinned data) are kept in a folder beside it.
      </div>
    );
  }
  const pinned = pins?.pins ?? [];
  const expectations = pinned.filter((p) => p.expected);
  const resultOf = (id: string) => report?.tests.find((t) => t.nodeId === id);
  return (
    <div className="tests" data-testid="tests">
      <div className="panel-toolbar">
        <span className="tests__summary">
          {expectations.length === 0 ? 'No pinned data yet: select a node and use “Pin this data” in its preview.' : `${expectations.length} pinned node${expectations.length === 1 ? '' : 's'} in `}
          {expectations.length > 0 && <code>{pins?.folder}/</code>}
        </span>
        {report && (
          <span className={`tag ${report.passed ? 'tag--ok' : 'tag--danger'}`} data-testid="tests-verdict">
            {report.passed ? 'all passed' : `${report.tests.filter((t) => !t.passed).length} failed`}
          </span>
        )}
        <span className="panel-toolbar__spacer" />
        <button type="button" className="button button--primary" onClick={() => void test()} disabled={expectations.length === 0 || busy !== undefined} data-testid="tests-run">
          {busy === 'test' ? <SpinnerIcon size={12} /> : <PlayIcon size={12} />} Run tests
        </button>
      </div>
      {error && (
        <div className="panel-message panel-message--error" role="alert" data-testid="tests-error">
          <AlertIcon size={16} />
          <div className="panel-message__detail">{error}</div>
        </div>
      )}
      {pinned.length > 0 && (
        <div className="run-table-wrap" tabIndex={0} role="region" aria-label="Pinned data">
          <table className="run-table tests__table">
            <thead>
              <tr>
                <th>Node</th>
                <th>Pinned</th>
                <th>Result</th>
                <th aria-label="Remove" />
              </tr>
            </thead>
            <tbody>
              {pinned.map((p) => {
                const r = resultOf(p.nodeId);
                return (
                  <tr key={p.nodeId} data-testid={`pin-${p.nodeId}`} data-result={r ? (r.passed ? 'pass' : 'fail') : undefined}>
                    <td>
                      <NodeRef nodeId={p.nodeId} link />
                    </td>
                    <td>
                      {[p.fixture && `input: first ${p.fixture.lines} lines of its file`, p.expected && `expects ${p.expected.rows} rows, ${p.expected.quarantined} quarantined, ${p.expected.filtered} filtered`].filter(Boolean).join(' · ')}
                    </td>
                    <td>
                      {r && (r.passed ? (
                        <span className="tests__pass"><CheckIcon size={12} /> passed</span>
                      ) : (
                        <>
                          <span className="tests__fail">failed</span>
                          <ul className="pin-diffs" data-testid={`pin-diffs-${p.nodeId}`}>
                            {r.diffs.map((d, i) => (
                              <DiffLines key={i} d={d} />
                            ))}
                          </ul>
                        </>
                      ))}
                    </td>
                    <td>
                      <button type="button" className="icon-button icon-button--sm" onClick={() => void remove(p.nodeId)} title={p.fixture && !p.expected ? `Remove the fixture of ${p.nodeId}` : `Remove the pin of ${p.nodeId}`} aria-label={`Remove the pin of ${p.nodeId}`} data-testid={`pin-remove-${p.nodeId}`}>
                        <TrashIcon size={13} />
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The preview toolbar's "Pin this data": pins the previewed node (fixtures for the sources above it first). */
export function PinButton({ nodeId }: { nodeId: string }): ReactElement {
  const busy = usePins((s) => s.busy);
  const pinned = usePins((s) => s.pins?.pins.some((p) => p.nodeId === nodeId && p.expected !== undefined) ?? false);
  const api = useDesigner((s) => s.api);
  const fileName = useDesigner((s) => s.origin.fileName);
  const baseDir = useDesigner((s) => s.origin.baseDir);
  // Whether this node is pinned already ("Pin again") needs the pins of the document's file.
  useEffect(() => {
    if (api) void usePins.getState().load();
  }, [api, fileName, baseDir]);
  const place = pinPlace();
  return (
    <button
      type="button"
      className="button button--ghost"
      onClick={() => void usePins.getState().pin(nodeId)}
      disabled={!place || busy !== undefined}
      title={place ? `Keep this node's result over the first lines of its sources as a test (${place.fileName.replace(/\.json$/i, '')}.tests/); the Tests tab and \`sluice test\` check it` : 'Save the pipeline to a file first: pins are kept beside it'}
      data-testid="pin-data"
    >
      {busy === nodeId ? <SpinnerIcon size={12} /> : null}
      {pinned ? 'Pin again' : 'Pin this data'}
    </button>
  );
}
