import { useEffect, type ReactElement } from 'react';
import { Banner } from './components/Banner';
import { Canvas } from './components/Canvas';
import { Palette } from './components/Palette';
import { TopBar } from './components/TopBar';
import { connect } from './connect';
import { useDesigner } from './store';

export function App(): ReactElement {
  const theme = useDesigner((s) => s.theme);
  const banner = useDesigner((s) => s.banner);
  const status = useDesigner((s) => s.status);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    void connect();
  }, []);

  return (
    <div className="app" data-status={status}>
      <TopBar />
      {banner && <Banner banner={banner} onRetry={() => void connect()} />}
      <main className="workspace">
        <Palette />
        <Canvas />
      </main>
    </div>
  );
}
