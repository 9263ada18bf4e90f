import type { ReactElement } from 'react';
import { LogoMark, MoonIcon, SunIcon } from '../lib/icons';
import { useDesigner } from '../store';

export function TopBar(): ReactElement {
  const name = useDesigner((s) => s.meta.name);
  // Before the engine answers there is no document yet; "Untitled pipeline" would suggest there is.
  const hasDocument = useDesigner((s) => s.status === 'ready');
  const engineVersion = useDesigner((s) => s.catalog?.engineVersion);
  const theme = useDesigner((s) => s.theme);
  const setTheme = useDesigner((s) => s.setTheme);
  const next = theme === 'dark' ? 'light' : 'dark';

  return (
    <header className="topbar">
      <div className="topbar__brand">
        <LogoMark size={20} />
        <span className="topbar__app">Sluice</span>
      </div>
      {hasDocument && (
        <>
          <span className="topbar__sep" aria-hidden="true">
            /
          </span>
          <h1 className="topbar__doc" data-testid="pipeline-name" title={name}>
            {name}
          </h1>
        </>
      )}
      <div className="topbar__spacer" />
      {engineVersion && (
        <span className="topbar__meta" title="Engine version">
          engine {engineVersion}
        </span>
      )}
      <button
        type="button"
        className="icon-button"
        onClick={() => setTheme(next)}
        aria-label={`Switch to ${next} theme`}
        title={`Switch to ${next} theme`}
        data-testid="theme-toggle"
      >
        {theme === 'dark' ? <SunIcon size={16} /> : <MoonIcon size={16} />}
      </button>
    </header>
  );
}
