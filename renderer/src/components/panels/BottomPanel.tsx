// The panel under the canvas: preview, column profile, quarantine and run summary, in tabs; its top edge resizes it.
import { useCallback, useRef, type PointerEvent, type ReactElement } from 'react';
import { formatCount } from '../../lib/format';
import { ChevronDownIcon } from '../../lib/icons';
import { usePreview } from '../../state/preview';
import { useRun } from '../../state/run';
import { useUi, type BottomTab } from '../../state/ui';
import { PreviewTab } from './PreviewTab';
import { ProfileTab } from './ProfileTab';
import { QuarantineTab } from './QuarantineTab';
import { RunTab } from './RunTab';
import { TestsTab } from './TestsTab';
import { usePins } from '../../state/pins';

function useQuarantineCount(): number | undefined {
  const nodeId = usePreview((s) => s.target?.requestNodeId);
  const fromPreview = usePreview((s) => (s.result && s.result.nodeId === nodeId ? s.result.quarantineTotal : undefined));
  const fromRun = useRun((s) => (nodeId && !s.stale ? s.metrics.get(nodeId)?.quarantined : undefined));
  return fromRun ?? fromPreview;
}

export function BottomPanel(): ReactElement {
  const tab = useUi((s) => s.bottomTab);
  const open = useUi((s) => s.panelOpen);
  const height = useUi((s) => s.panelHeight);
  const setTab = useUi((s) => s.setBottomTab);
  const setOpen = useUi((s) => s.setPanelOpen);
  const setHeight = useUi((s) => s.setPanelHeight);
  const runPhase = useRun((s) => s.phase);
  const outcome = useRun((s) => s.manifest?.outcome);
  const qCount = useQuarantineCount();
  const failedTests = usePins((s) => s.report?.tests.filter((t) => !t.passed).length);
  const drag = useRef<{ y: number; h: number } | undefined>(undefined);

  const onPointerDown = useCallback(
    (e: PointerEvent<HTMLDivElement>) => {
      e.currentTarget.setPointerCapture(e.pointerId);
      drag.current = { y: e.clientY, h: height };
    },
    [height],
  );
  const onPointerMove = useCallback(
    (e: PointerEvent<HTMLDivElement>) => {
      if (!drag.current) return;
      // Leave the canvas at least 160 px; the panel grows upwards.
      const max = window.innerHeight - 48 - 160;
      setHeight(Math.min(max, drag.current.h + (drag.current.y - e.clientY)));
    },
    [setHeight],
  );
  const onPointerUp = useCallback(() => {
    drag.current = undefined;
  }, []);

  const tabs: { id: BottomTab; label: string; badge?: string | undefined; tone?: string }[] = [
    { id: 'preview', label: 'Preview' },
    { id: 'profile', label: 'Profile' },
    { id: 'quarantine', label: 'Quarantine', badge: qCount ? formatCount(qCount) : undefined, tone: 'danger' },
    { id: 'run', label: 'Run', badge: runPhase === 'running' ? '…' : outcome ? (outcome === 'succeeded' ? 'ok' : outcome === 'cancelled' ? 'cancelled' : outcome === 'partial' ? 'partial' : 'failed') : undefined, tone: outcome === 'succeeded' ? 'ok' : 'danger' },
    { id: 'tests', label: 'Tests', badge: failedTests === undefined ? undefined : failedTests === 0 ? 'ok' : `${failedTests} failed`, tone: failedTests === 0 ? 'ok' : 'danger' },
  ];

  return (
    <section className={`bottom-panel${open ? '' : ' is-collapsed'}`} style={open ? { height } : undefined} aria-label="Data panel" data-testid="bottom-panel">
      {open && <div className="bottom-panel__resize" role="separator" aria-orientation="horizontal" aria-label="Resize panel" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} />}
      <div className="bottom-panel__tabs">
        <div className="bottom-panel__tablist" role="tablist" aria-label="Data panel views">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={open && tab === t.id}
            className={`tab${open && tab === t.id ? ' is-active' : ''}`}
            onClick={() => setTab(t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
            {t.badge && <span className={`tab__badge tab__badge--${t.tone ?? 'muted'}`}>{t.badge}</span>}
          </button>
        ))}
        </div>
        <span className="panel-toolbar__spacer" />
        <button type="button" className="icon-button icon-button--sm" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse panel' : 'Expand panel'} title={open ? 'Collapse' : 'Expand'}>
          <ChevronDownIcon size={14} style={{ transform: open ? undefined : 'rotate(180deg)' }} />
        </button>
      </div>
      {open && (
        <div className="bottom-panel__content" role="tabpanel">
          {tab === 'preview' && <PreviewTab />}
          {tab === 'profile' && <ProfileTab />}
          {tab === 'quarantine' && <QuarantineTab />}
          {tab === 'run' && <RunTab />}
          {tab === 'tests' && <TestsTab />}
        </div>
      )}
    </section>
  );
}
