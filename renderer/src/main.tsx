import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles/theme.css';
import './styles/app.css';
import './styles/palette.css';
import './styles/canvas.css';
import './styles/form.css';
import './styles/panels.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// The provider sits above the palette too, so it can place nodes in the visible part of the canvas.
createRoot(root).render(
  <StrictMode>
    <ReactFlowProvider>
      <App />
    </ReactFlowProvider>
  </StrictMode>,
);
